// Note [Calibrated GPU projection], against figures worked out by hand, and
// the shipped table's leave-one-out error.

#include "analysis/gpu_projection.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "core/error.h"

namespace effbench {
namespace {

const std::string kHeader =
    "gpu_id,model,input,mode,precision,batch,samples_per_s,forward_gmacs_per_sample,source,quote,notes\n";

std::vector<PublishedThroughput> published(const std::string& rows) {
  return parse_published_throughputs(parse_csv(kHeader + rows, "fixture.csv"), default_catalog());
}

CaseRecord cpu_case(Mode mode, double samples_per_s, double step_flops) {
  CaseRecord c;
  c.model = "conv6";
  c.device = Device::parse("cpu", "test");
  c.mode = mode;
  c.batch = 64;
  c.step_flops_per_sample = step_flops;
  ThroughputSummary t;
  t.median = samples_per_s;
  c.throughput = t;
  return c;
}

// Two T4 training rows of ResNet-50 (4.09 GMACs, step 3 x 2 x 4.09e9 = 24.54 GFLOP):
// 250/s at amp-fp16 (peak 65 TFLOP/s): e = 250 x 24.54e9 / 65e12 = 0.0943846;
// 80/s at fp32 (peak 8.1): e = 80 x 24.54e9 / 8.1e12 = 0.2423704.
// A cpu fp32 case of 1 GFLOP per step at 200/s runs at fp32 on a T4 (no TF32):
// bound 8.1e12 / 1e9 = 8100/s, so 3.8226x to 9.8160x before widening. Left
// out, each row is predicted from the other alone, missing by the factor
// f = 0.2423704 / 0.0943846 = 2.5679012; the interval becomes 1.48860x to
// 25.2065x, and TDP 70 W over 0.2423704 x f x 8100 and 0.0943846 / f x 8100
// samples/s gives 0.0138853 to 0.235120 J.
TEST(GpuProjection, TransfersTheEfficienciesOfPublishedRows) {
  const auto rows = published(
      "t4,resnet50,3x224x224,train,amp-fp16,256,250,4.09,src A,q,\n"
      "t4,resnet50,3x224x224,train,fp32,128,80,4.09,src B,q,\n");
  const auto table =
      project_gpu_speedups({cpu_case(Mode::kTrain, 200, 1e9)}, {"t4"}, default_catalog(), rows);
  ASSERT_EQ(table.rows.size(), 1u);
  const ProjectedSpeedup& cell = table.rows[0].cells.at(0);
  EXPECT_FALSE(cell.bound_only);
  EXPECT_NEAR(*cell.low_x, 1.488600, 1e-5);
  EXPECT_NEAR(*cell.high_x, 25.20652, 1e-4);
  EXPECT_NEAR(*cell.joules_per_sample_low, 0.0138853, 1e-6);
  EXPECT_NEAR(*cell.joules_per_sample_high, 0.235120, 1e-5);
  EXPECT_NE(cell.basis.find("2 published training rows of NVIDIA T4 at any precision"), std::string::npos)
      << cell.basis;
  EXPECT_NE(cell.power_basis.find("upper bound"), std::string::npos);
}

TEST(GpuProjection, WithoutRowsOfTheModeOnlyTheRooflineBoundIsGiven) {
  const auto rows = published(
      "t4,resnet50,3x224x224,train,amp-fp16,256,250,4.09,src A,q,\n"
      "t4,resnet50,3x224x224,train,fp32,128,80,4.09,src B,q,\n");
  // Inference: no row in the mode. L4 has a TF32 peak (60 TFLOP/s): 60e12 / 2e9 / 100 = 300x at most.
  const auto table =
      project_gpu_speedups({cpu_case(Mode::kInfer, 100, 2e9)}, {"l4"}, default_catalog(), rows);
  const ProjectedSpeedup& cell = table.rows.at(0).cells.at(0);
  EXPECT_TRUE(cell.bound_only);
  EXPECT_FALSE(cell.low_x);
  EXPECT_NEAR(*cell.high_x, 300.0, 1e-9);
  EXPECT_NE(cell.basis.find("roofline bound at the tf32 peak"), std::string::npos) << cell.basis;
}

TEST(GpuProjection, TooFewRowsOfAGpuArePooledOverGpus) {
  // One L4 row is no range; the other GPUs' rows are pooled: at fp16, the
  // one T4 amp-fp16 row (pooled, one row of the family is enough); at tf32,
  // which no row has, every other GPU's row.
  const auto rows = published(
      "t4,resnet50,3x224x224,train,amp-fp16,256,250,4.09,src A,q,\n"
      "t4,resnet50,3x224x224,train,fp32,128,80,4.09,src B,q,\n"
      "l4,resnet50,3x224x224,train,amp-fp16,256,400,4.09,src C,q,\n");
  const auto fp16 = efficiency_range(rows, default_catalog(), "l4", Mode::kTrain, "fp16");
  ASSERT_TRUE(fp16);
  EXPECT_TRUE(fp16->pooled);
  EXPECT_EQ(fp16->rows, 2);  // the T4 and L4 amp-fp16 rows
  // L4 amp-fp16 peak 121: 400 x 24.54e9 / 121e12 = 0.0811240.
  EXPECT_NEAR(fp16->low, 0.0811240, 1e-6);
  EXPECT_NEAR(fp16->high, 0.0943846, 1e-6);
  const auto tf32 = efficiency_range(rows, default_catalog(), "l4", Mode::kTrain, "tf32");
  ASSERT_TRUE(tf32);
  EXPECT_EQ(tf32->rows, 3);
  EXPECT_NEAR(tf32->low, 0.0811240, 1e-6);
  EXPECT_NEAR(tf32->high, 0.2423704, 1e-6);
  EXPECT_FALSE(efficiency_range(rows, default_catalog(), "l4", Mode::kInfer, "tf32"));
}

TEST(GpuProjection, BadRowsAndTargetsAreNamed) {
  const auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([] {
              published("tpu-v4,resnet50,3x224x224,train,bf16,1,1,4.09,s,q,\n");
            }).find("fixture.csv:2: column 'gpu_id': 'tpu-v4' is not the id of a GPU"),
            std::string::npos);
  EXPECT_NE(message([] { published("t4,resnet50,3x224x224,fit,fp32,1,1,4.09,s,q,\n"); }).find("'fit'"),
            std::string::npos);
  EXPECT_NE(message([] {
              published("t4,resnet50,3x224x224,train,fp32,1,-3,4.09,s,q,\n");
            }).find("column 'samples_per_s': expected a positive number but got '-3'"),
            std::string::npos);
  EXPECT_NE(message([] { published("t4,resnet50,3x224x224,train,fp32,1,3,4.09,,q,\n"); }).find("source"),
            std::string::npos);
  EXPECT_NE(message([] {
              project_gpu_speedups({}, {"tpu-v4"}, default_catalog(), {});
            }).find("'tpu-v4' is a tpu, not a GPU"),
            std::string::npos);
}

// The method against what was published: every shipped row predicted from
// the others. The figures are printed for the closing note and docs; the
// test fails when the method or the table breaks so that predictions stray
// by more than a factor of 4 in the median.
TEST(GpuProjection, LeaveOneOutOverTheShippedTable) {
  const auto rows = load_published_throughputs(default_published_throughput_path(), default_catalog());
  ASSERT_GE(rows.size(), 8u);
  const CalibrationError error = leave_one_out_calibration(rows, default_catalog());
  std::printf(
      "leave-one-out over %d of %zu published rows: median factor %.3f, worst %.3f, %.0f%% inside the "
      "interval, %.0f%% inside it widened\n",
      error.rows, rows.size(), error.median_factor, error.worst_factor, 100 * error.share_inside_interval,
      100 * error.share_inside_widened);
  ASSERT_GT(error.rows, 0);
  EXPECT_LT(error.median_factor, 4.0);
}

// Hand check of the leave-one-out rule: three fp32 training rows of a model
// of 1 GMAC (6 GFLOP per step) on GPUs without TF32, at efficiencies 0.2
// (T4, 270/s of 8.1 TFLOP/s), 0.3 (V100 SXM2, 785/s of 15.7) and 0.4 (P100
// PCIe, 620/s of 9.3). Each is predicted from the other two (no other row
// of its GPU): T4 by sqrt(0.3 x 0.4) = 0.34641 (factor 1.73205, outside),
// V100 by sqrt(0.2 x 0.4) = 0.28284 (1.06066, inside), P100 by
// sqrt(0.2 x 0.3) = 0.24495 (1.63299, outside). Widened by the median
// 1.63299, all three intervals hold their row.
TEST(GpuProjection, LeaveOneOutByHand) {
  const auto rows = published(
      "t4,m,3x32x32,train,fp32,1,270,1,s,q,\n"
      "v100-sxm2-16gb,m,3x32x32,train,fp32,1,785,1,s,q,\n"
      "p100-pcie-16gb,m,3x32x32,train,fp32,1,620,1,s,q,\n");
  const CalibrationError error = leave_one_out_calibration(rows, default_catalog());
  EXPECT_EQ(error.rows, 3);
  EXPECT_NEAR(error.median_factor, 1.632993, 1e-5);
  EXPECT_NEAR(error.worst_factor, 1.732051, 1e-5);
  EXPECT_NEAR(error.share_inside_interval, 1.0 / 3, 1e-12);
  EXPECT_NEAR(error.share_inside_widened, 1.0, 1e-12);
}

// Rows measured alike (same GPU, mode and precision) leave together: two
// near-repeats cannot predict each other.
TEST(GpuProjection, NearRepeatsAreLeftOutTogether) {
  const auto rows = published(
      "t4,m,3x32x32,train,fp32,1,270,1,s,q,\n"
      "t4,m,3x32x32,train,fp32,1,271,1,s,q,\n");
  EXPECT_EQ(leave_one_out_calibration(rows, default_catalog()).rows, 0);
}

}  // namespace
}  // namespace effbench
