// Precision and execution modes on the cpu: dynamic loss scaling on
// constructed gradients, the autocast guard, fused inference against eager,
// and the modes plan_cases refuses.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/system_info.h"
#include "models/loss_scaler.h"
#include "models/model.h"
#include "runner/benchmark.h"
#include "runner/devices.h"
#include "runner/execution.h"
#include "runner/precision.h"
#include "runner_test_support.h"

namespace effbench {
namespace {

// A parameter with a hand-set gradient.
torch::Tensor parameter_with_grad(std::vector<float> values, std::vector<float> grad) {
  torch::Tensor p = torch::tensor(values).requires_grad_(true);
  p.mutable_grad() = torch::tensor(grad);
  return p;
}

std::vector<float> values_of(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

TEST(LossScaler, ScalesTheLossBy_TheCurrentScale) {
  DynamicLossScaler scaler(LossScalerOptions{8.0, 2.0, 0.5, 2});
  EXPECT_DOUBLE_EQ(scaler.scale_loss(torch::tensor(3.0)).item<double>(), 24.0);
}

TEST(LossScaler, UnscalesAndStepsOnFiniteGradients) {
  DynamicLossScaler scaler(LossScalerOptions{8.0, 2.0, 0.5, 2});
  torch::Tensor p = parameter_with_grad({1, 2}, {16, 32});
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(1.0));
  EXPECT_TRUE(scaler.step(sgd));
  // grad / 8 = {2, 4}; p - 1.0 * grad = {-1, -2}.
  EXPECT_EQ(values_of(p.grad()), (std::vector<float>{2, 4}));
  EXPECT_EQ(values_of(p), (std::vector<float>{-1, -2}));
  EXPECT_EQ(scaler.skipped_steps(), 0);
}

TEST(LossScaler, GrowsAfterTheIntervalOfGoodSteps) {
  DynamicLossScaler scaler(LossScalerOptions{8.0, 2.0, 0.5, 3});
  torch::Tensor p = parameter_with_grad({0}, {8});
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(0.0));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(scaler.step(sgd));
    scaler.update();
    EXPECT_DOUBLE_EQ(scaler.scale(), 8.0);
    EXPECT_EQ(scaler.good_steps(), i + 1);
    p.mutable_grad() = torch::tensor({8.0f});
  }
  ASSERT_TRUE(scaler.step(sgd));
  scaler.update();  // third good step: 8 * 2
  EXPECT_DOUBLE_EQ(scaler.scale(), 16.0);
  EXPECT_EQ(scaler.good_steps(), 0);
}

TEST(LossScaler, SkipsTheStepAndBacksOffOnInfinity) {
  DynamicLossScaler scaler(LossScalerOptions{1024.0, 2.0, 0.5, 2});
  torch::Tensor p = parameter_with_grad({1, 2}, {std::numeric_limits<float>::infinity(), 4});
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(1.0).momentum(0.9));
  EXPECT_FALSE(scaler.step(sgd));
  scaler.update();
  EXPECT_EQ(values_of(p), (std::vector<float>{1, 2}));  // untouched
  EXPECT_DOUBLE_EQ(scaler.scale(), 512.0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  // The optimiser never stepped, so it has no momentum state yet.
  EXPECT_TRUE(sgd.state().empty());
}

TEST(LossScaler, SkipsTheStepOnNaNAndResetsTheGoodStepCount) {
  DynamicLossScaler scaler(LossScalerOptions{64.0, 2.0, 0.5, 2});
  torch::Tensor p = parameter_with_grad({5}, {64});
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(1.0));
  ASSERT_TRUE(scaler.step(sgd));  // p = 5 - 64 / 64 = 4
  scaler.update();
  EXPECT_EQ(scaler.good_steps(), 1);
  p.mutable_grad() = torch::tensor({std::nanf("")});
  EXPECT_FALSE(scaler.step(sgd));
  scaler.update();
  EXPECT_EQ(values_of(p), (std::vector<float>{4}));
  EXPECT_DOUBLE_EQ(scaler.scale(), 32.0);
  EXPECT_EQ(scaler.good_steps(), 0);
  // Two good steps from here grow it back to 64.
  for (int i = 0; i < 2; ++i) {
    p.mutable_grad() = torch::tensor({32.0f});
    ASSERT_TRUE(scaler.step(sgd));
    scaler.update();
  }
  EXPECT_DOUBLE_EQ(scaler.scale(), 64.0);
  EXPECT_EQ(values_of(p), (std::vector<float>{2}));  // 4 - 1 - 1
}

