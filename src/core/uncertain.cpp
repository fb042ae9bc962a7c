#include "core/uncertain.h"

#include <cmath>
#include <cstdio>

#include "core/units.h"

namespace effbench {

double in_quadrature(double a, double b) { return std::hypot(a, b); }

Uncertain scaled(const Uncertain& x, double factor) {
  return {x.value * factor, x.half_width * std::fabs(factor)};
}

double relative_half_width(const Uncertain& x) {
  return x.value == 0 ? 0 : x.half_width / std::fabs(x.value);
}

std::string format_plus_minus(const Uncertain& x, const std::string& unit) {
  const std::string suffix = unit.empty() ? "" : " " + unit;
  if (std::isinf(x.half_width) && x.half_width > 0)
    return format_number(x.value) + suffix + " \u00b1 unbounded";
  if (!(x.half_width > 0) || !std::isfinite(x.half_width) || !std::isfinite(x.value))
    return format_number(x.value) + suffix;
  // Two significant digits of the half-width fix the last decimal place shown.
  const int decimals = 1 - static_cast<int>(std::floor(std::log10(x.half_width)));
  const double step = std::pow(10.0, -decimals);
  const double value = std::round(x.value / step) * step;
  const double half_width = std::round(x.half_width / step) * step;
  char value_text[64], half_text[64];
  const int shown = decimals > 0 ? decimals : 0;
  std::snprintf(value_text, sizeof value_text, "%.*f", shown, value == 0 ? 0.0 : value);
  std::snprintf(half_text, sizeof half_text, "%.*f", shown, half_width);
  return value_text + suffix + " \u00b1 " + half_text + suffix;
}

}  // namespace effbench
