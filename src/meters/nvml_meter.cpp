#include "meters/nvml_meter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace effbench {

namespace {

std::string strip_gpu_prefix(const std::string& uuid) {
  return uuid.rfind("GPU-", 0) == 0 ? uuid.substr(4) : uuid;
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * fraction);
  return text;
}

std::string joules_text(double joules) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f J", joules);
  return text;
}

using ProcessListFn = nvml::Return (*)(nvml::Device, unsigned*, nvml::ProcessInfoV1*);

// Processes of one kind on `device` other than this one (Note [Others on a
// GPU]); false when NVML cannot list them. A list longer than the buffer is
// asked for again at the size NVML says (NVML fills nothing when the buffer
// is too small).
bool add_other_processes(ProcessListFn list, nvml::Device device, const std::string& kind,
                         std::vector<GpuProcess>& out) {
  if (list == nullptr) return false;
  std::vector<nvml::ProcessInfoV1> infos(kFirstGpuProcessListSize);
  unsigned count = kFirstGpuProcessListSize;
  nvml::Return rc = list(device, &count, infos.data());
  if (rc == nvml::kErrorInsufficientSize) {
    infos.resize(count + 8);  // room for processes started in between
    count = static_cast<unsigned>(infos.size());
    rc = list(device, &count, infos.data());
  }
  if (rc != nvml::kSuccess) return false;
  const auto own_pid = static_cast<unsigned>(getpid());
  for (unsigned i = 0; i < count && i < infos.size(); ++i) {
    if (infos[i].pid == own_pid) continue;
    GpuProcess process;
    process.pid = infos[i].pid;
    process.kind = kind;
    if (infos[i].used_gpu_memory != nvml::kValueNotAvailable)
      process.used_memory_bytes = static_cast<int64_t>(infos[i].used_gpu_memory);
    out.push_back(process);
  }
  return true;
}

}  // namespace

NvmlMeter::NvmlMeter(const MeterOptions& options, ClockFn clock)
    : options_(options), clock_(std::move(clock)) {
  if (options_.cuda_device_indices.empty()) return;
  nvml_ = std::make_unique<NvmlLibrary>(options_.nvml_library);
  if (nvml_->ok()) driver_version_ = nvml_->driver_version();
  const unsigned count = nvml_->ok() ? nvml_->device_count() : 0;
  for (size_t i = 0; i < options_.cuda_device_indices.size(); ++i) {
    Gpu gpu;
    const int cuda_index = options_.cuda_device_indices[i];
    gpu.device = "cuda:" + std::to_string(cuda_index);
    if (!nvml_->ok()) {
      gpu.reason = nvml_->error();
      gpus_.push_back(std::move(gpu));
      continue;
    }
    const std::string known_uuid = i < options_.cuda_device_uuids.size() ? options_.cuda_device_uuids[i] : "";
    // See Note [CUDA and NVML device order].
    const NvmlTarget target =
        nvml_target_for_cuda(cuda_index, std::getenv("CUDA_VISIBLE_DEVICES"), known_uuid);
    nvml::Return rc = nvml::kSuccess;
    if (!target.error.empty()) {
      gpu.reason = target.error;
    } else if (target.index) {
      rc = nvml_->device_get_handle_by_index(*target.index, &gpu.handle);
      if (rc != nvml::kSuccess) {
        gpu.reason = "nvmlDeviceGetHandleByIndex_v2(" + std::to_string(*target.index) +
                     ") failed: " + nvml_->error_string(rc);
      }
    } else {
      for (unsigned n = 0; n < count && gpu.handle == nullptr; ++n) {
        nvml::Device handle = nullptr;
        char uuid[nvml::kUuidBufferSize] = {};
        if (nvml_->device_get_handle_by_index(n, &handle) != nvml::kSuccess ||
            nvml_->device_get_uuid(handle, uuid, sizeof uuid) != nvml::kSuccess) {
          continue;
        }
        if (strip_gpu_prefix(uuid).rfind(strip_gpu_prefix(target.uuid), 0) == 0) gpu.handle = handle;
      }
      if (gpu.handle == nullptr) gpu.reason = "no NVML device has UUID " + target.uuid;
    }
    if (gpu.handle != nullptr) {
      char uuid[nvml::kUuidBufferSize] = {};
      if (nvml_->device_get_uuid(gpu.handle, uuid, sizeof uuid) == nvml::kSuccess) gpu.uuid = uuid;
      char name[nvml::kNameBufferSize] = {};
      if (nvml_->device_get_name != nullptr &&
          nvml_->device_get_name(gpu.handle, name, sizeof name) == nvml::kSuccess) {
        gpu.gpu_name = name;
      }
      gpu.available = true;
      unsigned long long mj = 0;
      if (nvml_->device_get_total_energy_consumption == nullptr) {
        gpu.counter_reason = "this NVML has no nvmlDeviceGetTotalEnergyConsumption";
      } else if ((rc = nvml_->device_get_total_energy_consumption(gpu.handle, &mj)) != nvml::kSuccess) {
        gpu.counter_reason = "nvmlDeviceGetTotalEnergyConsumption: " + nvml_->error_string(rc) +
                             " (the counter exists from Volta on)";
      } else {
        gpu.has_counter = true;
      }
    }
    gpus_.push_back(std::move(gpu));
  }
}

