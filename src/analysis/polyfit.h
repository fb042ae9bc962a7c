#pragma once
// Least-squares polynomial fits with leave-one-out degree selection and
// prediction intervals. Plain doubles in, plain doubles out; Eigen and
// Boost.Math stay inside polyfit.cpp.
//
// Note [Centred and scaled x]
// Trend data have x values such as years (2012..2025). A Vandermonde matrix
// built on raw years has columns 1, 2e3, 4e6, 8e9, ... and a condition number
// that loses every digit of a cubic. The fit is therefore made in
// z = (x - x_center) / x_scale, with x_center the midpoint and x_scale the
// half-range of the data, so z lies in [-1, 1]; it is solved by a
// column-pivoting Householder QR of the design matrix (never the normal
// equations, which square the condition number). Coefficients are reported
// both in z (what is evaluated) and expanded back into powers of x (what a
// reader expects to see); the latter can be large and cancel for years, so
// predictions always evaluate the z form.
//
// Note [Log-y fits]
// With log_y the polynomial is fitted to ln(y) (y must be positive): an
// exponential trend becomes a straight line. R^2, residuals, CV errors and
// the coefficients are then on the ln(y) scale; predictions and interval
// bounds are transformed back with exp(), so the reported value is the
// median (not the mean) of the predicted distribution.

#include <cstdint>
#include <vector>

namespace effbench {

/// A fitted polynomial y = sum_k c_k x^k (ln y with log_y, Note [Log-y fits]).
struct PolyFit {
  int degree = 0;
  bool log_y = false;
  int64_t n = 0;        // points fitted
  double x_center = 0;  // Note [Centred and scaled x]
  double x_scale = 1;
  std::vector<double> z_coefficients;  // in z = (x - x_center) / x_scale, constant first
  std::vector<double> coefficients;    // expanded into powers of the original x, constant first
  double r_squared = 0;                // on the fitting scale; 1 when y is constant and fitted exactly
  double residual_stddev = 0;          // s = sqrt(SSE / (n - degree - 1)), fitting scale
  int64_t residual_df = 0;             // n - degree - 1
  // (Z^T Z)^{-1} of the design matrix in z, row-major (degree+1)^2; with
  // residual_stddev it gives the standard error of a prediction.
  std::vector<double> unscaled_covariance;

  /// The fitted value at `x` in the units of the data (exp() applied with log_y).
  double predict(double x) const;
};

/// A projection at one x with its prediction interval.
struct Prediction {
  double x = 0;
  double y = 0;      // fitted value (median with log_y)
  double lower = 0;  // prediction interval bounds for a new observation at x
  double upper = 0;
  double level = 0.95;
  bool extrapolated = false;  // x outside the fitted range
};

/// One candidate degree and its leave-one-out cross-validation error.
struct DegreeScore {
  int degree = 0;
  double cv_mse = 0;     // mean squared leave-one-out prediction error (fitting scale)
  double cv_mse_se = 0;  // standard error of that mean
};

/// A fit whose degree was chosen by leave-one-out cross-validation.
struct AutoFit {
  PolyFit fit;
  std::vector<DegreeScore> candidates;  // degree 1 .. the bound, ascending
  int max_degree_considered = 0;
};

/// Fits a polynomial of `degree` to (x, y) by least squares (Note [Centred and
/// scaled x]). Needs n >= degree + 2 points (one residual degree of freedom
/// for the intervals) and at least degree + 1 distinct x values; with
/// `log_y`, every y > 0. Throws effbench::Error naming the offending value.
PolyFit fit_polynomial(const std::vector<double>& x, const std::vector<double>& y, int degree,
                       bool log_y = false);

/// Mean squared error of leave-one-out predictions of a degree-`degree` fit
/// (each point predicted by the fit to the other n - 1), on the fitting
/// scale, with its standard error. Same requirements as fit_polynomial with
/// one point fewer.
DegreeScore loocv_score(const std::vector<double>& x, const std::vector<double>& y, int degree,
                        bool log_y = false);

/// Largest degree that leave-one-out CV can judge on this data: min(max_degree,
/// distinct x values - 2) (each left-out fit must still have degree + 1
/// distinct x values and a residual). Returns 0 when no degree >= 1 is possible.
int max_cv_degree(const std::vector<double>& x, int max_degree);

/// Chooses the degree in 1..max_cv_degree(x, max_degree) by leave-one-out CV
/// with the one-standard-error rule (Note [Degree choice] in polyfit.cpp) and
/// returns the fit of that degree with every candidate's score. Throws
/// effbench::Error when fewer than 3 distinct x values are given.
AutoFit fit_polynomial_auto(const std::vector<double>& x, const std::vector<double>& y, int max_degree,
                            bool log_y = false);

/// The fitted value at `x` with a two-sided prediction interval at `level`
/// (0 < level < 1) for a new observation: yhat +- t_{df, (1+level)/2} * s *
/// sqrt(1 + z0^T (Z^T Z)^{-1} z0), Student t from Boost.Math.
Prediction predict_with_interval(const PolyFit& fit, double x, double level = 0.95);

/// The Student t quantile t_{df, (1 + level) / 2} of the fit's residual degrees of freedom.
double interval_t_quantile(const PolyFit& fit, double level);

/// predict_with_interval with a quantile from interval_t_quantile(fit, level),
/// for scans over many x.
Prediction predict_with_interval(const PolyFit& fit, double x, double level, double t_quantile);

}  // namespace effbench
