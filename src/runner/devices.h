#pragma once
// Devices LibTorch can run on here. Torch-free interface.

#include <cstdint>
#include <string>
#include <vector>

#include "core/system_info.h"
#include "core/vocabulary.h"

namespace effbench {

struct DeviceDescription {
  Device device;
  std::string name;  // CPU model or GPU name
  int64_t memory_bytes = 0;
  std::string detail;  // threads, compute capability, ...
};

/// cpu, then every CUDA device LibTorch can use.
std::vector<DeviceDescription> available_devices();

/// Parses --device values ("cuda" is cuda:0), each once; an empty list means
/// every device present. Throws effbench::Error naming the value and what is
/// present (exit code 2).
std::vector<Device> resolve_devices(const std::vector<std::string>& requested);

/// "LibTorch 1.13.0, CUDA: no" (with CUDA/cuDNN versions when built with CUDA).
std::string torch_build_text();

/// Adds LibTorch, CUDA, GPU and BLAS facts to `info`.
void fill_torch_info(SystemInfo& info);

/// Synchronises the device (no-op on cpu).
void synchronize_device(const Device& device);

}  // namespace effbench