NvmlMeter::~NvmlMeter() { thread_.stop(); }

std::vector<MeterStatus> NvmlMeter::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<MeterStatus> out;
  for (const auto& gpu : gpus_) {
    const std::string detail = gpu.gpu_name + " " + gpu.uuid + ", driver " + driver_version_;
    out.push_back({"nvml", "nvml-energy-counter", "gpu-board", gpu.device, gpu.available && gpu.has_counter,
                   gpu.available ? gpu.counter_reason : gpu.reason, detail});
    out.push_back(
        {"nvml", "nvml-power-integral", "gpu-board", gpu.device, gpu.available, gpu.reason, detail});
  }
  return out;
}

DeviceState NvmlMeter::read_state(const Gpu& gpu) const {
  DeviceState state;
  nvml::Memory memory{};
  if (nvml_->device_get_memory_info(gpu.handle, &memory) == nvml::kSuccess) {
    state.memory_used_bytes = static_cast<int64_t>(memory.used);
  }
  unsigned value = 0;
  if (nvml_->device_get_temperature(gpu.handle, nvml::kTemperatureGpu, &value) == nvml::kSuccess) {
    state.temperature_c = value;
  }
  if (nvml_->device_get_clock_info(gpu.handle, nvml::kClockSm, &value) == nvml::kSuccess) {
    state.sm_clock_mhz = value;
  }
  if (nvml_->device_get_enforced_power_limit(gpu.handle, &value) == nvml::kSuccess) {
    state.power_limit_w = value / 1000.0;
  }
  unsigned long long reasons = 0;
  if (nvml_->device_get_current_clocks_throttle_reasons != nullptr &&
      nvml_->device_get_current_clocks_throttle_reasons(gpu.handle, &reasons) == nvml::kSuccess) {
    state.throttle_reasons = reasons;
    state.throttle_reason_names = throttle_reason_names(reasons);
  }
  std::vector<GpuProcess> others;
  const bool compute =
      add_other_processes(nvml_->device_get_compute_running_processes, gpu.handle, "compute", others);
  const bool graphics =
      add_other_processes(nvml_->device_get_graphics_running_processes, gpu.handle, "graphics", others);
  if (compute || graphics) state.other_processes = others;
  return state;
}

bool NvmlMeter::read_counter(Gpu& gpu, unsigned long long& mj, double& t_s) {
  const nvml::Return rc = nvml_->device_get_total_energy_consumption(gpu.handle, &mj);
  t_s = clock_();
  if (rc == nvml::kSuccess) return true;
  gpu.counter_ok = false;
  gpu.counter_error = "nvmlDeviceGetTotalEnergyConsumption failed: " + nvml_->error_string(rc);
  return false;
}

