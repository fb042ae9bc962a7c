#pragma once
// NVIDIA GPU board energy through NVML: the total-energy counter where the
// GPU has one (Volta and newer), and a power-sampling thread whose trapezoid
// integral gives the timeline, serves GPUs without the counter and
// cross-checks it.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "meters/meter.h"
#include "meters/nvml_library.h"
#include "meters/sampling.h"

namespace effbench {

// Note [NVML resolution and averaging]
// nvmlDeviceGetTotalEnergyConsumption (mJ since driver load) and
// nvmlDeviceGetPowerUsage (mW) are refreshed by the driver, not on each call:
// about every 100 ms on recent GPUs (NVML documents no figure; 100 ms is our
// working value). A window shorter than that, or one in which the counter did
// not move, is "below resolution", never 0 J. On Ampere (except GA100) and
// newer, GetPowerUsage is a 1 s moving average, so the power integral lags
// load steps: for short windows it can disagree with the counter; the counter
// is then the primary figure and the integral a cross-check.
inline constexpr double kNvmlUpdatePeriodS = 0.1;

// Note [Others on a GPU]
// Another process's kernels share the GPU's time with effbench's, and the
// windows of a case agree with each other all the same (Note [Busy
// machine]). So each window's start and end state lists the compute and
// graphics processes NVML sees on the GPU (the unversioned, v1-layout calls,
// which every driver keeps), leaving out effbench's own process. A case with
// any is warned about (gpu_state_warnings() in meters/machine_load.h). NVML
// gives PIDs as the driver sees them: in a container with its own PID
// namespace effbench's process may not be recognised, and is then listed
// among the others; the warning says so.
/// Processes asked for first per GPU and kind; a longer list is asked for again at its size.
inline constexpr unsigned kFirstGpuProcessListSize = 64;

/// Relative disagreement between counter and power integral that warns.
inline constexpr double kNvmlCrossCheckTolerance = 0.05;

/// Meters the GPUs in options.cuda_device_indices through NVML.
class NvmlMeter : public Meter {
 public:
  /// Loads options.nvml_library and resolves each CUDA device; never throws.
  explicit NvmlMeter(const MeterOptions& options, ClockFn clock = steady_now_s);
  ~NvmlMeter() override;

  std::string name() const override { return "nvml"; }
  std::vector<MeterStatus> status() const override;
  void start() override;
  void stop() override;
  std::vector<EnergyReading> readings() const override;
  std::vector<PowerTimeline> timelines() const override;
  std::optional<int64_t> device_used_bytes() const override;

  /// Takes one power sample of every GPU now. The sampling thread calls it;
  /// tests call it to play a scripted sequence. Thread-safe.
  void sample();

 private:
  struct Gpu {
    std::string device;  // "cuda:0"
    nvml::Device handle = nullptr;
    std::string uuid;
    std::string gpu_name;
    bool available = false;
    std::string reason;
    bool has_counter = false;
    std::string counter_reason;  // why there is no counter
    // The last window.
    bool counter_ok = false;
    std::string counter_error;
    unsigned long long counter_start_mj = 0;
    unsigned long long counter_end_mj = 0;
    double counter_start_s = 0;
    double counter_end_s = 0;
    std::vector<PowerPoint> points;  // t_s from the window start
    int64_t power_failures = 0;
    std::string power_error;
    DeviceState state_start;
    DeviceState state_end;
  };
  DeviceState read_state(const Gpu& gpu) const;
  bool read_counter(Gpu& gpu, unsigned long long& mj, double& t_s);
  void sample_locked(double t_s);

  MeterOptions options_;
  ClockFn clock_;
  std::unique_ptr<NvmlLibrary> nvml_;
  std::string driver_version_;
  mutable std::mutex mutex_;
  std::vector<Gpu> gpus_;
  double window_start_s_ = 0;
  bool has_window_ = false;
  PeriodicThread thread_;
};

/// `effbench list meters` lines for every GPU NVML sees (or one unavailable
/// line saying why NVML cannot be used).
std::vector<MeterStatus> probe_nvml(const std::string& nvml_library);

}  // namespace effbench
