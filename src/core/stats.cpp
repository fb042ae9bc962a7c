#include "core/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <boost/math/distributions/students_t.hpp>

#include "core/error.h"

namespace effbench {

double quantile(std::vector<double> values, double q) {
  check(!values.empty(), "quantile: expected a non-empty sample but got 0 values");
  check(q >= 0.0 && q <= 1.0, "quantile: expected q in [0, 1] but got " + std::to_string(q));
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return values[lower] + fraction * (values[upper] - values[lower]);
}

SampleSummary summarize(const std::vector<double>& values) {
  check(!values.empty(), "summarize: expected a non-empty sample but got 0 values");
  SampleSummary s;
  s.count = static_cast<int64_t>(values.size());
  s.median = quantile(values, 0.5);
  s.iqr = quantile(values, 0.75) - quantile(values, 0.25);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.count);
  if (s.count > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(squares / static_cast<double>(s.count - 1));
  }
  s.cv = s.mean != 0 ? s.stddev / std::fabs(s.mean) : 0.0;
  return s;
}

double mean_half_width_95(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  const SampleSummary s = summarize(values);
  const boost::math::students_t t(static_cast<double>(s.count - 1));
  return boost::math::quantile(t, 0.975) * s.stddev / std::sqrt(static_cast<double>(s.count));
}

}  // namespace effbench
