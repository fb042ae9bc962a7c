#include "core/stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace effbench {
namespace {

TEST(Quantile, MatchesNumpyLinearInterpolation) {
  // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.9]) = [1.75, 2.5, 3.7]
  const std::vector<double> values = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile(values, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile(values, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile(values, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(quantile(values, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(values, 1.0), 4.0);
}

TEST(Quantile, RejectsEmptySampleAndBadQ) {
  EXPECT_THROW(quantile({}, 0.5), Error);
  EXPECT_THROW(quantile({1.0}, 1.5), Error);
}

TEST(Summarize, HandComputedSample) {
  // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
  const SampleSummary s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.count, 8);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_DOUBLE_EQ(s.min, 2.0);
  EXPECT_DOUBLE_EQ(s.max, 9.0);
  // q25 at position 1.75 -> 4; q75 at position 5.25 -> 5 + 0.25 * 2 = 5.5.
  EXPECT_DOUBLE_EQ(s.iqr, 1.5);
  EXPECT_NEAR(s.stddev, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_NEAR(s.cv, std::sqrt(32.0 / 7.0) / 5.0, 1e-12);
}

TEST(Summarize, SingleValueHasZeroSpread) {
  const SampleSummary s = summarize({3.0});
  EXPECT_EQ(s.median, 3.0);
  EXPECT_EQ(s.iqr, 0.0);
  EXPECT_EQ(s.cv, 0.0);
}

TEST(MeanHalfWidth, StudentTIntervalOfTheMean) {
  // 1..5: stddev sqrt(2.5), t(0.975, 4) = 2.7764451 (tables).
  EXPECT_NEAR(mean_half_width_95({1, 2, 3, 4, 5}), 2.7764451 * std::sqrt(2.5) / std::sqrt(5.0), 1e-6);
  EXPECT_DOUBLE_EQ(mean_half_width_95({7}), 0.0);
  EXPECT_DOUBLE_EQ(mean_half_width_95({}), 0.0);
}

}  // namespace
}  // namespace effbench
