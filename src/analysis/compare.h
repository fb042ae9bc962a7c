#pragma once
// Comparisons across runs and devices: is B faster than A, by how much, and
// is the difference real or noise? Plain records in, plain numbers out.
//
// Note [Comparing repeated windows]
// A case's throughput is measured over several timed windows
// (ThroughputSummary.window_samples_per_s, one samples/s value per window). Two cases are
// compared by
//   - the ratio of medians, candidate / baseline (> 1: candidate faster),
//   - a percentile bootstrap 95% confidence interval of that ratio: each side
//     is resampled with replacement from its own windows (seeded, so the same
//     records always give the same interval),
//   - the two-sided Mann-Whitney U p-value of the two window samples (exact
//     distribution without ties and for small samples, else the normal
//     approximation with tie and continuity correction).
// A change is marked significant when p < alpha, the interval excludes 1 and
// the change |ratio - 1| exceeds the noise, the larger coefficient of
// variation of the two sides: a 2% change between cases that vary by 5% from
// window to window is not reported, however small p is.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/speedup.h"
#include "results/record.h"

namespace effbench {

struct MannWhitneyResult {
  double u = 0;        // U of the first sample: pairs (a_i, b_j) with a_i > b_j, ties count 1/2
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution (no ties, small samples) or normal approximation
};

/// Two-sided Mann-Whitney U test of `a` against `b`. Throws effbench::Error
/// when either sample is empty.
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

struct RatioInterval {
  double ratio = 0;  // median(candidate) / median(baseline)
  double low = 0;    // 2.5th percentile of the bootstrap ratios
  double high = 0;   // 97.5th percentile
};

/// Ratio of medians with a percentile bootstrap 95% CI (Note [Comparing
/// repeated windows]). Deterministic for a given `seed`. Throws
/// effbench::Error for an empty sample or a baseline median of zero.
RatioInterval bootstrap_median_ratio(const std::vector<double>& baseline,
                                     const std::vector<double>& candidate, uint64_t seed = 20240601,
                                     int resamples = 4000);

struct CompareOptions {
  double alpha = 0.05;  // significance level of the U test
  uint64_t seed = 20240601;
  int resamples = 4000;
};

/// One model/mode compared between a baseline case and a candidate case.
struct CaseComparison {
  std::string model;
  std::string mode;
  std::string baseline_device;
  std::string candidate_device;
  int64_t batch = 0;
  std::string precision;
  std::string exec;
  std::string unit;  // of the medians, "samples/s"
  double baseline_median = 0;
  double candidate_median = 0;
  int64_t baseline_windows = 0;
  int64_t candidate_windows = 0;
  bool has_statistics = false;  // false: fewer than 2 windows on a side, only the ratio is known
  RatioInterval ratio;
  double p_value = 1;
  bool exact_p = false;
  double noise = 0;          // larger CV of the two sides (fraction)
  bool significant = false;  // Note [Comparing repeated windows]
  std::string verdict;       // "faster" | "slower" | "no change"
};

struct Comparison {
  std::string baseline_label;   // run id, or the baseline device
  std::string candidate_label;  // run id, or "other devices"
  std::vector<CaseComparison> rows;
  std::vector<std::string> unmatched;  // cases without a counterpart (or failed), described
};

/// Run against run: cases matched by model, mode, device, batch, precision
/// and exec; only successful cases with a throughput are compared.
Comparison compare_runs(const RunRecord& baseline, const RunRecord& candidate,
                        const CompareOptions& options = {});

/// One run's devices against each other: each case against the case of the
/// same model, mode, batch, precision and exec on `baseline_device` ("cpu";
/// when the run has no such device, the first device seen).
Comparison compare_devices(const RunRecord& run, const Device& baseline_device = Device(),
                           const CompareOptions& options = {});

/// Rows that are significantly slower by more than `threshold_pct` percent
/// (throughput ratio below 1 - threshold_pct / 100).
std::vector<CaseComparison> regressions(const Comparison& comparison, double threshold_pct);

/// The studies' speedup tables over stored runs (train, then infer; a mode
/// without cases is left out), built with speedup_table(): one row per model,
/// exec mode and precision (Note [What a speedup compares]); a later run's
/// case replaces an earlier one of the same row and device.
std::vector<SpeedupTable> study_speedup_tables(const std::vector<RunRecord>& runs,
                                               const std::string& baseline = "cpu");

/// One exec mode's figures in an exec-mode row.
struct ExecFigures {
  Exec exec = Exec::kEager;
  bool ok = false;                         // the case finished with a throughput
  double samples_per_s = 0;                // median over windows, when ok
  std::optional<double> p50_ms;            // batch-1 latency (inference), when ok
  std::optional<double> throughput_ratio;  // samples_per_s / the baseline exec's (1 for the baseline)
  std::optional<double> latency_change;    // p50_ms / the baseline exec's p50_ms - 1 (0 for the baseline)
};

/// The execution-mode comparison: one (model, device, mode, precision, batch)
/// that ran under more than one exec mode.
struct ExecModeRow {
  std::string model;
  std::string device;
  Mode mode = Mode::kInfer;
  Precision precision = Precision::kFp32;
  int64_t batch = 0;
  std::vector<ExecFigures> execs;  // eager, fused, graph, then others, as they ran
  // (exec, throughput ratio) of the execs that have one, baseline first; the
  // same numbers as `execs`, for printers that need only the ratios.
  std::vector<std::pair<Exec, double>> speedup_by_exec;
};

/// Exec-mode rows of `cases`, in first-seen order. Cases are grouped by model,
/// device, mode, precision and batch, so each ratio compares exec modes alone;
/// a later successful case replaces an earlier one, a failed case only fills
/// an empty slot (shown as not ok). Rows with a single exec mode are left out.
/// Ratios need the `baseline_exec` case and the other to be ok.
std::vector<ExecModeRow> exec_mode_rows(const std::vector<CaseRecord>& cases,
                                        Exec baseline_exec = Exec::kEager);

/// exec_mode_rows() over the cases of `runs`, in order (later runs win).
std::vector<ExecModeRow> exec_mode_table(const std::vector<RunRecord>& runs,
                                         Exec baseline_exec = Exec::kEager);

}  // namespace effbench
