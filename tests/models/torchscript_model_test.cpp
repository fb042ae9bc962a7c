#include "models/torchscript_model.h"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <fstream>
#include <string>

#include "core/error.h"
#include "core/sha256.h"
#include "models/model.h"
#include "torchscript_fixtures.h"

namespace effbench {
namespace {

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "torchscript_" + name; }

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TorchScriptModel, CountsParametersAndObservedFlopsByHand) {
  const std::string path = temp_path("tiny.pt");
  fixtures::write_tiny_net(path);
  const ModelEntry entry = make_torchscript_entry({path, {3, 8, 8}, 10});
  EXPECT_EQ(entry.name, path);
  EXPECT_EQ(entry.task, ModelTask::kClassification);
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  EXPECT_EQ(model->parameter_count(), fixtures::kTinyNetParams);
  EXPECT_DOUBLE_EQ(model->forward_flops_per_sample(), fixtures::kTinyNetFlops);
  EXPECT_DOUBLE_EQ(model->train_flops_per_sample(), 3 * fixtures::kTinyNetFlops);
  EXPECT_EQ(sample_shape(model->config()), (std::vector<int64_t>{3, 8, 8}));
  ASSERT_TRUE(model->source().has_value());
  EXPECT_EQ(model->source()->sha256, sha256_file_hex(path));
  EXPECT_EQ(model->source()->sha256.size(), 64u);

  const std::string up = temp_path("up.pt");
  fixtures::write_up_net(up);
  const ModelEntry up_entry = make_torchscript_entry({up, {2, 4, 4}, std::nullopt});
  EXPECT_EQ(up_entry.task, ModelTask::kOther);
  EXPECT_DOUBLE_EQ(up_entry.create(up_entry.default_config)->forward_flops_per_sample(),
                   fixtures::kUpNetFlops);
}

TEST(TorchScriptModel, ForwardIsTheFilesNetworkOnTheFilesWeights) {
  const std::string path = temp_path("tiny_forward.pt");
  fixtures::write_tiny_net(path);
  const ModelEntry entry = make_torchscript_entry({path, {3, 8, 8}, 10});
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  model->train(false);
  // The same network written with LibTorch's functions on the weights read back from the file.
  torch::jit::Module file = torch::jit::load(path);
  const torch::Tensor conv_w = file.attr("block").toModule().attr("weight").toTensor();
  const torch::Tensor conv_b = file.attr("block").toModule().attr("bias").toTensor();
  const torch::Tensor fc_w = file.attr("fc_weight").toTensor();
  const torch::Tensor fc_b = file.attr("fc_bias").toTensor();
  const torch::Tensor x = torch::randn({5, 3, 8, 8});
  torch::NoGradGuard no_grad;
  const torch::Tensor expected =
      torch::linear(torch::relu(torch::conv2d(x, conv_w, conv_b, 1, 1)).flatten(1), fc_w, fc_b);
  EXPECT_TRUE(torch::allclose(model->forward(x), expected, 1e-5, 1e-5));
}

TEST(TorchScriptModel, TrainsEveryParameterOnTheStatedLoss) {
  const std::string path = temp_path("tiny_train.pt");
  fixtures::write_tiny_net(path);
  const ModelEntry entry = make_torchscript_entry({path, {3, 8, 8}, 10});
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  model->train(true);
  const torch::Tensor x = torch::randn({16, 3, 8, 8});
  const torch::Tensor labels = torch::randint(10, {16}, torch::kLong);
  std::vector<torch::Tensor> before;
  for (const auto& p : model->module().parameters()) before.push_back(p.detach().clone());
  TrainOptions options;
  options.lr = 0.01;
  auto trainer = model->make_trainer(options);
  const double expected_first_loss =
      torch::nn::functional::cross_entropy(model->forward(x), labels).item<double>();
  const double first = trainer->step(x, labels).item<double>();
  EXPECT_NEAR(first, expected_first_loss, 1e-5);
  double last = first;
  for (int i = 0; i < 30; ++i) last = trainer->step(x, labels).item<double>();
  EXPECT_LT(last, 0.5 * first);  // one fixed batch is learnt
  const auto after = model->module().parameters();
  ASSERT_EQ(after.size(), 4u);
  for (size_t i = 0; i < after.size(); ++i) EXPECT_FALSE(torch::equal(after[i], before[i])) << i;

  // Without --classes: the mean squared output.
  const std::string up = temp_path("up_train.pt");
  fixtures::write_up_net(up);
  const ModelEntry up_entry = make_torchscript_entry({up, {2, 4, 4}, std::nullopt});
  std::unique_ptr<Model> up_model = up_entry.create(up_entry.default_config);
  const torch::Tensor u = torch::randn({3, 2, 4, 4});
  const double expected_mse = up_model->forward(u).pow(2).mean().item<double>();
  auto up_trainer = up_model->make_trainer(options);
  EXPECT_NEAR(up_trainer->step(u, u).item<double>(), expected_mse, 1e-4 * expected_mse);
  bool says_loss = false;
  for (const auto& note : up_model->notes())
    says_loss = says_loss || note.find("mean of the squared") != std::string::npos;
  EXPECT_TRUE(says_loss);
}

