#pragma once
// The studies' headline table: throughput of each model on each device as a
// multiple of its throughput on the baseline device (cpu).
//
// Note [What a speedup compares]
// A cell divides the median throughput of one (model, mode, exec,
// precision) on a device by the median throughput of the same (model, mode,
// exec, precision) on the baseline device: like with like. A row is one
// (model, exec, precision), so `--exec eager,graph` gives an eager row and a
// graph row, never a GPU graph figure over a CPU eager one (which would mix
// the device's gain with the exec mode's). A row whose baseline did not run
// (graph needs CUDA) has no speedups; exec modes are compared on one device
// in the exec-mode table (analysis/compare.h, exec_mode_rows). When a model
// ran under more than one exec mode or precision, a last "best" row divides
// each device's fastest case of the model by the baseline's fastest: what a
// user gets from each device when both run the way that suits them best. The
// console and the HTML report print this table as it is, with the exec and
// precision of each row ("best" for the best-vs-best row).

#include <optional>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

struct SpeedupCell {
  std::optional<double> speedup;  // absent when a case is missing or failed
  // Note [Speedup across input sizes]
  // When the device ran the model on another input size than the baseline
  // (CycleGAN is reduced on cpu), samples/s are not comparable; the cell is
  // then the ratio of achieved FLOP/s (throughput x step FLOPs per sample)
  // and says so.
  bool flops_normalised = false;
};

/// One row of the table: a model under one exec mode and precision.
struct SpeedupRow {
  std::string model;
  Exec exec = Exec::kEager;                // unused when best
  Precision precision = Precision::kFp32;  // unused when best
  bool best = false;  // true: each device's fastest case of the model over the baseline's fastest
  std::vector<SpeedupCell> cells;  // parallel to SpeedupTable::devices
};

struct SpeedupTable {
  Mode mode = Mode::kTrain;
  std::string baseline;              // "cpu"
  std::vector<std::string> models;   // distinct models, in first-seen order
  std::vector<std::string> devices;  // columns, baseline first
  std::vector<SpeedupRow> rows;      // one per (model, exec, precision), in first-seen order

  /// The cell of `model` under `exec` and `precision` on `device`; nullptr when absent.
  const SpeedupCell* cell(const std::string& model, const std::string& device, Exec exec = Exec::kEager,
                          Precision precision = Precision::kFp32) const;
};

/// Builds the table for `mode` from the successful cases of a run (or of
/// several runs: the last matching case wins). The baseline column is 1.0.
/// See Note [What a speedup compares].
SpeedupTable speedup_table(const std::vector<CaseRecord>& cases, Mode mode,
                           const std::string& baseline = "cpu");

}  // namespace effbench
