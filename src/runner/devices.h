#pragma once
// Devices LibTorch can run on here. Torch-free interface.

#include <cstdint>
#include <string>
#include <vector>

#include "core/system_info.h"

namespace effbench {

struct DeviceDescription {
  std::string id;    // "cpu", "cuda:0"
  std::string name;  // CPU model or GPU name
  int64_t memory_bytes = 0;
  std::string detail;  // threads, compute capability, ...
};

/// cpu, then every CUDA device LibTorch can use.
std::vector<DeviceDescription> available_devices();

/// Validates --device values and normalises them ("cuda" -> "cuda:0"); an
/// empty list means every device present. Throws effbench::Error naming the
/// value and what is present (exit code 2).
std::vector<std::string> resolve_devices(const std::vector<std::string>& requested);

/// "LibTorch 1.13.0, CUDA: no" (with CUDA/cuDNN versions when built with CUDA).
std::string torch_build_text();

/// Adds LibTorch, CUDA, GPU and BLAS facts to `info`.
void fill_torch_info(SystemInfo& info);

/// Synchronises the device (no-op on cpu).
void synchronize_device(const std::string& device);

}  // namespace effbench
