// VGG16 with batch norm (Simonyan & Zisserman, configuration D), CIFAR
// variant: 13 3x3 convs, five 2x2 poolings, and for 32x32 inputs a single
// 512 -> classes linear classifier.

#include "core/error.h"
#include "models/classifier.h"
#include "models/flops.h"

namespace effbench {
namespace {

constexpr int64_t kPool = 0;  // "M" in the paper's table
constexpr int64_t kConfigD[] = {64,    64,  kPool, 128, 128,   kPool, 256, 256, 256,
                                kPool, 512, 512,   512, kPool, 512,   512, 512, kPool};

struct Vgg16NetImpl : torch::nn::Module {
  explicit Vgg16NetImpl(const ModelConfig& config) {
    int64_t in = config.in_channels;
    for (int64_t width : kConfigD) {
      if (width == kPool) {
        features->push_back(torch::nn::MaxPool2d(2));
        continue;
      }
      features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, width, 3).padding(1)));
      features->push_back(torch::nn::BatchNorm2d(width));
      features->push_back(torch::nn::ReLU(true));
      in = width;
    }
    const int64_t side = config.image_size / 32;
    classifier = torch::nn::Linear(512 * side * side, config.num_classes);
    register_module("features", features);
    register_module("classifier", classifier);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return classifier->forward(features->forward(x).flatten(1));
  }

  torch::nn::Sequential features;
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(Vgg16Net);

double vgg16_flops(const ModelConfig& config) {
  FlopCounter count(config.in_channels, config.image_size, config.image_size);
  for (int64_t width : kConfigD) {
    if (width == kPool) {
      count.max_pool(2, 2);
      continue;
    }
    count.conv(width, 3, 1, 1, true);
    count.batch_norm();
    count.activation();
  }
  count.flatten();
  count.linear(config.num_classes);
  return count.flops();
}

// Vgg16NetImpl::forward in TorchScript (Note [TorchScript from C++ modules]).
std::optional<std::string> vgg16_script_forward(const torch::nn::Module& module) {
  if (dynamic_cast<const Vgg16NetImpl*>(&module) == nullptr) return std::nullopt;
  return std::string(
      "def forward(self, x):\n    return self.classifier(torch.flatten(self.features(x), 1))\n");
}

}  // namespace

std::unique_ptr<Model> make_vgg16(const ModelConfig& config) {
  check(config.image_size >= 32 && config.image_size % 32 == 0,
        "vgg16: expected an image size divisible by 32 (five 2x2 poolings) but got " +
            std::to_string(config.image_size));
  return std::make_unique<Classifier<Vgg16Net>>("vgg16", config, Vgg16Net(config), vgg16_flops(config),
                                                vgg16_script_forward);
}

}  // namespace effbench
