#include "analysis/batch_sweep.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

CaseRecord sweep_case(int64_t batch, double samples_per_s, std::optional<int64_t> peak_rss = std::nullopt) {
  CaseRecord c;
  c.model = "conv6";
  c.device = Device::parse("cpu", "test");
  c.mode = Mode::kTrain;
  c.batch = batch;
  c.throughput = ThroughputSummary{};
  c.throughput->median = samples_per_s;
  c.memory.peak_rss_bytes = peak_rss;
  return c;
}

TEST(BatchSweep, CurvesAreGroupsAtSeveralBatchesWithTheirBest) {
  CaseRecord failed = sweep_case(64, 0);
  failed.status = CaseStatus::kFailed;
  failed.throughput.reset();
  CaseRecord other_precision = sweep_case(8, 400);
  other_precision.precision = Precision::kBf16;  // a curve of one batch: not a sweep
  const std::vector<CaseRecord> cases = {sweep_case(32, 100), sweep_case(8, 50), other_precision, failed,
                                         sweep_case(16, 120)};
  const std::vector<BatchCurve> curves = batch_curves(cases);
  ASSERT_EQ(curves.size(), 1u);
  ASSERT_EQ(curves[0].points.size(), 3u);
  EXPECT_EQ(curves[0].points[0].batch, 8);
  EXPECT_EQ(curves[0].points[1].batch, 16);
  EXPECT_EQ(curves[0].points[2].batch, 32);
  EXPECT_EQ(curves[0].best.batch, 16);
  EXPECT_DOUBLE_EQ(curves[0].best.samples_per_s, 120);
  EXPECT_EQ(curves[0].precision, Precision::kFp32);
}

TEST(BatchSweep, StopsAfterAFailureOrPastThePeak) {
  EXPECT_FALSE(sweep_stop_reason({}, 8, std::nullopt));
  CaseRecord failed = sweep_case(64, 0);
  failed.status = CaseStatus::kFailed;
  failed.error = "out of memory";
  const auto after_failure = sweep_stop_reason({sweep_case(32, 100), failed}, 128, std::nullopt);
  ASSERT_TRUE(after_failure);
  EXPECT_NE(after_failure->find("batch 64 did not finish (out of memory)"), std::string::npos)
      << *after_failure;
  // Best 200; 95% of it is 190: 180 and 150 are both below.
  const auto past_peak = sweep_stop_reason(
      {sweep_case(8, 100), sweep_case(16, 200), sweep_case(32, 180), sweep_case(64, 150)}, 128, std::nullopt);
  ASSERT_TRUE(past_peak);
  EXPECT_NE(past_peak->find("past the peak"), std::string::npos);
  // 195 is within 5% of the best: one batch below is not enough.
  EXPECT_FALSE(
      sweep_stop_reason({sweep_case(8, 100), sweep_case(16, 200), sweep_case(32, 195), sweep_case(64, 150)},
                        128, std::nullopt));
}

TEST(BatchSweep, StopsBeforeABatchThatWouldNotFitInMemory) {
  constexpr int64_t kMiB = 1024 * 1024;
  // 1024 MiB at batch 8, 1536 MiB at 16: 64 MiB per sample; batch 32 needs 1536 + 16 x 64 = 2560 MiB.
  const std::vector<CaseRecord> earlier = {sweep_case(8, 100, 1024 * kMiB), sweep_case(16, 150, 1536 * kMiB)};
  const auto tight = sweep_stop_reason(earlier, 32, 3072 * kMiB);  // 80% of 3072 = 2457.6 < 2560
  ASSERT_TRUE(tight);
  EXPECT_NE(tight->find("batch 32 would need about 2.50 GiB"), std::string::npos) << *tight;
  EXPECT_FALSE(sweep_stop_reason(earlier, 32, 3200 * kMiB));  // 80% of 3200 = 2560: fits
}

}  // namespace
}  // namespace effbench