TEST(LossScaler, OneOverflowInAnyOptimiserBacksOffOnce) {
  DynamicLossScaler scaler(LossScalerOptions{16.0, 2.0, 0.5, 2});
  torch::Tensor a = parameter_with_grad({1}, {16});
  torch::Tensor b = parameter_with_grad({1}, {std::numeric_limits<float>::infinity()});
  torch::optim::SGD sgd_a({a}, torch::optim::SGDOptions(1.0));
  torch::optim::SGD sgd_b({b}, torch::optim::SGDOptions(1.0));
  EXPECT_TRUE(scaler.step(sgd_a));
  EXPECT_FALSE(scaler.step(sgd_b));
  scaler.update();
  EXPECT_DOUBLE_EQ(scaler.scale(), 8.0);
  EXPECT_EQ(values_of(a), (std::vector<float>{0}));
  EXPECT_EQ(values_of(b), (std::vector<float>{1}));
}

TEST(LossScaler, RejectsInvalidOptions) {
  EXPECT_THROW(DynamicLossScaler(LossScalerOptions{0.0, 2.0, 0.5, 2}), Error);
  EXPECT_THROW(DynamicLossScaler(LossScalerOptions{8.0, 1.0, 0.5, 2}), Error);
  EXPECT_THROW(DynamicLossScaler(LossScalerOptions{8.0, 2.0, 1.0, 2}), Error);
  EXPECT_THROW(DynamicLossScaler(LossScalerOptions{8.0, 2.0, 0.5, 0}), Error);
}

// Scaling by a power of two and unscaling is exact in binary floating point,
// so a scaled fp32 training step must equal the unscaled one.
TEST(LossScaler, ClassifierStepEqualsTheUnscaledStep) {
  const ModelEntry entry = find_model("conv6");  // a copy: GCC 14 warns of a dangling reference
  torch::manual_seed(3);
  std::unique_ptr<Model> plain = entry.create(entry.default_config);
  torch::manual_seed(3);
  std::unique_ptr<Model> scaled = entry.create(entry.default_config);
  TrainOptions scaled_options;
  scaled_options.loss_scaler = std::make_shared<DynamicLossScaler>(LossScalerOptions{1024.0, 2.0, 0.5, 100});
  auto plain_trainer = plain->make_trainer(TrainOptions{});
  auto scaled_trainer = scaled->make_trainer(scaled_options);
  const torch::Tensor input = torch::randn({4, 3, 32, 32});
  const torch::Tensor target = torch::tensor({0, 1, 2, 3}, torch::kLong);
  for (int i = 0; i < 2; ++i) {
    const double plain_loss = plain_trainer->step(input, target).item<double>();
    const double scaled_loss = scaled_trainer->step(input, target).item<double>();
    EXPECT_DOUBLE_EQ(plain_loss, scaled_loss);
  }
  const auto a = plain->module().parameters();
  const auto b = scaled->module().parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
}

TEST(AutocastGuard, Bf16ConvolutionOnCpuAndRestoresState) {
  ASSERT_FALSE(autocast_enabled(c10::DeviceType::CPU));
  const at::ScalarType dtype_before = autocast_dtype_of(c10::DeviceType::CPU);
  const torch::Tensor x = torch::randn({1, 3, 8, 8});
  const torch::Tensor w = torch::randn({4, 3, 3, 3});
  {
    const AutocastGuard guard(c10::DeviceType::CPU, at::kBFloat16);
    EXPECT_TRUE(autocast_enabled(c10::DeviceType::CPU));
    EXPECT_EQ(torch::conv2d(x, w).scalar_type(), at::kBFloat16);
    // Nested guards restore the outer state, not "off".
    {
      const AutocastGuard inner(c10::DeviceType::CPU, at::kBFloat16);
      EXPECT_TRUE(autocast_enabled(c10::DeviceType::CPU));
    }
    EXPECT_TRUE(autocast_enabled(c10::DeviceType::CPU));
    EXPECT_EQ(torch::conv2d(x, w).scalar_type(), at::kBFloat16);
  }
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CPU));
  EXPECT_EQ(autocast_dtype_of(c10::DeviceType::CPU), dtype_before);
  EXPECT_EQ(torch::conv2d(x, w).scalar_type(), at::kFloat);
}

