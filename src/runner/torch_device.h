#pragma once
// The one conversion from effbench's Device to LibTorch's, at the torch edge.

#include <torch/torch.h>

#include "core/vocabulary.h"

namespace effbench {

inline torch::Device torch_device(const Device& device) {
  if (device.is_cpu()) return torch::Device(torch::kCPU);
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(device.index()));
}

}  // namespace effbench
