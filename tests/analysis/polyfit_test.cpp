#include "analysis/polyfit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <boost/math/distributions/students_t.hpp>

#include "core/error.h"

namespace effbench {
namespace {

double cubic(double x) { return 2.0 - 3.0 * x + 0.5 * x * x + 0.25 * x * x * x; }

TEST(PolyFit, RecoversKnownCubicExactly) {
  std::vector<double> x, y;
  for (int i = -5; i <= 6; ++i) {
    x.push_back(i);
    y.push_back(cubic(i));
  }
  const PolyFit fit = fit_polynomial(x, y, 3);
  ASSERT_EQ(fit.coefficients.size(), 4u);
  EXPECT_NEAR(fit.coefficients[0], 2.0, 1e-10);
  EXPECT_NEAR(fit.coefficients[1], -3.0, 1e-10);
  EXPECT_NEAR(fit.coefficients[2], 0.5, 1e-10);
  EXPECT_NEAR(fit.coefficients[3], 0.25, 1e-10);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  EXPECT_NEAR(fit.residual_stddev, 0.0, 1e-9);
  EXPECT_NEAR(fit.predict(10.0), cubic(10.0), 1e-8);
}

TEST(PolyFit, YearScaleXKeepsPrecision) {
  // y = 3 + 0.5 (x - 2000)^2 over years: raw normal equations on x^4 ~ 1.6e13
  // would lose most digits; the centred QR fit must not.
  std::vector<double> x, y;
  for (int year = 2010; year <= 2024; ++year) {
    x.push_back(year);
    y.push_back(3 + 0.5 * (year - 2000.0) * (year - 2000.0));
  }
  const PolyFit fit = fit_polynomial(x, y, 2);
  // Expanded: 0.5 x^2 - 2000 x + (3 + 0.5 * 4e6) = 0.5 x^2 - 2000 x + 2000003.
  EXPECT_NEAR(fit.coefficients[2], 0.5, 1e-9);
  EXPECT_NEAR(fit.coefficients[1], -2000.0, 1e-5);
  EXPECT_NEAR(fit.coefficients[0], 2000003.0, 1e-2);
  EXPECT_NEAR(fit.predict(2030), 3 + 0.5 * 900, 1e-9);
  EXPECT_NEAR(fit.x_center, 2017.0, 1e-12);
  EXPECT_NEAR(fit.x_scale, 7.0, 1e-12);
}

TEST(PolyFit, LogYRecoversExponential) {
  // y = 4 * 2^((x - 2012) / 2): ln y = ln 4 + (x - 2012) ln 2 / 2, a line.
  std::vector<double> x, y;
  for (int year = 2012; year <= 2024; year += 2) {
    x.push_back(year);
    y.push_back(4 * std::pow(2.0, (year - 2012) / 2.0));
  }
  const PolyFit fit = fit_polynomial(x, y, 1, /*log_y=*/true);
  EXPECT_NEAR(fit.coefficients[1], std::log(2.0) / 2, 1e-12);
  EXPECT_NEAR(fit.predict(2030), 4 * std::pow(2.0, 9.0), 1e-6);
  const Prediction p = predict_with_interval(fit, 2030);
  EXPECT_TRUE(p.extrapolated);
  EXPECT_NEAR(p.y, 2048, 1e-6);
}

TEST(PolyFit, RSquaredMatchesHandComputation) {
  // Line through (0,0), (1,1), (2,3): least squares slope 1.5, intercept -1/6;
  // fitted -1/6, 4/3, 17/6; residuals 1/6, -1/3, 1/6, SSE = 1/6;
  // mean 4/3, SST = 16/9 + 1/9 + 25/9 = 42/9; R^2 = 1 - (1/6) / (42/9) = 1 - 9/252.
  const PolyFit fit = fit_polynomial({0, 1, 2}, {0, 1, 3}, 1);
  EXPECT_NEAR(fit.coefficients[1], 1.5, 1e-12);
  EXPECT_NEAR(fit.coefficients[0], -1.0 / 6, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1 - 9.0 / 252, 1e-12);
  EXPECT_NEAR(fit.residual_stddev, std::sqrt(1.0 / 6), 1e-12);  // df = 1
}

TEST(PolyFit, PredictionIntervalMatchesTextbookFormulaForLine) {
  // Simple regression: se(pred) = s sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx).
  const std::vector<double> x = {1, 2, 3, 4, 5, 6};
  const std::vector<double> y = {1.1, 1.9, 3.2, 3.8, 5.3, 5.9};
  const PolyFit fit = fit_polynomial(x, y, 1);
  const double xbar = 3.5, sxx = 17.5, x0 = 9;
  const double se = fit.residual_stddev * std::sqrt(1 + 1.0 / 6 + (x0 - xbar) * (x0 - xbar) / sxx);
  const double t = boost::math::quantile(boost::math::students_t(4), 0.975);
  const Prediction p = predict_with_interval(fit, x0, 0.95);
  EXPECT_NEAR(p.upper - p.y, t * se, 1e-10);
  EXPECT_NEAR(p.y - p.lower, t * se, 1e-10);
}

TEST(PolyFit, ChoosesCubicOnNoisySamplesOfACubic) {
  // Noise sd 1 against a cubic whose terms span tens: degree 3 should win for
  // most seeds. Leave-one-out CV never underfits here but is known to overfit
  // now and then (it is not a consistent selector); over 200 seeds this data
  // chose 3 in 92.5% of cases, so 85 of 100 leaves room without hiding a bug.
  int chose_three = 0;
  const int trials = 100;
  for (int seed = 0; seed < trials; ++seed) {
    std::mt19937_64 rng(1234 + seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<double> x, y;
    for (int i = 0; i < 30; ++i) {
      const double xi = -6 + 12.0 * i / 29;
      x.push_back(xi);
      y.push_back(cubic(xi) + noise(rng));
    }
    const AutoFit fit = fit_polynomial_auto(x, y, 6);
    ASSERT_EQ(fit.candidates.size(), 6u);
    if (fit.fit.degree == 3) ++chose_three;
    EXPECT_GE(fit.fit.degree, 3) << "seed " << seed;
    // Underfits are far worse than the truth by CV.
    EXPECT_GT(fit.candidates[1].cv_mse, 5 * fit.candidates[2].cv_mse);
  }
  EXPECT_GE(chose_three, 85);
}

TEST(PolyFit, PredictionIntervalsCoverAtNominalRate) {
  // 1000 seeded trials: fit a quadratic to 15 noisy points, then draw a new
  // observation at an interior and at an extrapolated x; a 95% interval
  // should contain it about 95% of the time (binomial sd ~ 0.007).
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 2.0);
  const auto truth = [](double x) { return 1 + 0.8 * x - 0.05 * x * x; };
  int covered_inside = 0, covered_outside = 0;
  const int trials = 1000;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<double> x, y;
    for (int i = 0; i < 15; ++i) {
      x.push_back(i);
      y.push_back(truth(i) + noise(rng));
    }
    const PolyFit fit = fit_polynomial(x, y, 2);
    const double new_inside = truth(6.5) + noise(rng);
    const double new_outside = truth(18) + noise(rng);
    const Prediction pi = predict_with_interval(fit, 6.5);
    const Prediction po = predict_with_interval(fit, 18);
    if (pi.lower <= new_inside && new_inside <= pi.upper) ++covered_inside;
    if (po.lower <= new_outside && new_outside <= po.upper) ++covered_outside;
  }
  EXPECT_GE(covered_inside / double(trials), 0.93);
  EXPECT_LE(covered_inside / double(trials), 0.97);
  EXPECT_GE(covered_outside / double(trials), 0.93);
  EXPECT_LE(covered_outside / double(trials), 0.97);
}

TEST(PolyFit, LeaveOneOutOfALineIsHandComputable) {
  // Points exactly on a line predict each other exactly.
  const DegreeScore clean = loocv_score({0, 1, 2, 3}, {0, 1, 2, 3}, 1);
  EXPECT_NEAR(clean.cv_mse, 0.0, 1e-20);
  // Degree 0 on (0,0),(1,2),(2,4): leave-one-out means 3, 2, 1 against
  // 0, 2, 4: errors 9, 0, 9 -> mse 6.
  const DegreeScore constant = loocv_score({0, 1, 2}, {0, 2, 4}, 0);
  EXPECT_NEAR(constant.cv_mse, 6.0, 1e-12);
}

// Note [Leave-one-out without refitting]: the PRESS shortcut against n
// explicit refits by fit_polynomial on the points left in.
TEST(PolyFit, LeaveOneOutMatchesExplicitRefits) {
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) {
    x.push_back(2000 + i / 2);  // pairs of equal x: leaving one out keeps every x
    y.push_back(1 + 0.5 * i + 0.03 * i * i + ((i * 7) % 5 - 2) * 0.4);
  }
  for (const bool log_y : {false, true}) {
    for (int degree = 1; degree <= 3; ++degree) {
      double sum = 0;
      for (size_t out = 0; out < x.size(); ++out) {
        std::vector<double> xs, ys;
        for (size_t i = 0; i < x.size(); ++i) {
          if (i == out) continue;
          xs.push_back(x[i]);
          ys.push_back(y[i]);
        }
        const PolyFit fit = fit_polynomial(xs, ys, degree, log_y);
        const double predicted = log_y ? std::log(fit.predict(x[out])) : fit.predict(x[out]);
        const double actual = log_y ? std::log(y[out]) : y[out];
        sum += (predicted - actual) * (predicted - actual);
      }
      const double refit_mse = sum / static_cast<double>(x.size());
      EXPECT_NEAR(loocv_score(x, y, degree, log_y).cv_mse, refit_mse, 1e-9 * refit_mse)
          << "degree " << degree << (log_y ? ", log y" : "");
    }
  }
}

TEST(PolyFit, RejectsBadInputWithTheOffendingValue) {
  try {
    fit_polynomial({1, 2, 3}, {1, 2, 3}, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs at least 4 points"), std::string::npos) << e.what();
  }
  try {
    fit_polynomial({1, 2, 3, 4}, {1, -2, 3, 4}, 1, /*log_y=*/true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("y[1] = -2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(fit_polynomial({1, 1, 1, 2}, {1, 2, 3, 4}, 2), Error);  // 2 distinct x
  EXPECT_THROW(fit_polynomial({1, 2}, {1, 2, 3}, 0), Error);
  EXPECT_THROW(fit_polynomial_auto({1, 1, 2, 2}, {1, 2, 3, 4}, 3), Error);
}

TEST(PolyFit, MaxDegreeIsBoundedByTheData) {
  EXPECT_EQ(max_cv_degree({1, 2, 3, 4, 5}, 10), 3);
  EXPECT_EQ(max_cv_degree({1, 2, 3, 4, 5}, 2), 2);
  EXPECT_EQ(max_cv_degree({1, 1, 2, 2, 3, 3}, 10), 1);
}

}  // namespace
}  // namespace effbench
