#include "analysis/batch_sweep.h"

#include <algorithm>

#include "core/units.h"

namespace effbench {
namespace {

constexpr double kPastPeakFraction = 0.95;
constexpr double kMostMemoryFraction = 0.8;

std::optional<int64_t> peak_memory(const CaseRecord& c) {
  if (c.memory.cuda_peak_allocated_bytes) return c.memory.cuda_peak_allocated_bytes;
  return c.memory.peak_rss_bytes;
}

}  // namespace

bool same_sweep(const CaseRecord& a, const CaseRecord& b) {
  return a.model == b.model && a.device == b.device && a.mode == b.mode && a.exec == b.exec &&
         a.precision == b.precision && !a.command && !b.command && !a.accuracy && !b.accuracy;
}

std::vector<BatchCurve> batch_curves(const std::vector<CaseRecord>& cases) {
  std::vector<BatchCurve> curves;
  std::vector<const CaseRecord*> firsts;  // one case of each curve, to match the others against
  for (const auto& c : cases) {
    if (c.status != CaseStatus::kOk || !c.throughput || c.command || c.accuracy || c.distributed) continue;
    size_t at = 0;
    while (at < firsts.size() && !same_sweep(*firsts[at], c)) ++at;
    if (at == firsts.size()) {
      firsts.push_back(&c);
      BatchCurve curve;
      curve.model = c.model;
      curve.device = c.device;
      curve.device_name = c.device_name;
      curve.mode = c.mode;
      curve.exec = c.exec;
      curve.precision = c.precision;
      curves.push_back(curve);
    }
    curves[at].points.push_back({c.batch, c.throughput->median, peak_memory(c)});
  }
  std::vector<BatchCurve> swept;
  for (auto& curve : curves) {
    std::sort(curve.points.begin(), curve.points.end(),
              [](const BatchPoint& a, const BatchPoint& b) { return a.batch < b.batch; });
    const bool several = curve.points.size() >= 2 && curve.points.front().batch != curve.points.back().batch;
    if (!several) continue;
    curve.best = *std::max_element(
        curve.points.begin(), curve.points.end(),
        [](const BatchPoint& a, const BatchPoint& b) { return a.samples_per_s < b.samples_per_s; });
    swept.push_back(std::move(curve));
  }
  return swept;
}

std::optional<std::string> sweep_stop_reason(const std::vector<CaseRecord>& earlier, int64_t next_batch,
                                             std::optional<int64_t> memory_available_bytes) {
  if (earlier.empty()) return std::nullopt;
  const CaseRecord& last = earlier.back();
  if (last.status != CaseStatus::kOk || !last.throughput) {
    return "batch " + std::to_string(last.batch) + " did not finish" +
           (last.error.empty() ? std::string() : " (" + last.error + ")") +
           "; larger batches would not either";
  }
  double best = 0;
  for (const auto& c : earlier) {
    if (c.throughput) best = std::max(best, c.throughput->median);
  }
  if (earlier.size() >= 3) {
    const auto below = [&](const CaseRecord& c) {
      return c.throughput && c.throughput->median < kPastPeakFraction * best;
    };
    if (below(earlier[earlier.size() - 1]) && below(earlier[earlier.size() - 2])) {
      return "throughput fell below " + format_number(100 * kPastPeakFraction) + "% of the sweep's best (" +
             format_number(best) + " samples/s) at the last two batches: past the peak";
    }
  }
  if (memory_available_bytes && earlier.size() >= 2 && last.device.is_cpu()) {
    const CaseRecord& before = earlier[earlier.size() - 2];
    if (last.memory.peak_rss_bytes && before.memory.peak_rss_bytes && last.batch > before.batch) {
      const double per_sample =
          static_cast<double>(*last.memory.peak_rss_bytes - *before.memory.peak_rss_bytes) /
          static_cast<double>(last.batch - before.batch);
      const double predicted = static_cast<double>(*last.memory.peak_rss_bytes) +
                               std::max(0.0, per_sample) * static_cast<double>(next_batch - last.batch);
      if (predicted > kMostMemoryFraction * static_cast<double>(*memory_available_bytes)) {
        return "batch " + std::to_string(next_batch) + " would need about " + format_bytes(predicted) +
               ", more than " + format_number(100 * kMostMemoryFraction) + "% of the " +
               format_bytes(static_cast<double>(*memory_available_bytes)) + " available";
      }
    }
  }
  return std::nullopt;
}

}  // namespace effbench
