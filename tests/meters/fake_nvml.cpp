// A stand-in libnvidia-ml for the tests: exports the NVML entry points effbench
// uses and answers from a control file named by $FAKE_NVML_CONTROL, re-read on
// every call so a test can change values between calls. Lines are
// `key=value`; `key.N=value` overrides `key` for device N. Keys: init_error,
// device_count, handle_error, energy_mj, energy_error, power_mw, power_error,
// uuid, name, memory_used, temperature, sm_clock, power_limit_mw, throttle,
// driver_version, compute_processes, graphics_processes (a comma-separated
// list of pid:bytes; "self" is the calling process, bytes "na" is
// NVML_VALUE_NOT_AVAILABLE). *_error values are NVML return codes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

std::map<std::string, std::string> control() {
  std::map<std::string, std::string> values;
  const char* path = std::getenv("FAKE_NVML_CONTROL");
  if (path == nullptr) return values;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

std::string get(const std::string& key, int device, const std::string& fallback) {
  const auto values = control();
  if (device >= 0) {
    const auto it = values.find(key + "." + std::to_string(device));
    if (it != values.end()) return it->second;
  }
  const auto it = values.find(key);
  return it != values.end() ? it->second : fallback;
}

unsigned long long number(const std::string& key, int device, unsigned long long fallback) {
  return std::strtoull(get(key, device, std::to_string(fallback)).c_str(), nullptr, 10);
}

int index_of(void* device) { return static_cast<int>(reinterpret_cast<std::uintptr_t>(device)) - 1; }

int copy_text(const std::string& text, char* buffer, unsigned length) {
  if (text.size() + 1 > length) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::memcpy(buffer, text.c_str(), text.size() + 1);
  return 0;
}

}  // namespace

extern "C" {

struct nvmlMemory_t {
  unsigned long long total, free, used;
};

int nvmlInit_v2() { return static_cast<int>(number("init_error", -1, 0)); }
int nvmlShutdown() { return 0; }
const char* nvmlErrorString(int code) {
  switch (code) {
    case 0:
      return "Success";
    case 3:
      return "Not Supported";
    case 4:
      return "Insufficient Permissions";
    case 9:
      return "Driver Not Loaded";
    case 15:
      return "GPU is lost";
    default:
      return "Unknown Error";
  }
}
int nvmlSystemGetDriverVersion(char* version, unsigned length) {
  return copy_text(get("driver_version", -1, "999.99"), version, length);
}
int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = static_cast<unsigned>(number("device_count", -1, 1));
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  if (index >= number("device_count", -1, 1)) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  if (const int rc = static_cast<int>(number("handle_error", static_cast<int>(index), 0))) return rc;
  *device = reinterpret_cast<void*>(static_cast<std::uintptr_t>(index) + 1);
  return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* energy_mj) {
  if (const int rc = static_cast<int>(number("energy_error", index_of(device), 0))) return rc;
  *energy_mj = number("energy_mj", index_of(device), 0);
  return 0;
}
int nvmlDeviceGetPowerUsage(void* device, unsigned* power_mw) {
  if (const int rc = static_cast<int>(number("power_error", index_of(device), 0))) return rc;
  *power_mw = static_cast<unsigned>(number("power_mw", index_of(device), 0));
  return 0;
}
int nvmlDeviceGetUUID(void* device, char* uuid, unsigned length) {
  return copy_text(get("uuid", index_of(device), "GPU-fake-" + std::to_string(index_of(device))), uuid,
                   length);
}
int nvmlDeviceGetName(void* device, char* name, unsigned length) {
  return copy_text(get("name", index_of(device), "Fake GPU"), name, length);
}
int nvmlDeviceGetMemoryInfo(void* device, nvmlMemory_t* memory) {
  memory->total = 80ull << 30;
  memory->used = number("memory_used", index_of(device), 0);
  memory->free = memory->total - memory->used;
  return 0;
}
int nvmlDeviceGetTemperature(void* device, int sensor, unsigned* celsius) {
  if (sensor != 0) return 2;
  *celsius = static_cast<unsigned>(number("temperature", index_of(device), 40));
  return 0;
}
int nvmlDeviceGetClockInfo(void* device, int type, unsigned* mhz) {
  if (type != 1) return 2;  // effbench asks for NVML_CLOCK_SM only
  *mhz = static_cast<unsigned>(number("sm_clock", index_of(device), 1400));
  return 0;
}
int nvmlDeviceGetEnforcedPowerLimit(void* device, unsigned* limit_mw) {
  *limit_mw = static_cast<unsigned>(number("power_limit_mw", index_of(device), 300000));
  return 0;
}
int nvmlDeviceGetCurrentClocksThrottleReasons(void* device, unsigned long long* reasons) {
  *reasons = number("throttle", index_of(device), 0);
  return 0;
}

struct nvmlProcessInfo_v1_t {
  unsigned pid;
  unsigned long long usedGpuMemory;
};

static int list_processes(const std::string& key, void* device, unsigned* count,
                          nvmlProcessInfo_v1_t* infos) {
  std::vector<nvmlProcessInfo_v1_t> listed;
  std::stringstream items(get(key, index_of(device), ""));
  for (std::string item; std::getline(items, item, ',');) {
    const auto colon = item.find(':');
    const std::string pid = item.substr(0, colon), bytes = item.substr(colon + 1);
    listed.push_back(
        {pid == "self" ? static_cast<unsigned>(getpid()) : static_cast<unsigned>(std::stoul(pid)),
         bytes == "na" ? ~0ULL : std::stoull(bytes)});
  }
  // Like NVML: a buffer too small gets nothing, only the size it needs.
  const bool fits = listed.size() <= *count;
  if (fits) {
    for (size_t i = 0; i < listed.size(); ++i) infos[i] = listed[i];
  }
  *count = static_cast<unsigned>(listed.size());
  return fits ? 0 : 7;  // NVML_ERROR_INSUFFICIENT_SIZE
}
int nvmlDeviceGetComputeRunningProcesses(void* device, unsigned* count, nvmlProcessInfo_v1_t* infos) {
  return list_processes("compute_processes", device, count, infos);
}
int nvmlDeviceGetGraphicsRunningProcesses(void* device, unsigned* count, nvmlProcessInfo_v1_t* infos) {
  return list_processes("graphics_processes", device, count, infos);
}

}  // extern "C"