TEST(TorchScriptModel, RefusesWhatItCannotMeasureNamingTheFileAndShape) {
  const std::string tiny = temp_path("tiny_refuse.pt");
  fixtures::write_tiny_net(tiny);
  // The interpreter's own words about the channels it wanted.
  const std::string wrong_shape = error_of([&] { make_torchscript_entry({tiny, {1, 8, 8}, 10}); });
  EXPECT_NE(wrong_shape.find(tiny), std::string::npos) << wrong_shape;
  EXPECT_NE(wrong_shape.find("2x1x8x8"), std::string::npos) << wrong_shape;
  EXPECT_NE(wrong_shape.find("3 channels"), std::string::npos) << wrong_shape;
  const std::string wrong_classes = error_of([&] { make_torchscript_entry({tiny, {3, 8, 8}, 7}); });
  EXPECT_NE(wrong_classes.find("--classes 7"), std::string::npos) << wrong_classes;
  EXPECT_NE(wrong_classes.find("2x10"), std::string::npos) << wrong_classes;
  EXPECT_NE(error_of([&] { make_torchscript_entry({tiny, {}, 10}); }).find("--input"), std::string::npos);

  const std::string text = temp_path("not_torchscript.pt");
  std::ofstream(text) << "not a zip archive\n";
  EXPECT_NE(error_of([&] {
              make_torchscript_entry({text, {3, 8, 8}, std::nullopt});
            }).find("not a TorchScript file"),
            std::string::npos);

  const std::string pair = temp_path("pair.pt");
  fixtures::write_pair_out(pair);
  EXPECT_NE(error_of([&] {
              make_torchscript_entry({pair, {4}, std::nullopt});
            }).find("returned a Tuple"),
            std::string::npos);

  const std::string no_params = temp_path("no_params.pt");
  fixtures::write_no_params(no_params);
  const ModelEntry entry = make_torchscript_entry({no_params, {4}, std::nullopt});
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  EXPECT_EQ(model->parameter_count(), 0);
  EXPECT_FALSE(entry.trainable);
  EXPECT_TRUE(make_torchscript_entry({tiny, {3, 8, 8}, 10}).trainable);
  EXPECT_NE(error_of([&] { model->make_trainer(TrainOptions{}); }).find("nothing to train"),
            std::string::npos);
}

TEST(TorchScriptModel, TiedWeightsAreOneParameter) {
  const std::string path = temp_path("tied.pt");
  fixtures::write_tied_net(path);
  const ModelEntry entry = make_torchscript_entry({path, {4}, std::nullopt});
  std::unique_ptr<Model> model = entry.create(entry.default_config);
  EXPECT_EQ(model->parameter_count(), 16);
  EXPECT_EQ(model->module().parameters().size(), 1u);
  // Two 4x4 matrix products per sample: 2 x 16 multiply-adds.
  EXPECT_DOUBLE_EQ(model->forward_flops_per_sample(), 64);
}

TEST(TorchScriptModel, FindModelKnowsAnAddedFileOnly) {
  const std::string path = temp_path("tiny_registry.pt");
  fixtures::write_tiny_net(path);
  EXPECT_THROW(find_model(path), Error);
  const TorchScriptSpec spec{path, {3, 8, 8}, 10};
  const ModelEntry* added = &add_torchscript_model(spec);
  EXPECT_EQ(&find_model(path), added);
  EXPECT_EQ(&add_torchscript_model(spec), added);
  EXPECT_THROW(add_torchscript_model({path, {3, 8, 8}, 5}), Error);
}

}  // namespace
}  // namespace effbench
