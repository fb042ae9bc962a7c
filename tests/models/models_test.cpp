#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "models/model.h"

namespace effbench {
namespace {

// Parameters of a conv layer: c_in * c_out * k * k weights (+ c_out biases).
constexpr int64_t conv(int64_t in, int64_t out, int64_t k, bool bias = true) {
  return in * out * k * k + (bias ? out : 0);
}
constexpr int64_t linear(int64_t in, int64_t out) { return in * out + out; }
constexpr int64_t batch_norm(int64_t c) { return 2 * c; }  // weight and bias (running stats are buffers)

int64_t params_of(const std::string& name, const ModelConfig& config) {
  return find_model(name).create(config)->parameter_count();
}

TEST(Models, Conv6ParameterCountByHand) {
  // convs 3-64-64-128-128-256-256 with bias; after three 2x2 pools 256*4*4 = 4096 features.
  constexpr int64_t kExpected = conv(3, 64, 3) + conv(64, 64, 3) + conv(64, 128, 3) + conv(128, 128, 3) +
                                conv(128, 256, 3) + conv(256, 256, 3) + linear(4096, 256) + linear(256, 256) +
                                linear(256, 10);
  static_assert(kExpected == 1792 + 36928 + 73856 + 147584 + 295168 + 590080 + 1048832 + 65792 + 2570);
  EXPECT_EQ(params_of("conv6", {3, 32, 10, {}}), kExpected);  // 2,262,602
  // Fashion-MNIST: one input channel changes only the first conv: 1*64*9 + 64 = 640.
  EXPECT_EQ(params_of("conv6", {1, 32, 10, {}}), kExpected - 1792 + 640);
}

TEST(Models, Vgg16ParameterCountByHand) {
  // Configuration D with batch norm; CIFAR classifier 512 -> 10.
  constexpr int64_t kExpected =
      conv(3, 64, 3) + batch_norm(64) + conv(64, 64, 3) + batch_norm(64) +               //
      conv(64, 128, 3) + batch_norm(128) + conv(128, 128, 3) + batch_norm(128) +         //
      conv(128, 256, 3) + batch_norm(256) + 2 * (conv(256, 256, 3) + batch_norm(256)) +  //
      conv(256, 512, 3) + batch_norm(512) + 2 * (conv(512, 512, 3) + batch_norm(512)) +  //
      3 * (conv(512, 512, 3) + batch_norm(512)) + linear(512, 10);
  static_assert(kExpected == 14728266);  // the CIFAR VGG16-BN's well-known 14.73 M
  EXPECT_EQ(params_of("vgg16", {3, 32, 10, {}}), kExpected);
}

TEST(Models, ResNet18ParameterCountByHand) {
  // Stem conv 3x3 (no bias) + BN; per stage two BasicBlocks (two 3x3 convs + 2 BN each);
  // stages 2-4 start with a strided block whose 1x1 shortcut conv + BN change the width.
  constexpr int64_t kBlock64 = 2 * (conv(64, 64, 3, false) + batch_norm(64));
  constexpr int64_t kStage1 = 2 * kBlock64;
  constexpr auto stage = [](int64_t in, int64_t out) {
    return conv(in, out, 3, false) + batch_norm(out) + conv(out, out, 3, false) +
           batch_norm(out) +                                  // block 1
           conv(in, out, 1, false) + batch_norm(out) +        // shortcut
           2 * (conv(out, out, 3, false) + batch_norm(out));  // block 2
  };
  constexpr int64_t kExpected = conv(3, 64, 3, false) + batch_norm(64) + kStage1 + stage(64, 128) +
                                stage(128, 256) + stage(256, 512) + linear(512, 10);
  static_assert(kExpected == 11173962);  // the CIFAR ResNet18's well-known 11.17 M
  EXPECT_EQ(params_of("resnet18", {3, 32, 10, {}}), kExpected);
}

TEST(Models, CycleGanParameterCountByHand) {
  // Generator: 7x7 conv 3->64, two stride-2 convs 64->128->256, nine residual blocks of two
  // 256->256 3x3 convs, two transposed convs 256->128->64, 7x7 conv 64->3; every conv has a
  // bias (instance norm without affine parameters).
  constexpr int64_t kGenerator = conv(3, 64, 7) + conv(64, 128, 3) + conv(128, 256, 3) +
                                 9 * 2 * conv(256, 256, 3) + conv(256, 128, 3) + conv(128, 64, 3) +
                                 conv(64, 3, 7);
  static_assert(kGenerator == 11378179);  // the reference's "11.378 M"
  // PatchGAN: 4x4 convs 3->64->128->256->512->1.
  constexpr int64_t kDiscriminator =
      conv(3, 64, 4) + conv(64, 128, 4) + conv(128, 256, 4) + conv(256, 512, 4) + conv(512, 1, 4);
  static_assert(kDiscriminator == 2764737);  // the reference's "2.765 M"
  EXPECT_EQ(params_of("cyclegan", {3, 32, 0, {}}), 2 * kGenerator + 2 * kDiscriminator);
}

TEST(Models, Conv6ForwardFlopsByHand) {
  // Per conv: 2 * c_in*9 * c_out*H*W + bias c_out*H*W, then ReLU c_out*H*W; pools count
  // 4 per output; FC 2*in*out + out with ReLUs between. Computed separately: 308,336,650.
  auto model = find_model("conv6").create({3, 32, 10, {}});
  EXPECT_DOUBLE_EQ(model->forward_flops_per_sample(), 308336650.0);
  EXPECT_DOUBLE_EQ(model->train_flops_per_sample(), 3 * 308336650.0);
}

TEST(Models, OutputShapes) {
  torch::manual_seed(0);
  for (const std::string name : {"conv6", "vgg16", "resnet18"}) {
    auto model = find_model(name).create({1, 32, 10, {}});
    model->train(false);
    EXPECT_EQ(model->forward(torch::randn({2, 1, 32, 32})).sizes(), (std::vector<int64_t>{2, 10})) << name;
  }
  auto gan = find_model("cyclegan").create({3, 32, 0, {}});
  gan->train(false);
  EXPECT_EQ(gan->forward(torch::rand({1, 3, 32, 32})).sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
}

TEST(Models, UnknownNameListsValidModels) {
  try {
    find_model("alexnet");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("alexnet"), std::string::npos);
    EXPECT_NE(message.find("conv6, vgg16, resnet18, cyclegan"), std::string::npos);
  }
}

TEST(Models, BadImageSizeIsRejected) {
  EXPECT_THROW(find_model("vgg16").create({3, 48, 10, {}}), Error);  // not divisible by 32
  EXPECT_THROW(find_model("cyclegan").create({3, 30, 0, {}}), Error);
}

// Loss on a fixed batch, in training mode (batch statistics), without a step.
double classifier_loss(Model& model, const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  return torch::nn::functional::cross_entropy(model.forward(x), y).item<double>();
}

TEST(Models, OneOptimiserStepLowersTheLoss) {
  for (const std::string name : {"conv6", "vgg16", "resnet18"}) {
    torch::manual_seed(1);
    auto model = find_model(name).create({3, 32, 10, {}});
    model->train(true);
    const torch::Tensor x = torch::randn({8, 3, 32, 32});
    const torch::Tensor y = torch::arange(8) % 10;
    const double before = classifier_loss(*model, x, y);
    auto trainer = model->make_trainer(TrainOptions{});
    const double step_loss = trainer->step(x, y).item<double>();
    EXPECT_NEAR(step_loss, before, 1e-4 * std::max(1.0, before)) << name;  // the step saw the same loss
    const double after = classifier_loss(*model, x, y);
    EXPECT_LT(after, before) << name;
  }
}

TEST(Models, CycleGanStepLowersTheCycleError) {
  // With a small learning rate, one step of the generators' loss (cycle L1 x10 and identity
  // L1 x5 dominate it) lowers the cycle-consistency error |G_BA(G_AB(a)) - a| on a fixed pair.
  torch::manual_seed(2);
  auto gan = find_model("cyclegan").create({3, 32, 0, {}});
  gan->train(true);
  const torch::Tensor a = torch::rand({1, 3, 32, 32}) * 2 - 1;
  const torch::Tensor b = torch::rand({1, 3, 32, 32}) * 2 - 1;
  auto children = gan->module().named_children();
  auto g_ba = children["g_ba"]->named_children()["net"]->as<torch::nn::SequentialImpl>();
  ASSERT_NE(g_ba, nullptr);
  auto cycle_error = [&] {
    torch::NoGradGuard no_grad;
    return torch::l1_loss(g_ba->forward(gan->forward(a)), a).item<double>();
  };
  const double before = cycle_error();
  TrainOptions options;
  options.optimizer = "adam";
  options.lr = 1e-5;
  auto trainer = gan->make_trainer(options);
  EXPECT_TRUE(std::isfinite(trainer->step(a, b).item<double>()));
  EXPECT_LT(cycle_error(), before);
}

}  // namespace
}  // namespace effbench
