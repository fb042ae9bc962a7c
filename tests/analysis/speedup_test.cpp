#include "analysis/speedup.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

CaseRecord make_case(const std::string& model, const std::string& device, const std::string& mode,
                     double median, std::vector<int64_t> shape = {3, 32, 32}, double step_flops = 1e9) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test case");
  c.mode = parse_word<Mode>(mode, "test");
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
  const SpeedupTable table = speedup_table(cases, Mode::kTrain);
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
  const SpeedupTable table = speedup_table(cases, Mode::kTrain);
  EXPECT_DOUBLE_EQ(*table.cell("cyclegan", "cuda:0")->speedup, 40.0);
  EXPECT_TRUE(table.cell("cyclegan", "cuda:0")->flops_normalised);
}

TEST(Speedup, FailedOrMissingCasesLeaveEmptyCells) {
  CaseRecord failed = make_case("vgg16", "cuda:0", "train", 50);
  failed.status = CaseStatus::kFailed;
  const std::vector<CaseRecord> cases = {make_case("vgg16", "cpu", "train", 10), failed,
                                         make_case("resnet18", "cuda:0", "train", 10)};
  const SpeedupTable table = speedup_table(cases, Mode::kTrain);
  EXPECT_FALSE(table.cell("vgg16", "cuda:0")->speedup.has_value());
  EXPECT_FALSE(table.cell("resnet18", "cuda:0")->speedup.has_value());  // no cpu baseline
  EXPECT_FALSE(table.cell("resnet18", "cpu")->speedup.has_value());
}

// Note [What a speedup compares]: a row per (model, exec, precision); the
// graph row has no cpu baseline (graph needs CUDA), so no speedup, rather
// than the cuda graph figure over the cpu eager one (3000 / 100 = 30x).
TEST(Speedup, RowsCompareTheSameExecModeAndPrecision) {
  auto with = [](CaseRecord c, const std::string& exec, const std::string& precision) {
    c.exec = parse_word<Exec>(exec, "test");
    c.precision = parse_word<Precision>(precision, "test");
    return c;
  };
  const std::vector<CaseRecord> cases = {
      with(make_case("conv6", "cpu", "infer", 100), "eager", "fp32"),
      with(make_case("conv6", "cpu", "infer", 150), "fused", "fp32"),
      with(make_case("conv6", "cuda:0", "infer", 1000), "eager", "fp32"),
      with(make_case("conv6", "cuda:0", "infer", 1200), "fused", "fp32"),
      with(make_case("conv6", "cuda:0", "infer", 3000), "graph", "fp32"),
      with(make_case("conv6", "cuda:0", "infer", 2000), "eager", "bf16"),
  };
  const SpeedupTable table = speedup_table(cases, Mode::kInfer);
  ASSERT_EQ(table.rows.size(), 5u);  // four like-with-like rows, then best vs best
  EXPECT_EQ(table.models, (std::vector<std::string>{"conv6"}));
  EXPECT_EQ(table.rows[1].exec, Exec::kFused);
  EXPECT_DOUBLE_EQ(*table.cell("conv6", "cuda:0", Exec::kEager, Precision::kFp32)->speedup,
                   10.0);  // 1000 / 100
  EXPECT_DOUBLE_EQ(*table.cell("conv6", "cuda:0", Exec::kFused, Precision::kFp32)->speedup,
                   8.0);  // 1200 / 150
  EXPECT_FALSE(table.cell("conv6", "cuda:0", Exec::kGraph, Precision::kFp32)->speedup.has_value());
  EXPECT_FALSE(table.cell("conv6", "cuda:0", Exec::kEager, Precision::kBf16)->speedup.has_value());
  EXPECT_EQ(table.cell("conv6", "cuda:0", Exec::kGraph, Precision::kBf16), nullptr);
  // Best vs best: cuda's fastest (graph, 3000) over the cpu's fastest (fused, 150) = 20x.
  const SpeedupRow& best = table.rows.back();
  EXPECT_TRUE(best.best);
  ASSERT_EQ(table.devices, (std::vector<std::string>{"cpu", "cuda:0"}));
  EXPECT_DOUBLE_EQ(*best.cells[0].speedup, 1.0);
  EXPECT_DOUBLE_EQ(*best.cells[1].speedup, 20.0);
}

TEST(Speedup, NoBestRowWhenAModelRanOneWay) {
  const std::vector<CaseRecord> cases = {make_case("conv6", "cpu", "infer", 100),
                                         make_case("conv6", "cuda:0", "infer", 1000)};
  const SpeedupTable table = speedup_table(cases, Mode::kInfer);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_FALSE(table.rows[0].best);
}

}  // namespace
}  // namespace effbench