TEST(AutocastGuard, Bf16ForwardScopeTrainsOnCpu) {
  const ModelEntry entry = find_model("conv6");  // a copy: GCC 14 warns of a dangling reference
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  TrainOptions options;
  options.forward_scope = [](const std::function<torch::Tensor()>& forward) {
    const AutocastGuard guard(c10::DeviceType::CPU, at::kBFloat16);
    return forward();
  };
  auto trainer = model->make_trainer(options);
  const torch::Tensor loss =
      trainer->step(torch::randn({4, 3, 32, 32}), torch::tensor({0, 1, 2, 3}, torch::kLong));
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  // Parameters and their gradients stay fp32 (Note [Precision modes]).
  for (const auto& p : model->module().parameters()) {
    EXPECT_EQ(p.scalar_type(), at::kFloat);
    EXPECT_EQ(p.grad().scalar_type(), at::kFloat);
  }
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CPU));
}

// Fused inference equals eager within the fp32 tolerance, with batch-norm
// statistics that are not the identity (so that folding has work to do).
class FusedInference : public ::testing::TestWithParam<std::string> {};

TEST_P(FusedInference, MatchesEagerOnCpu) {
  const ModelEntry& entry = find_model(GetParam());
  torch::manual_seed(7);
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  {
    const torch::NoGradGuard no_grad;
    model->train(true);
    for (int i = 0; i < 3; ++i) model->forward(torch::randn({8, 3, 32, 32}) * 2 + 0.5);
  }
  model->train(false);
  torch::jit::Module fused;
  {
    const torch::NoGradGuard no_grad;
    fused = make_fused_module(*model);
  }
  const c10::InferenceMode inference;
  for (int64_t batch : {1, 5}) {
    const torch::Tensor input = torch::randn({batch, 3, 32, 32});
    const torch::Tensor eager = model->forward(input);
    const torch::Tensor candidate = run_fused(fused, input);
    EXPECT_EQ(candidate.sizes(), eager.sizes());
    EXPECT_LE(relative_max_difference(candidate, eager), output_tolerance(Precision::kFp32))
        << "batch " << batch;
  }
  // Freezing folded every batch norm into a convolution.
  const std::string graph = fused.get_method("forward").graph()->toString();
  EXPECT_EQ(graph.find("aten::batch_norm"), std::string::npos) << graph;
}

INSTANTIATE_TEST_SUITE_P(Classifiers, FusedInference, ::testing::Values("conv6", "vgg16", "resnet18"));

TEST(FusedInferenceCycleGan, MatchesEagerOnCpu) {
  const ModelEntry entry = find_model("cyclegan");  // a copy: GCC 14 warns of a dangling reference
  ModelConfig config = entry.default_config;
  config.image_size = 32;
  std::unique_ptr<Model> model = entry.create(config);
  model->train(false);
  torch::jit::Module fused;
  {
    const torch::NoGradGuard no_grad;
    fused = make_fused_module(*model);
  }
  const c10::InferenceMode inference;
  const torch::Tensor input = torch::rand({1, 3, 32, 32}) * 2 - 1;
  EXPECT_LE(relative_max_difference(run_fused(fused, input), model->forward(input)),
            output_tolerance(Precision::kFp32));
}

