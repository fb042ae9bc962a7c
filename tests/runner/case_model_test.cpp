// One place builds a case's model: the same seed gives the same weights even
// when ranks that are threads build at once (Note [Initial weights]), and the
// record describes the model built.

#include "runner/case_model.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>
#include <vector>

namespace effbench {
namespace {

std::vector<torch::Tensor> weights_of(Model& model) {
  std::vector<torch::Tensor> weights;
  for (const auto& p : model.module().parameters()) weights.push_back(p.detach().clone());
  return weights;
}

bool same_weights(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i])) return false;
  }
  return true;
}

TEST(BuildModel, SameSeedGivesTheSameWeightsWhenThreadsBuildAtOnce) {
  const ModelConfig config = model_config("conv6", 32);
  const auto alone = weights_of(*build_model("conv6", config, Device(), 7));
  constexpr int kThreads = 4;
  std::vector<std::vector<torch::Tensor>> built(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        built[t] = weights_of(*build_model("conv6", config, Device(), 7));
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(same_weights(alone, built[t])) << "thread " << t;
  EXPECT_FALSE(same_weights(alone, weights_of(*build_model("conv6", config, Device(), 8))));
}

TEST(DescribeModel, FillsTheCountsOfTheModelBuilt) {
  // conv6 on 3x32x32 with 10 classes: 2,262,602 parameters (counted by hand
  // in tests/models/models_test.cpp); a 64 px input keeps the convolutions
  // and widens the first linear layer from 4096 to 16384 inputs (x 256 outputs).
  auto model = build_model("conv6", model_config("conv6", 64), Device(), 1);
  CaseRecord infer;
  describe_model(*model, Mode::kInfer, infer);
  EXPECT_EQ(infer.params, 2262602 + (16384 - 4096) * 256);
  EXPECT_EQ(infer.input_shape, (std::vector<int64_t>{3, 64, 64}));
  EXPECT_GT(infer.flops_per_sample, 0);
  EXPECT_EQ(infer.step_flops_per_sample, infer.flops_per_sample);
  CaseRecord train;
  describe_model(*model, Mode::kTrain, train);
  EXPECT_EQ(train.flops_per_sample, infer.flops_per_sample);
  EXPECT_GT(train.step_flops_per_sample, 2.5 * train.flops_per_sample);  // forward + backward
}

}  // namespace
}  // namespace effbench
