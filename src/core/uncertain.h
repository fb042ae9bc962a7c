#pragma once
// A value with the half-width of its interval, and the one way it is printed
// ("412 J ± 9 J"). The terms of an energy interval are written down in Note
// [Energy uncertainty] (meters/energy_uncertainty.h). No torch.

#include <string>

namespace effbench {

/// value ± half_width, both in the same unit. half_width 0: no spread known.
struct Uncertain {
  double value = 0;
  double half_width = 0;
};

/// Independent half-widths combined: sqrt(a^2 + b^2).
double in_quadrature(double a, double b);

/// `x` times an exact factor (a sample count, a unit conversion): both scale.
Uncertain scaled(const Uncertain& x, double factor);

/// half_width / |value|; 0 when value is 0.
double relative_half_width(const Uncertain& x);

/// "412.3 J ± 9.1 J": the half-width to two significant digits, the value
/// rounded to the same decimal place; with an empty unit "412.3 ± 9.1".
/// A half-width of 0 (or NaN) prints the value alone, as format_number; an
/// infinite one "412.3 J ± unbounded".
std::string format_plus_minus(const Uncertain& x, const std::string& unit = "");

}  // namespace effbench
