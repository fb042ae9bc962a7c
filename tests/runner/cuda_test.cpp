// The CUDA paths of the runner, on a real GPU: every execution mode against
// eager, the caching allocator's peaks, autocast on CUDA, CUDA-graph
// training. Skipped where no CUDA device is available; the GPU machine's run
// (bench/gpu_machine.sh) runs them, and CI compiles them in the CUDA variant.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "runner/benchmark.h"
#include "runner/precision.h"
#include "runner_test_support.h"

namespace effbench {
namespace {

#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device"

BenchmarkOptions quick_cuda(Mode mode) {
  BenchmarkOptions options;
  options.models = {"conv6"};
  options.devices = {"cuda:0"};
  options.modes = {mode};
  return testing_support::quick_windows(options);
}

TEST(Cuda, EveryInferenceModeMatchesEagerAndRecordsAllocatorPeaks) {
  SKIP_WITHOUT_CUDA();
  BenchmarkOptions options = quick_cuda(Mode::kInfer);
  options.execs = {Exec::kEager, Exec::kFused, Exec::kGraph};
  const auto cases = plan_cases(options);
  ASSERT_EQ(cases.size(), 3u);
  for (const CaseSpec& spec : cases) {
    // fused and graph outputs are compared with eager before timing; a
    // mismatch fails the case (Note [Fused inference], Note [CUDA graph mode]).
    const CaseRecord record = run_case(spec, options);
    ASSERT_EQ(record.status, CaseStatus::kOk) << to_string(spec.exec) << ": " << record.error;
    ASSERT_TRUE(record.throughput.has_value()) << to_string(spec.exec);
    EXPECT_GT(record.throughput->median, 0.0) << spec.exec;
    ASSERT_TRUE(record.latency_ms.has_value()) << spec.exec;
    // The weights alone are params x 4 bytes (fp32) on the device.
    ASSERT_TRUE(record.memory.cuda_peak_allocated_bytes.has_value()) << spec.exec;
    EXPECT_GE(*record.memory.cuda_peak_allocated_bytes, record.params * 4) << spec.exec;
    ASSERT_TRUE(record.memory.cuda_peak_reserved_bytes.has_value()) << spec.exec;
    EXPECT_GE(*record.memory.cuda_peak_reserved_bytes, *record.memory.cuda_peak_allocated_bytes) << spec.exec;
  }
}

TEST(Cuda, GraphTrainingAndAutocastTrainingRun) {
  SKIP_WITHOUT_CUDA();
  BenchmarkOptions graph = quick_cuda(Mode::kTrain);
  graph.execs = {Exec::kGraph};
  const CaseRecord graph_record = run_case(plan_cases(graph).at(0), graph);
  EXPECT_EQ(graph_record.status, CaseStatus::kOk) << graph_record.error;

  for (const std::string precision : {"tf32", "bf16", "fp16"}) {
    BenchmarkOptions options = quick_cuda(Mode::kTrain);
    options.precisions = {parse_word<Precision>(precision, "test")};
    options.channels_last = true;
    const CaseRecord record = run_case(plan_cases(options).at(0), options);
    EXPECT_EQ(record.status, CaseStatus::kOk) << precision << ": " << record.error;
    EXPECT_EQ(to_string(record.precision), precision);
  }
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CUDA));
}

TEST(Cuda, Bf16AutocastConvolutionOnCudaAndRestoresState) {
  SKIP_WITHOUT_CUDA();
  const torch::Device cuda("cuda:0");
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 8, 3));
  conv->to(cuda);
  const torch::Tensor input = torch::randn({2, 3, 8, 8}, cuda);
  {
    const AutocastGuard autocast(c10::DeviceType::CUDA, at::kBFloat16);
    EXPECT_EQ(conv->forward(input).scalar_type(), at::kBFloat16);
  }
  EXPECT_EQ(conv->forward(input).scalar_type(), at::kFloat);
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CUDA));
}

}  // namespace
}  // namespace effbench
