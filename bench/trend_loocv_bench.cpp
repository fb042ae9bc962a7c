// Leave-one-out cross-validation of a polynomial trend, the way `effbench
// trend` scores it (loocv_score: one fit and the PRESS identity, Note
// [Leave-one-out without refitting] in analysis/polyfit.cpp) against the
// reference it replaces: n explicit refits, each predicting its left-out
// point. Both run here, on the same data, and must agree; the ratio of their
// times is printed per size. Target: the one-fit score stays linear in n, so
// its ratio to the refits grows about as n.
//
//   build/bench/trend_loocv_bench [LARGEST_N_WITH_REFITS]   (default 4000)

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "analysis/polyfit.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The reference: refit without each point and square its prediction error.
double refit_mse(const std::vector<double>& x, const std::vector<double>& y, int degree) {
  double sum = 0;
  for (size_t out = 0; out < x.size(); ++out) {
    std::vector<double> xs, ys;
    for (size_t i = 0; i < x.size(); ++i) {
      if (i == out) continue;
      xs.push_back(x[i]);
      ys.push_back(y[i]);
    }
    const effbench::PolyFit fit = effbench::fit_polynomial(xs, ys, degree);
    const double error = y[out] - effbench::predict_with_interval(fit, x[out]).y;
    sum += error * error;
  }
  return sum / static_cast<double>(x.size());
}

}  // namespace

int main(int argc, char** argv) {
  const long largest = argc > 1 ? std::atol(argv[1]) : 4000;
  const int degree = 3;
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 0.05);
  std::printf("%8s  %14s  %14s  %10s  %12s\n", "rows", "one fit s", "n refits s", "ratio", "rel. diff");
  int status = 0;
  for (long n : {250L, 500L, 1000L, 2000L, 4000L, 20000L}) {
    std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (long i = 0; i < n; ++i) {
      x[static_cast<size_t>(i)] = 2000 + 25.0 * static_cast<double>(i) / static_cast<double>(n);  // years
      const double t = x[static_cast<size_t>(i)] - 2012;
      y[static_cast<size_t>(i)] = 1 + 0.3 * t - 0.01 * t * t + 0.0005 * t * t * t + noise(rng);
    }
    auto start = std::chrono::steady_clock::now();
    const double press_mse = effbench::loocv_score(x, y, degree).cv_mse;
    const double one_fit_s = seconds_since(start);
    if (n > largest) {
      std::printf("%8ld  %14.6f  %14s  %10s  %12s\n", n, one_fit_s, "(skipped)", "-", "-");
      continue;
    }
    start = std::chrono::steady_clock::now();
    const double reference_mse = refit_mse(x, y, degree);
    const double refits_s = seconds_since(start);
    const double difference = std::fabs(press_mse - reference_mse) / reference_mse;
    if (difference > 1e-6) status = 1;  // the two must compute the same score
    std::printf("%8ld  %14.6f  %14.6f  %9.0fx  %12.2e\n", n, one_fit_s, refits_s, refits_s / one_fit_s,
                difference);
  }
  std::printf("ratio: time of n explicit refits / time of the one-fit score, same data, same run\n");
  return status;
}