void NvmlMeter::start() {
  thread_.stop();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (gpus_.empty()) return;
    has_window_ = true;
    window_start_s_ = clock_();
    for (auto& gpu : gpus_) {
      gpu.points.clear();
      gpu.power_failures = 0;
      gpu.power_error.clear();
      gpu.counter_error.clear();
      if (!gpu.available) continue;
      gpu.state_start = read_state(gpu);
      if (gpu.has_counter) {
        gpu.counter_ok = true;
        read_counter(gpu, gpu.counter_start_mj, gpu.counter_start_s);
      }
    }
    sample_locked(clock_());
  }
  if (options_.sample_period_s > 0) thread_.start(options_.sample_period_s, [this] { sample(); });
}

void NvmlMeter::sample() {
  std::lock_guard<std::mutex> lock(mutex_);
  sample_locked(clock_());
}

void NvmlMeter::sample_locked(double t_s) {
  for (auto& gpu : gpus_) {
    if (!gpu.available) continue;
    unsigned mw = 0;
    const nvml::Return rc = nvml_->device_get_power_usage(gpu.handle, &mw);
    if (rc != nvml::kSuccess) {
      ++gpu.power_failures;
      gpu.power_error = "nvmlDeviceGetPowerUsage failed: " + nvml_->error_string(rc);
      continue;
    }
    gpu.points.push_back({t_s - window_start_s_, mw / 1000.0});
  }
}

void NvmlMeter::stop() {
  thread_.stop();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!has_window_) return;
  sample_locked(clock_());
  for (auto& gpu : gpus_) {
    if (!gpu.available) continue;
    if (gpu.has_counter && gpu.counter_ok) read_counter(gpu, gpu.counter_end_mj, gpu.counter_end_s);
    gpu.state_end = read_state(gpu);
  }
}

std::vector<EnergyReading> NvmlMeter::readings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<EnergyReading> out;
  for (const auto& gpu : gpus_) {
    EnergyReading base;
    base.scope = "gpu-board";
    base.device = gpu.device;
    base.measured = true;
    base.device_uuid = gpu.uuid;
    if (!gpu.available || !has_window_) {
      base.source = EnergySource::kNvmlEnergyCounter;
      base.unavailable_reason = !gpu.available ? gpu.reason : "no window was metered";
      out.push_back(base);
      continue;
    }
    base.state_start = gpu.state_start;
    base.state_end = gpu.state_end;

    // The power integral: always computed; a cross-check when the counter exists.
    EnergyReading integral = base;
    integral.source = EnergySource::kNvmlPowerIntegral;
    integral.cross_check = gpu.has_counter;
    if (gpu.points.size() < 2) {
      integral.unavailable_reason =
          "fewer than two power samples: " +
          (gpu.power_error.empty() ? std::string("window too short") : gpu.power_error);
    } else {
      integral.available = true;
      integral.joules = trapezoid_joules(gpu.points);
      integral.duration_s = gpu.points.back().t_s - gpu.points.front().t_s;
      integral.sensor_reads = static_cast<int64_t>(gpu.points.size());
      integral.period_s = integral.duration_s / static_cast<double>(gpu.points.size() - 1);
      if (integral.duration_s < kNvmlUpdatePeriodS) {
        integral.below_resolution = true;
        integral.joules = 0;
        integral.warnings.push_back("window of " + std::to_string(integral.duration_s) +
                                    " s is shorter than NVML's power update period (about 100 ms): below "
                                    "resolution");
      } else {
        integral.avg_power_w = integral.joules / integral.duration_s;
      }
      if (gpu.power_failures > 0) {
        integral.warnings.push_back(std::to_string(gpu.power_failures) + " power sample(s) failed (" +
                                    gpu.power_error + "); integrated across the gap");
      }
    }

    if (gpu.has_counter) {
      EnergyReading counter = base;
      counter.source = EnergySource::kNvmlEnergyCounter;
      if (!gpu.counter_ok) {
        counter.unavailable_reason = gpu.counter_error;
      } else if (gpu.counter_end_mj < gpu.counter_start_mj) {
        counter.unavailable_reason = "the energy counter went backwards (driver reloaded during the window?)";
      } else {
        counter.available = true;
        counter.duration_s = gpu.counter_end_s - gpu.counter_start_s;
        counter.joules = static_cast<double>(gpu.counter_end_mj - gpu.counter_start_mj) / 1000.0;
        counter.sensor_reads = 2;
        counter.period_s = counter.duration_s;
        // See Note [NVML resolution and averaging].
        if (counter.duration_s < kNvmlUpdatePeriodS || gpu.counter_end_mj == gpu.counter_start_mj) {
          counter.below_resolution = true;
          counter.joules = 0;
          counter.warnings.push_back("window of " + std::to_string(counter.duration_s) +
                                     " s is shorter than the energy counter's update period (or the counter "
                                     "did not move): below resolution");
        } else {
          counter.avg_power_w = counter.joules / counter.duration_s;
        }
      }
      if (counter.available && integral.available && !counter.below_resolution &&
          !integral.below_resolution && counter.joules > 0) {
        const double disagreement = std::abs(integral.joules - counter.joules) / counter.joules;
        if (disagreement > kNvmlCrossCheckTolerance) {
          const std::string warning =
              "energy counter " + joules_text(counter.joules) + " and power integral " +
              joules_text(integral.joules) + " disagree by " + percent(disagreement) + " (over " +
              percent(kNvmlCrossCheckTolerance) +
              "); NVML power is a ~1 s average on recent GPUs, so short windows and load steps skew the "
              "integral: the counter is the primary figure";
          counter.warnings.push_back(warning);
          integral.warnings.push_back(warning);
        }
      }
      out.push_back(counter);
    }
    out.push_back(integral);
  }
  return out;
}

