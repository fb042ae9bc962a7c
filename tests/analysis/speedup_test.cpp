#include "analysis/speedup.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

CaseRecord make_case(const std::string& model, const std::string& device, const std::string& mode,
                     double median, std::vector<int64_t> shape = {3, 32, 32}, double step_flops = 1e9) {
  CaseRecord c;
  c.model = model;
  c.device = device;
  c.mode = mode;
  c.input_shape = std::move(shape);
  c.step_flops_per_sample = step_flops;
  c.throughput = ThroughputSummary{};
  c.throughput->median = median;
  return c;
}

TEST(Speedup, RatioOfMedianThroughputsOverCpu) {
  const std::vector<CaseRecord> cases = {
      make_case("conv6", "cpu", "train", 100), make_case("conv6", "cuda:0", "train", 24600),
      make_case("conv6", "cpu", "infer", 400),  // other mode: ignored
  };
  const SpeedupTable table = speedup_table(cases, "train");
  ASSERT_EQ(table.devices, (std::vector<std::string>{"cpu", "cuda:0"}));
  EXPECT_DOUBLE_EQ(*table.cell("conv6", "cpu")->speedup, 1.0);
  EXPECT_DOUBLE_EQ(*table.cell("conv6", "cuda:0")->speedup, 246.0);  // 24600 / 100
  EXPECT_FALSE(table.cell("conv6", "cuda:0")->flops_normalised);
}

TEST(Speedup, DifferentInputSizesCompareAchievedFlops) {
  // cpu: 2 samples/s at 64x64 (1 GFLOP/sample) = 2 GFLOP/s;
  // gpu: 5 samples/s at 256x256 (16 GFLOP/sample) = 80 GFLOP/s -> 40x.
  const std::vector<CaseRecord> cases = {
      make_case("cyclegan", "cpu", "train", 2, {3, 64, 64}, 1e9),
      make_case("cyclegan", "cuda:0", "train", 5, {3, 256, 256}, 16e9),
  };
  const SpeedupTable table = speedup_table(cases, "train");
  EXPECT_DOUBLE_EQ(*table.cell("cyclegan", "cuda:0")->speedup, 40.0);
  EXPECT_TRUE(table.cell("cyclegan", "cuda:0")->flops_normalised);
}

TEST(Speedup, FailedOrMissingCasesLeaveEmptyCells) {
  CaseRecord failed = make_case("vgg16", "cuda:0", "train", 50);
  failed.status = "failed";
  const std::vector<CaseRecord> cases = {make_case("vgg16", "cpu", "train", 10), failed,
                                         make_case("resnet18", "cuda:0", "train", 10)};
  const SpeedupTable table = speedup_table(cases, "train");
  EXPECT_FALSE(table.cell("vgg16", "cuda:0")->speedup.has_value());
  EXPECT_FALSE(table.cell("resnet18", "cuda:0")->speedup.has_value());  // no cpu baseline
  EXPECT_FALSE(table.cell("resnet18", "cpu")->speedup.has_value());
}

}  // namespace
}  // namespace effbench
