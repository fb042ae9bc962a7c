#pragma once
// NVML loaded at run time with dlopen, so that one binary runs with or without
// an NVIDIA driver. No NVML header exists on build machines: the few types and
// constants used are declared here, from NVML's documented ABI.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace effbench {

namespace nvml {
using Return = int;  // nvmlReturn_t
struct DeviceSt;
using Device = DeviceSt*;  // nvmlDevice_t
struct Memory {            // nvmlMemory_t (v1)
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct ProcessInfoV1 {  // nvmlProcessInfo_v1_t, of the unversioned *RunningProcesses calls
  unsigned pid;
  unsigned long long used_gpu_memory;  // bytes, or kValueNotAvailable
};
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr unsigned long long kValueNotAvailable = ~0ULL;  // NVML_VALUE_NOT_AVAILABLE
inline constexpr int kTemperatureGpu = 0;                        // NVML_TEMPERATURE_GPU
inline constexpr int kClockSm = 1;                               // NVML_CLOCK_SM
inline constexpr unsigned kUuidBufferSize = 96;
inline constexpr unsigned kNameBufferSize = 96;
inline constexpr unsigned kDriverVersionBufferSize = 80;
}  // namespace nvml

/// The loaded NVML library with its entry points; nvmlInit_v2 on load,
/// nvmlShutdown and dlclose on destruction. Calls are thread-safe (NVML is).
class NvmlLibrary {
 public:
  /// Loads `path` (a soname or file) and initialises NVML. Never throws:
  /// check ok() and error().
  explicit NvmlLibrary(const std::string& path);
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  bool ok() const { return ok_; }
  /// Why loading or initialisation failed.
  const std::string& error() const { return error_; }
  /// NVML's text for a return code.
  std::string error_string(nvml::Return code) const;
  std::string driver_version() const;
  unsigned device_count() const;

  // Entry points (null when the library lacks the optional ones).
  nvml::Return (*device_get_handle_by_index)(unsigned, nvml::Device*) = nullptr;
  nvml::Return (*device_get_total_energy_consumption)(nvml::Device, unsigned long long*) = nullptr;  // mJ
  nvml::Return (*device_get_power_usage)(nvml::Device, unsigned*) = nullptr;                         // mW
  nvml::Return (*device_get_uuid)(nvml::Device, char*, unsigned) = nullptr;
  nvml::Return (*device_get_name)(nvml::Device, char*, unsigned) = nullptr;  // (optional)
  nvml::Return (*device_get_memory_info)(nvml::Device, nvml::Memory*) = nullptr;
  nvml::Return (*device_get_temperature)(nvml::Device, int, unsigned*) = nullptr;
  nvml::Return (*device_get_clock_info)(nvml::Device, int, unsigned*) = nullptr;
  nvml::Return (*device_get_enforced_power_limit)(nvml::Device, unsigned*) = nullptr;  // mW
  nvml::Return (*device_get_current_clocks_throttle_reasons)(nvml::Device,
                                                             unsigned long long*) = nullptr;  // (optional)
  // The unversioned (v1 ABI) process lists: the one layout every driver keeps (optional).
  nvml::Return (*device_get_compute_running_processes)(nvml::Device, unsigned*,
                                                       nvml::ProcessInfoV1*) = nullptr;
  nvml::Return (*device_get_graphics_running_processes)(nvml::Device, unsigned*,
                                                        nvml::ProcessInfoV1*) = nullptr;  // (optional)

 private:
  void* handle_ = nullptr;
  bool ok_ = false;
  bool initialised_ = false;
  std::string error_;
  nvml::Return (*init_)() = nullptr;
  nvml::Return (*shutdown_)() = nullptr;
  const char* (*error_string_)(nvml::Return) = nullptr;
  nvml::Return (*system_get_driver_version_)(char*, unsigned) = nullptr;
  nvml::Return (*device_get_count_)(unsigned*) = nullptr;
};

/// Names of the set bits of an NVML clocks-throttle-reasons mask
/// ("gpu_idle", "sw_power_cap", "hw_thermal_slowdown", ...).
std::vector<std::string> throttle_reason_names(uint64_t mask);

// Note [CUDA and NVML device order]
// CUDA numbers devices fastest-first and honours CUDA_VISIBLE_DEVICES; NVML
// numbers them by PCI bus and sees every GPU. A UUID maps exactly; failing
// that, CUDA_VISIBLE_DEVICES entries are read (an index, or a "GPU-" UUID
// prefix), and an index is assumed to be in PCI order, which holds with
// CUDA_DEVICE_ORDER=PCI_BUS_ID or identical GPUs.
struct NvmlTarget {
  std::optional<unsigned> index;  // NVML index, when known directly
  std::string uuid;               // UUID or prefix to match, when given instead
  std::string error;              // why the CUDA device cannot be mapped
};
/// Resolves CUDA device `cuda_index` given CUDA_VISIBLE_DEVICES (null: unset)
/// and an optional known UUID.
NvmlTarget nvml_target_for_cuda(int cuda_index, const char* cuda_visible_devices, const std::string& uuid);

}  // namespace effbench
