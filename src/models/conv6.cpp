// Conv6 (Frankle & Carbin, "The Lottery Ticket Hypothesis"): six 3x3 convs
// with padding 1 and ReLU in pairs of 64, 128, 256 channels, each pair
// followed by 2x2 max pooling; then fully connected 256-256-classes.

#include "core/error.h"
#include "models/classifier.h"
#include "models/flops.h"

namespace effbench {
namespace {

constexpr int64_t kConvWidths[] = {64, 64, 128, 128, 256, 256};
constexpr int64_t kHidden = 256;

struct Conv6NetImpl : torch::nn::Module {
  explicit Conv6NetImpl(const ModelConfig& config) {
    int64_t in = config.in_channels;
    int index = 0;
    for (int64_t width : kConvWidths) {
      features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, width, 3).padding(1)));
      features->push_back(torch::nn::ReLU(true));
      if (++index % 2 == 0) features->push_back(torch::nn::MaxPool2d(2));
      in = width;
    }
    const int64_t side = config.image_size / 8;
    classifier->push_back(torch::nn::Flatten());
    classifier->push_back(torch::nn::Linear(256 * side * side, kHidden));
    classifier->push_back(torch::nn::ReLU(true));
    classifier->push_back(torch::nn::Linear(kHidden, kHidden));
    classifier->push_back(torch::nn::ReLU(true));
    classifier->push_back(torch::nn::Linear(kHidden, config.num_classes));
    register_module("features", features);
    register_module("classifier", classifier);
  }
  torch::Tensor forward(const torch::Tensor& x) { return classifier->forward(features->forward(x)); }

  torch::nn::Sequential features;
  torch::nn::Sequential classifier;
};
TORCH_MODULE(Conv6Net);

double conv6_flops(const ModelConfig& config) {
  FlopCounter count(config.in_channels, config.image_size, config.image_size);
  int index = 0;
  for (int64_t width : kConvWidths) {
    count.conv(width, 3, 1, 1, true);
    count.activation();
    if (++index % 2 == 0) count.max_pool(2, 2);
  }
  count.flatten();
  count.linear(kHidden);
  count.activation();
  count.linear(kHidden);
  count.activation();
  count.linear(config.num_classes);
  return count.flops();
}

// Conv6NetImpl::forward in TorchScript (Note [TorchScript from C++ modules]).
std::optional<std::string> conv6_script_forward(const torch::nn::Module& module) {
  if (dynamic_cast<const Conv6NetImpl*>(&module) == nullptr) return std::nullopt;
  return std::string("def forward(self, x):\n    return self.classifier(self.features(x))\n");
}

}  // namespace

std::unique_ptr<Model> make_conv6(const ModelConfig& config) {
  check(config.image_size >= 8 && config.image_size % 8 == 0,
        "conv6: expected an image size divisible by 8 (three 2x2 poolings) but got " +
            std::to_string(config.image_size));
  return std::make_unique<Classifier<Conv6Net>>("conv6", config, Conv6Net(config), conv6_flops(config),
                                                conv6_script_forward);
}

}  // namespace effbench
