#include "meters/nvml_library.h"

#include <dlfcn.h>

#include <sstream>

namespace effbench {

namespace {

template <typename Fn>
bool resolve(void* handle, const char* symbol, Fn& fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, symbol));
  return fn != nullptr;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

NvmlLibrary::NvmlLibrary(const std::string& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = dlerror();
    error_ = "cannot load " + path + " (no NVIDIA driver?): " + (why ? why : "unknown dlopen error");
    return;
  }
  const char* missing = nullptr;
  if (!resolve(handle_, "nvmlInit_v2", init_)) missing = "nvmlInit_v2";
  if (!resolve(handle_, "nvmlShutdown", shutdown_)) missing = "nvmlShutdown";
  if (!resolve(handle_, "nvmlErrorString", error_string_)) missing = "nvmlErrorString";
  if (!resolve(handle_, "nvmlSystemGetDriverVersion", system_get_driver_version_))
    missing = "nvmlSystemGetDriverVersion";
  if (!resolve(handle_, "nvmlDeviceGetCount_v2", device_get_count_)) missing = "nvmlDeviceGetCount_v2";
  if (!resolve(handle_, "nvmlDeviceGetHandleByIndex_v2", device_get_handle_by_index))
    missing = "nvmlDeviceGetHandleByIndex_v2";
  if (!resolve(handle_, "nvmlDeviceGetPowerUsage", device_get_power_usage))
    missing = "nvmlDeviceGetPowerUsage";
  if (!resolve(handle_, "nvmlDeviceGetUUID", device_get_uuid)) missing = "nvmlDeviceGetUUID";
  if (!resolve(handle_, "nvmlDeviceGetMemoryInfo", device_get_memory_info))
    missing = "nvmlDeviceGetMemoryInfo";
  if (!resolve(handle_, "nvmlDeviceGetTemperature", device_get_temperature))
    missing = "nvmlDeviceGetTemperature";
  if (!resolve(handle_, "nvmlDeviceGetClockInfo", device_get_clock_info)) missing = "nvmlDeviceGetClockInfo";
  if (!resolve(handle_, "nvmlDeviceGetEnforcedPowerLimit", device_get_enforced_power_limit))
    missing = "nvmlDeviceGetEnforcedPowerLimit";
  // Optional: absent on old drivers (energy counter: Volta and newer) or
  // renamed on new ones (throttle reasons -> clocks event reasons).
  resolve(handle_, "nvmlDeviceGetTotalEnergyConsumption", device_get_total_energy_consumption);
  resolve(handle_, "nvmlDeviceGetName", device_get_name);
  resolve(handle_, "nvmlDeviceGetCurrentClocksThrottleReasons", device_get_current_clocks_throttle_reasons);
  resolve(handle_, "nvmlDeviceGetComputeRunningProcesses", device_get_compute_running_processes);
  resolve(handle_, "nvmlDeviceGetGraphicsRunningProcesses", device_get_graphics_running_processes);
  if (missing != nullptr) {
    error_ = path + " lacks " + missing + " (driver too old?)";
    return;
  }
  const nvml::Return rc = init_();
  if (rc != nvml::kSuccess) {
    error_ = "nvmlInit_v2 failed: " + error_string(rc);
    return;
  }
  initialised_ = true;
  ok_ = true;
}

NvmlLibrary::~NvmlLibrary() {
  if (initialised_ && shutdown_ != nullptr) shutdown_();
  if (handle_ != nullptr) dlclose(handle_);
}

std::string NvmlLibrary::error_string(nvml::Return code) const {
  const char* text = error_string_ != nullptr ? error_string_(code) : nullptr;
  return std::string(text != nullptr ? text : "NVML error") + " (" + std::to_string(code) + ")";
}

std::string NvmlLibrary::driver_version() const {
  char buffer[nvml::kDriverVersionBufferSize] = {};
  if (!ok_ || system_get_driver_version_(buffer, sizeof buffer) != nvml::kSuccess) return "";
  return buffer;
}

unsigned NvmlLibrary::device_count() const {
  unsigned count = 0;
  if (!ok_ || device_get_count_(&count) != nvml::kSuccess) return 0;
  return count;
}

std::vector<std::string> throttle_reason_names(uint64_t mask) {
  // nvmlClocksThrottleReason* bits, from nvml.h.
  static const std::pair<uint64_t, const char*> kBits[] = {
      {0x1, "gpu_idle"},
      {0x2, "applications_clocks_setting"},
      {0x4, "sw_power_cap"},
      {0x8, "hw_slowdown"},
      {0x10, "sync_boost"},
      {0x20, "sw_thermal_slowdown"},
      {0x40, "hw_thermal_slowdown"},
      {0x80, "hw_power_brake_slowdown"},
      {0x100, "display_clock_setting"},
  };
  std::vector<std::string> names;
  uint64_t known = 0;
  for (const auto& [bit, name] : kBits) {
    known |= bit;
    if (mask & bit) names.push_back(name);
  }
  if (mask & ~known) {
    std::ostringstream other;
    other << "other_0x" << std::hex << (mask & ~known);
    names.push_back(other.str());
  }
  return names;
}

NvmlTarget nvml_target_for_cuda(int cuda_index, const char* cuda_visible_devices, const std::string& uuid) {
  NvmlTarget target;
  if (!uuid.empty()) {
    target.uuid = uuid;
    return target;
  }
  if (cuda_index < 0) {
    target.error = "CUDA device index " + std::to_string(cuda_index) + " is negative";
    return target;
  }
  if (cuda_visible_devices == nullptr) {
    target.index = static_cast<unsigned>(cuda_index);
    return target;
  }
  std::vector<std::string> entries;
  std::stringstream list(cuda_visible_devices);
  for (std::string entry; std::getline(list, entry, ',');) entries.push_back(trim(entry));
  if (static_cast<size_t>(cuda_index) >= entries.size()) {
    target.error = "cuda:" + std::to_string(cuda_index) + " is not in CUDA_VISIBLE_DEVICES='" +
                   cuda_visible_devices + "'";
    return target;
  }
  const std::string& entry = entries[static_cast<size_t>(cuda_index)];
  if (entry.rfind("GPU-", 0) == 0) {
    target.uuid = entry;
  } else if (entry.rfind("MIG-", 0) == 0) {
    target.error = "cuda:" + std::to_string(cuda_index) + " is a MIG instance (" + entry +
                   "); NVML meters whole GPUs only";
  } else if (!entry.empty() && entry.size() <= 9 &&
             entry.find_first_not_of("0123456789") == std::string::npos) {
    target.index = static_cast<unsigned>(std::stoul(entry));
  } else {
    target.error = "cannot read CUDA_VISIBLE_DEVICES entry '" + entry + "'";
  }
  return target;
}

}  // namespace effbench