std::vector<PowerTimeline> NvmlMeter::timelines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<PowerTimeline> out;
  for (const auto& gpu : gpus_) {
    if (!gpu.available || gpu.points.empty()) continue;
    out.push_back({"nvml-power", gpu.device, decimate(gpu.points, options_.max_timeline_points)});
  }
  return out;
}

std::optional<int64_t> NvmlMeter::device_used_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<int64_t> total;
  for (const auto& gpu : gpus_) {
    if (gpu.available && gpu.state_end.memory_used_bytes) {
      total = total.value_or(0) + *gpu.state_end.memory_used_bytes;
    }
  }
  return total;
}

std::vector<MeterStatus> probe_nvml(const std::string& nvml_library) {
  NvmlLibrary nvml(nvml_library);
  if (!nvml.ok()) return {{"nvml", "nvml-energy-counter", "gpu-board", "", false, nvml.error(), ""}};
  const unsigned count = nvml.device_count();
  if (count == 0)
    return {{"nvml", "nvml-energy-counter", "gpu-board", "", false, "NVML reports no GPUs", ""}};
  std::vector<MeterStatus> out;
  const std::string driver = nvml.driver_version();
  for (unsigned index = 0; index < count; ++index) {
    const std::string device = "nvml:" + std::to_string(index);
    nvml::Device handle = nullptr;
    nvml::Return rc = nvml.device_get_handle_by_index(index, &handle);
    if (rc != nvml::kSuccess) {
      out.push_back({"nvml", "nvml-power-integral", "gpu-board", device, false,
                     "nvmlDeviceGetHandleByIndex_v2 failed: " + nvml.error_string(rc), ""});
      continue;
    }
    char uuid[nvml::kUuidBufferSize] = {};
    char name[nvml::kNameBufferSize] = {};
    nvml.device_get_uuid(handle, uuid, sizeof uuid);
    if (nvml.device_get_name != nullptr) nvml.device_get_name(handle, name, sizeof name);
    const std::string detail = std::string(name) + " " + uuid + ", driver " + driver;
    unsigned long long mj = 0;
    rc = nvml.device_get_total_energy_consumption != nullptr
             ? nvml.device_get_total_energy_consumption(handle, &mj)
             : nvml::kErrorNotSupported;
    out.push_back({"nvml", "nvml-energy-counter", "gpu-board", device, rc == nvml::kSuccess,
                   rc == nvml::kSuccess ? "" : "energy counter: " + nvml.error_string(rc), detail});
    unsigned mw = 0;
    rc = nvml.device_get_power_usage(handle, &mw);
    out.push_back({"nvml", "nvml-power-integral", "gpu-board", device, rc == nvml::kSuccess,
                   rc == nvml::kSuccess ? "" : "power usage: " + nvml.error_string(rc), detail});
  }
  return out;
}

}  // namespace effbench
