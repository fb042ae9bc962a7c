// ResNet18, CIFAR variant (He et al.; the common CIFAR adaptation): a 3x3
// stride-1 stem without max pooling, BasicBlocks [2, 2, 2, 2] at 64, 128, 256,
// 512 channels, global average pooling and one linear layer. Convolutions have
// no bias (batch norm follows each).

#include "core/error.h"
#include "models/classifier.h"
#include "models/flops.h"

namespace effbench {
namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride)
      : conv1(conv3x3(in, out, stride)), bn1(out), conv2(conv3x3(out, out, 1)), bn2(out) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("bn2", bn2);
    if (stride != 1 || in != out) {
      shortcut->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      shortcut->push_back(torch::nn::BatchNorm2d(out));
    }
    register_module("shortcut", shortcut);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = torch::relu(bn1->forward(conv1->forward(x)));
    y = bn2->forward(conv2->forward(y));
    y = y + (shortcut->is_empty() ? x : shortcut->forward(x));
    return torch::relu(y);
  }

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Sequential shortcut;
};
TORCH_MODULE(BasicBlock);

constexpr int64_t kWidths[] = {64, 128, 256, 512};
constexpr int64_t kBlocksPerStage = 2;

struct ResNet18NetImpl : torch::nn::Module {
  explicit ResNet18NetImpl(const ModelConfig& config)
      : stem(conv3x3(config.in_channels, 64, 1)), stem_bn(64), fc(512, config.num_classes) {
    register_module("stem", stem);
    register_module("stem_bn", stem_bn);
    int64_t in = 64;
    for (size_t stage = 0; stage < 4; ++stage) {
      for (int64_t block = 0; block < kBlocksPerStage; ++block) {
        const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
        blocks->push_back(BasicBlock(in, kWidths[stage], stride));
        in = kWidths[stage];
      }
    }
    register_module("blocks", blocks);
    register_module("fc", fc);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = torch::relu(stem_bn->forward(stem->forward(x)));
    y = blocks->forward(y);
    y = torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
    return fc->forward(y);
  }

  torch::nn::Conv2d stem;
  torch::nn::BatchNorm2d stem_bn;
  torch::nn::Sequential blocks;
  torch::nn::Linear fc;
};
TORCH_MODULE(ResNet18Net);

double resnet18_flops(const ModelConfig& config) {
  FlopCounter count(config.in_channels, config.image_size, config.image_size);
  count.conv(64, 3, 1, 1, false);
  count.batch_norm();
  count.activation();
  for (size_t stage = 0; stage < 4; ++stage) {
    for (int64_t block = 0; block < kBlocksPerStage; ++block) {
      const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
      const int64_t out = kWidths[stage];
      if (stride != 1 || count.channels() != out) {
        FlopCounter shortcut(count.channels(), count.height(), count.width());
        shortcut.conv(out, 1, stride, 0, false);
        shortcut.batch_norm();
        count.add(shortcut.flops());
      }
      count.conv(out, 3, stride, 1, false);
      count.batch_norm();
      count.activation();
      count.conv(out, 3, 1, 1, false);
      count.batch_norm();
      count.residual_add();
      count.activation();
    }
  }
  count.global_avg_pool();
  count.linear(config.num_classes);
  return count.flops();
}

// BasicBlockImpl::forward and ResNet18NetImpl::forward in TorchScript
// (Note [TorchScript from C++ modules]).
std::optional<std::string> resnet18_script_forward(const torch::nn::Module& module) {
  if (const auto* block = dynamic_cast<const BasicBlockImpl*>(&module)) {
    return "def forward(self, x):\n"
           "    y = torch.relu(self.bn1(self.conv1(x)))\n"
           "    y = self.bn2(self.conv2(y))\n" +
           std::string(block->shortcut->is_empty() ? "    y = y + x\n" : "    y = y + self.shortcut(x)\n") +
           "    return torch.relu(y)\n";
  }
  if (dynamic_cast<const ResNet18NetImpl*>(&module) != nullptr) {
    return std::string(
        "def forward(self, x):\n"
        "    y = torch.relu(self.stem_bn(self.stem(x)))\n"
        "    y = self.blocks(y)\n"
        "    y = torch.flatten(torch.adaptive_avg_pool2d(y, [1, 1]), 1)\n"
        "    return self.fc(y)\n");
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Model> make_resnet18(const ModelConfig& config) {
  check(config.image_size >= 8,
        "resnet18: expected an image size of at least 8 but got " + std::to_string(config.image_size));
  return std::make_unique<Classifier<ResNet18Net>>("resnet18", config, ResNet18Net(config),
                                                   resnet18_flops(config), resnet18_script_forward);
}

}  // namespace effbench
