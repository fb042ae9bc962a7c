#include "report/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace effbench {

void ProgressEstimate::report(double elapsed_s, double done_fraction) {
  const double fraction = std::clamp(done_fraction, 0.0, 1.0);
  if (!first_s_) {
    first_s_ = elapsed_s;
    first_fraction_ = fraction;
  }
  latest_s_ = elapsed_s;
  latest_fraction_ = fraction;
}

std::optional<double> ProgressEstimate::left_s() const {
  if (!first_s_) return std::nullopt;
  const double seconds = latest_s_ - *first_s_;
  const double done = latest_fraction_ - *first_fraction_;
  if (seconds <= 0 || done <= 0) return std::nullopt;
  return (1.0 - latest_fraction_) * seconds / done;
}

std::string ProgressEstimate::text(bool upper_bound) const {
  char percent[16];
  std::snprintf(percent, sizeof percent, "%.0f%%", std::floor(100.0 * latest_fraction_));
  const std::optional<double> left = left_s();
  if (!left) return percent;
  return std::string(percent) + (upper_bound ? ", at most " : ", about ") + rough_duration(*left) + " left";
}

std::string rough_duration(double seconds) {
  const long whole = std::lround(std::max(0.0, seconds));
  char text[48];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%ld s", whole);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%ld min", (whole + 30) / 60);
  } else {
    const long minutes = (whole + 30) / 60;
    std::snprintf(text, sizeof text, "%ld h %02ld min", minutes / 60, minutes % 60);
  }
  return text;
}

}  // namespace effbench
