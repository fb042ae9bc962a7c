#pragma once
// Descriptive statistics over repeated measurements. No torch.

#include <cstdint>
#include <vector>

namespace effbench {

/// Summary of a sample: median, interquartile range, extremes and the
/// coefficient of variation (standard deviation / mean, sample stddev).
struct SampleSummary {
  double median = 0;
  double iqr = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
  double stddev = 0;
  double cv = 0;
  int64_t count = 0;
};

/// Linear-interpolation quantile (type 7, as numpy's default) of `values`
/// at q in [0, 1]. Throws effbench::Error on an empty sample or q outside [0, 1].
double quantile(std::vector<double> values, double q);

/// Summary of `values`; throws effbench::Error on an empty sample.
SampleSummary summarize(const std::vector<double>& values);

/// Half-width of the two-sided 95% Student-t confidence interval of the mean
/// of `values`: t(0.975, n-1) x stddev / sqrt(n). 0 for fewer than two values.
double mean_half_width_95(const std::vector<double>& values);

}  // namespace effbench
