#pragma once
// The batch sweep (`effbench run --batch 16,32,64` or `--batch auto`): which
// batch gives the most throughput for a model on a device, and when a sweep
// stops early.
//
// Note [Batch sweep]
// The cases of one model, device, mode, exec and precision at several
// batches form a curve of median throughput against batch; its best batch
// is the one with the highest median. A sweep runs smallest batch first and
// stops before the next batch when
//   - the last batch failed (out of memory, most often): larger ones would too;
//   - throughput has fallen below 95% of the sweep's best at the last two
//     batches: past the peak, larger batches only cost memory;
//   - on the cpu, the peak resident memory, extrapolated linearly in the
//     batch from the last two batches, would pass 80% of the memory available
//     now: the host would swap or kill the process.
// The stopped batches are not measured, and the screen says why.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

/// One measured batch of a curve.
struct BatchPoint {
  int64_t batch = 0;
  double samples_per_s = 0;                  // median of the case's windows
  std::optional<int64_t> peak_memory_bytes;  // CUDA peak allocated, else the process's peak RSS
};

/// Throughput against batch for one model, device, mode, exec and precision.
struct BatchCurve {
  std::string model;
  Device device;
  std::string device_name;
  Mode mode = Mode::kTrain;
  Exec exec = Exec::kEager;
  Precision precision = Precision::kFp32;
  std::vector<BatchPoint> points;  // ascending batch
  BatchPoint best;                 // the highest median throughput
};

/// The curves of `cases` (Note [Batch sweep]): every group with successful
/// cases at two or more batches, in the order the groups first appear.
std::vector<BatchCurve> batch_curves(const std::vector<CaseRecord>& cases);

/// Whether a sweep stops before `next_batch` (Note [Batch sweep]), and why;
/// nullopt to go on. `earlier`: the sweep's finished cases, smallest batch
/// first. `memory_available_bytes`: the host's now (cpu
/// sweeps; optional).
std::optional<std::string> sweep_stop_reason(const std::vector<CaseRecord>& earlier, int64_t next_batch,
                                             std::optional<int64_t> memory_available_bytes);

/// The same model, device, mode, exec and precision: one sweep.
bool same_sweep(const CaseRecord& a, const CaseRecord& b);

}  // namespace effbench
