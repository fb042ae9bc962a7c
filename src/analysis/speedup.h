#pragma once
// The studies' headline table: throughput of each model on each device as a
// multiple of its throughput on the baseline device (cpu).

#include <map>
#include <optional>
#include <string>
#include <utility>
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

struct SpeedupTable {
  std::string mode;                                                  // "train" | "infer"
  std::string baseline;                                              // "cpu"
  std::vector<std::string> models;                                   // rows, in first-seen order
  std::vector<std::string> devices;                                  // columns, baseline first
  std::map<std::pair<std::string, std::string>, SpeedupCell> cells;  // (model, device)

  const SpeedupCell* cell(const std::string& model, const std::string& device) const;
};

/// Builds the table for `mode` from the successful cases of a run (or of
/// several runs: the last matching case wins). The baseline column is 1.0.
SpeedupTable speedup_table(const std::vector<CaseRecord>& cases, const std::string& mode,
                           const std::string& baseline = "cpu");

}  // namespace effbench
