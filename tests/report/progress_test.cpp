#include "report/progress.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

TEST(ProgressEstimate, TimeLeftIsTheRateSinceTheFirstReport) {
  ProgressEstimate progress;
  EXPECT_EQ(progress.text(false), "0%");
  progress.report(10.0, 0.0);  // warm-up took 10 s: not extrapolated
  EXPECT_FALSE(progress.left_s());
  EXPECT_EQ(progress.text(false), "0%");
  progress.report(14.0, 0.2);  // 0.2 in 4 s: 0.8 left takes 16 s
  ASSERT_TRUE(progress.left_s());
  EXPECT_DOUBLE_EQ(*progress.left_s(), 16.0);
  EXPECT_EQ(progress.text(false), "20%, about 16 s left");
  progress.report(22.0, 0.6);  // 0.6 in 12 s: 0.4 left takes 8 s
  EXPECT_DOUBLE_EQ(*progress.left_s(), 8.0);
  EXPECT_EQ(progress.text(true), "60%, at most 8 s left");
  progress.report(30.0, 1.5);  // clamped to done
  EXPECT_EQ(progress.text(false), "100%, about 0 s left");
}

TEST(ProgressEstimate, RoughDurations) {
  EXPECT_EQ(rough_duration(0.4), "0 s");
  EXPECT_EQ(rough_duration(59.4), "59 s");
  EXPECT_EQ(rough_duration(89), "1 min");
  EXPECT_EQ(rough_duration(90), "2 min");
  EXPECT_EQ(rough_duration(3600 + 5 * 60), "1 h 05 min");
  EXPECT_EQ(rough_duration(-3), "0 s");
}

}  // namespace
}  // namespace effbench
