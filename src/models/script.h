#pragma once
// TorchScript from C++ modules, for the fused inference mode.
//
// Note [TorchScript from C++ modules]
// LibTorch cannot trace or script a C++ torch::nn::Module. script_module()
// rebuilds one as a torch::jit::Module: every submodule becomes a scripted
// submodule holding the same parameter and buffer tensors (shared, not
// copied), with a forward written in TorchScript. The forward of the standard
// layers (Conv2d, ConvTranspose2d, BatchNorm2d, InstanceNorm2d, Linear, ReLU,
// LeakyReLU, Tanh, MaxPool2d, ReflectionPad2d, Flatten) and of Sequential is
// derived from their options here; a model's own modules (a residual block,
// the network's top level) get their forward source from the model file,
// through a ScriptForward callback, because only it knows the C++ forward.
// The result is ready for torch::jit::freeze and optimize_for_inference,
// which fold batch norm into convolutions and fuse convolution + ReLU.

#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>

namespace effbench {

/// TorchScript source of `def forward(self, x):` for a module the converter
/// does not know; nullopt when the callback does not know it either. The
/// source calls children by their registered names (self.conv1(x)).
using ScriptForward = std::function<std::optional<std::string>(const torch::nn::Module&)>;

/// The scripted twin of `module` (Note [TorchScript from C++ modules]), in
/// eval mode. Throws effbench::Error naming the first module whose forward
/// is unknown.
torch::jit::Module script_module(const torch::nn::Module& module, const ScriptForward& custom_forward);

}  // namespace effbench