TEST(ExecutionChecks, MismatchFailsWithTheDifference) {
  const torch::Tensor eager = torch::zeros({2, 3});
  torch::Tensor off = eager.clone();
  off[1][2] = 0.5;
  EXPECT_DOUBLE_EQ(relative_max_difference(off, eager), 0.5);
  try {
    check_matches_eager(Exec::kFused, off, eager, 1e-3);
    FAIL() << "expected a mismatch error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("differs from eager by 0.5"), std::string::npos) << e.what();
  }
  // Scaled by the eager magnitude when it exceeds 1: 1.0 off 100 is 1%.
  EXPECT_DOUBLE_EQ(relative_max_difference(torch::full({2}, 101.0), torch::full({2}, 100.0)), 0.01);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

BenchmarkOptions cpu_options() {
  BenchmarkOptions options;
  options.models = {"conv6"};
  options.devices = {"cpu"};
  options.precisions = {Precision::kFp32};  // not the machine-dependent default (Note [Default precisions])
  return options;
}

std::string plan_error(const BenchmarkOptions& options) {
  try {
    plan_cases(options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Note [Default precisions]: fp32 everywhere, bf16 too on a cpu with native bf16; fused stays fp32.
TEST(PlanCases, DefaultPrecisionsAddBf16OnACpuWithNativeBf16) {
  BenchmarkOptions options = cpu_options();
  options.precisions.clear();
  options.modes = {Mode::kInfer};
  options.execs = {Exec::kEager, Exec::kFused};
  std::vector<std::pair<Exec, Precision>> planned;
  for (const auto& spec : plan_cases(options)) planned.emplace_back(spec.exec, spec.precision);
  std::vector<std::pair<Exec, Precision>> expected = {{Exec::kEager, Precision::kFp32}};
  if (cpu_has_native_bf16(read_text_file("/proc/cpuinfo")))
    expected.emplace_back(Exec::kEager, Precision::kBf16);
  expected.emplace_back(Exec::kFused, Precision::kFp32);
  std::sort(planned.begin(), planned.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(planned, expected);
  // Named, fused bf16 is refused rather than left out.
  options.precisions = {Precision::kBf16};
  options.execs = {Exec::kFused};
  EXPECT_NE(plan_error(options).find("--exec fused: runs the frozen TorchScript module in fp32 or tf32 only"),
            std::string::npos);
}

TEST(PlanCases, BatchListsAndAutoAreSweeps) {
  BenchmarkOptions options = cpu_options();
  options.modes = {Mode::kTrain};
  options.precisions = {Precision::kFp32};
  options.batches = {16, 32};
  std::vector<int64_t> batches;
  for (const auto& spec : plan_cases(options)) {
    batches.push_back(spec.batch);
    EXPECT_TRUE(spec.batch_sweep);
  }
  EXPECT_EQ(batches, (std::vector<int64_t>{16, 32}));
  options.batches = {64};
  EXPECT_FALSE(plan_cases(options).at(0).batch_sweep);
  options.batches.clear();
  options.batch_auto = true;
  batches.clear();
  for (const auto& spec : plan_cases(options)) batches.push_back(spec.batch);
  EXPECT_EQ(batches, (std::vector<int64_t>{8, 16, 32, 64, 128, 256}));
  options.models = {"cyclegan"};
  batches.clear();
  for (const auto& spec : plan_cases(options)) batches.push_back(spec.batch);
  EXPECT_EQ(batches, (std::vector<int64_t>{1, 2, 4, 8}));
  options.batches = {0};
  options.batch_auto = false;
  EXPECT_NE(plan_error(options).find("--batch: expected batch sizes in [1, 1048576] but got 0"),
            std::string::npos);
}

TEST(PlanRefusals, UnsupportedModesOnCpu) {
  BenchmarkOptions graph = cpu_options();
  graph.execs = {Exec::kGraph};
  EXPECT_NE(plan_error(graph).find("--exec graph needs a CUDA device"), std::string::npos)
      << plan_error(graph);
  BenchmarkOptions fp16 = cpu_options();
  fp16.precisions = {Precision::kFp16};
  EXPECT_NE(plan_error(fp16).find("fp16 needs a CUDA device"), std::string::npos) << plan_error(fp16);
  BenchmarkOptions tf32 = cpu_options();
  tf32.precisions = {Precision::kTf32};
  EXPECT_NE(plan_error(tf32).find("tf32 needs a CUDA device"), std::string::npos) << plan_error(tf32);
}

TEST(PlanRefusals, DefaultDevicesOnACpuOnlyHostStillRefuse) {
  BenchmarkOptions options = cpu_options();
  options.devices.clear();
  options.precisions = {Precision::kFp16};
  if (available_devices().size() != 1) GTEST_SKIP() << "a GPU is present";
  EXPECT_NE(plan_error(options).find("fp16 needs a CUDA device"), std::string::npos) << plan_error(options);
}

TEST(PlanRefusals, UnknownValuesAndUnsupportedCombinations) {
  // Unknown words stop at the command line's edge (parse_word), naming the flag.
  try {
    parse_word<Precision>("fp8", "--precision");
    ADD_FAILURE() << "fp8 accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--precision: unknown precision 'fp8'; valid precisions: fp32, tf32, bf16, fp16");
  }
  try {
    parse_word<Exec>("jit", "--exec");
    ADD_FAILURE() << "jit accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown execution mode 'jit'"), std::string::npos) << e.what();
  }
  BenchmarkOptions fused_bf16 = cpu_options();
  fused_bf16.execs = {Exec::kFused};
  fused_bf16.precisions = {Precision::kBf16};
  EXPECT_NE(plan_error(fused_bf16).find("--exec fused"), std::string::npos) << plan_error(fused_bf16);
  BenchmarkOptions fused_train = cpu_options();
  fused_train.execs = {Exec::kFused};
  fused_train.modes = {Mode::kTrain};
  EXPECT_NE(plan_error(fused_train).find("inference only"), std::string::npos) << plan_error(fused_train);
  EXPECT_NE(graph_training_unsupported_reason("cyclegan", Precision::kFp32)->find("Adam"), std::string::npos);
  EXPECT_NE(graph_training_unsupported_reason("conv6", Precision::kFp16)->find("loss scaler"),
            std::string::npos);
  EXPECT_FALSE(graph_training_unsupported_reason("resnet18", Precision::kBf16).has_value());
}

TEST(Plan, FusedIsPlannedForInferenceOnly) {
  BenchmarkOptions options = cpu_options();
  options.execs = {Exec::kEager, Exec::kFused};
  const auto cases = plan_cases(options);
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(to_string(cases[0].mode) + "/" + to_string(cases[0].exec), "train/eager");
  EXPECT_EQ(to_string(cases[1].mode) + "/" + to_string(cases[1].exec), "infer/eager");
  EXPECT_EQ(to_string(cases[2].mode) + "/" + to_string(cases[2].exec), "infer/fused");
  BenchmarkOptions bf16 = cpu_options();
  bf16.precisions = {Precision::kBf16};
  EXPECT_EQ(plan_cases(bf16).size(), 2u);
}

TEST(RunCase, FusedInferenceAndBf16TrainingOnCpu) {
  BenchmarkOptions fused = testing_support::quick_windows(cpu_options());
  fused.modes = {Mode::kInfer};
  fused.execs = {Exec::kFused};
  fused.channels_last = true;
  const auto fused_cases = plan_cases(fused);
  ASSERT_EQ(fused_cases.size(), 1u);
  const CaseRecord fused_record = run_case(fused_cases[0], fused);
  EXPECT_EQ(fused_record.status, CaseStatus::kOk) << fused_record.error;
  EXPECT_EQ(fused_record.exec, Exec::kFused);
  EXPECT_TRUE(fused_record.latency_ms.has_value());

  BenchmarkOptions bf16 = testing_support::quick_windows(cpu_options());
  bf16.modes = {Mode::kTrain};
  bf16.precisions = {Precision::kBf16};
  const CaseRecord bf16_record = run_case(plan_cases(bf16).at(0), bf16);
  EXPECT_EQ(bf16_record.status, CaseStatus::kOk) << bf16_record.error;
  EXPECT_EQ(bf16_record.precision, Precision::kBf16);
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CPU));
}

TEST(RunCase, GraphOnCpuFailsCleanlyWhenPlanIsBypassed) {
  BenchmarkOptions options = testing_support::quick_windows(cpu_options());
  CaseSpec spec = plan_cases(options).at(1);
  spec.exec = Exec::kGraph;
  const CaseRecord record = run_case(spec, options);
  EXPECT_EQ(record.status, CaseStatus::kFailed);
  EXPECT_NE(record.error.find("--exec graph needs a CUDA device"), std::string::npos) << record.error;
}

}  // namespace
}  // namespace effbench
