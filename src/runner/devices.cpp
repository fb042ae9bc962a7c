#include "runner/devices.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/error.h"

#ifdef EFFBENCH_HAS_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace effbench {
namespace {

int64_t cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int64_t>(torch::cuda::device_count()) : 0;
}

std::string present_devices_text() {
  std::string text;
  for (const auto& d : available_devices()) text += (text.empty() ? "" : ", ") + d.device.str();
  return text;
}

// The BLAS library the process actually mapped: Debian resolves libblas.so.3
// through alternatives, and the reference BLAS is several times slower.
std::string mapped_blas_library() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    if (path.find("libblas.so") != std::string::npos || path.find("libopenblas") != std::string::npos ||
        path.find("libmkl") != std::string::npos) {
      return path;
    }
  }
  return "";
}

}  // namespace

std::vector<DeviceDescription> available_devices() {
  std::vector<DeviceDescription> devices;
  const SystemInfo host = read_host_info();
  devices.push_back({Device(), host.cpu_model, host.memory_bytes,
                     std::to_string(host.logical_cores) + " logical cores, " +
                         std::to_string(host.physical_cores) + " physical; LibTorch threads " +
                         std::to_string(torch::get_num_threads())});
  for (int64_t i = 0; i < cuda_device_count(); ++i) {
    DeviceDescription d;
    d.device = Device::cuda(i);
#ifdef EFFBENCH_HAS_CUDA
    const cudaDeviceProp* props = at::cuda::getDeviceProperties(static_cast<int>(i));
    d.name = props->name;
    d.memory_bytes = static_cast<int64_t>(props->totalGlobalMem);
    d.detail = "compute capability " + std::to_string(props->major) + "." + std::to_string(props->minor) +
               ", " + std::to_string(props->multiProcessorCount) + " SMs";
#else
    d.name = "CUDA device";
#endif
    devices.push_back(d);
  }
  return devices;
}

std::vector<Device> resolve_devices(const std::vector<std::string>& requested) {
  std::vector<Device> devices;
  if (requested.empty()) {
    for (const auto& d : available_devices()) devices.push_back(d.device);
    return devices;
  }
  const int64_t gpus = cuda_device_count();
  for (const std::string& value : requested) {
    Device device;
    try {
      device = Device::parse(value, "--device");
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (present: " + present_devices_text() + ")");
    }
    if (device.is_cuda() && gpus == 0) {
      throw Error("--device " + value + ": no CUDA device is available (LibTorch " + TORCH_VERSION +
                  (torch::cuda::is_available() ? "" : ", built without CUDA or no GPU/driver found") +
                  "); devices present: " + present_devices_text());
    }
    EFFBENCH_CHECK(device.index() < gpus || device.is_cpu(), "--device ", value, ": only ", gpus,
                   " CUDA device(s) present; devices present: ", present_devices_text());
    if (std::find(devices.begin(), devices.end(), device) == devices.end()) devices.push_back(device);
  }
  return devices;
}

std::string torch_build_text() {
  std::string text = std::string("LibTorch ") + TORCH_VERSION;
#ifdef EFFBENCH_HAS_CUDA
  text +=
      ", CUDA: yes (built with CUDA support; " + std::to_string(cuda_device_count()) + " device(s) visible)";
#else
  text += ", CUDA: no (CPU-only LibTorch build)";
#endif
  return text;
}

void fill_torch_info(SystemInfo& info) {
  info.torch_version = TORCH_VERSION;
  // A small matmul makes sure the BLAS library is loaded before /proc/self/maps is read.
  (void)torch::mm(torch::ones({2, 2}), torch::ones({2, 2}));
  info.blas = mapped_blas_library();
#ifdef EFFBENCH_HAS_CUDA
  info.torch_cuda = true;
  info.cuda_version = std::to_string(CUDA_VERSION / 1000) + "." + std::to_string((CUDA_VERSION % 1000) / 10);
  if (torch::cuda::cudnn_is_available())
    info.cudnn_version = std::to_string(at::detail::getCUDAHooks().versionCuDNN());
#endif
  for (const auto& d : available_devices()) {
    if (d.device.is_cpu()) continue;
    GpuInfo gpu;
    gpu.index = d.device.index();
    gpu.name = d.name;
    gpu.memory_bytes = d.memory_bytes;
#ifdef EFFBENCH_HAS_CUDA
    const cudaDeviceProp* props = at::cuda::getDeviceProperties(static_cast<int>(gpu.index));
    gpu.compute_capability = std::to_string(props->major) + "." + std::to_string(props->minor);
#endif
    info.gpus.push_back(gpu);
  }
}

void synchronize_device(const Device& device) {
  if (!device.is_cuda()) return;
#ifdef EFFBENCH_HAS_CUDA
  torch::cuda::synchronize(device.index());
#endif
}

}  // namespace effbench
