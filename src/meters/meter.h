#pragma once
// The one interface every energy source implements, and the settings they
// share. No torch: the runner synchronises its device before calling start()
// and stop(), so a meter only ever sees wall-clock windows.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

/// Settings of every meter; the sysfs, proc and library paths are settings so
/// that tests can point them at fakes.
struct MeterOptions {
  std::string powercap_root = "/sys/class/powercap";
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string proc_root = "/proc";  // /proc/stat for the CPU utilisation of the estimate
  std::optional<double> cpu_tdp_w;  // --cpu-tdp (optional): CPU power at full load, watts
  std::string cpu_model;            // looked up in the shipped TDP table
  int64_t logical_cores = 0;        // 0: std::thread::hardware_concurrency()
  double sample_period_s = 0.05;    // sampling threads' period; <= 0: no thread, reads at start/stop only
  std::vector<int> cuda_device_indices;        // CUDA devices to meter through NVML (empty: none)
  std::vector<std::string> cuda_device_uuids;  // same order as the indices (optional; exact match)
  size_t max_timeline_points = 512;            // timelines are decimated above this
};

/// The options that meter `devices` on `host`: each CUDA device among them
/// once, in the order first seen, and the host's CPU for the estimate.
MeterOptions meter_options_for(const std::vector<Device>& devices, const SystemInfo& host);

/// What `effbench list meters` shows for one source (one line each).
struct MeterStatus {
  std::string name;    // "rapl", "nvml", "estimate"
  std::string source;  // as in EnergyReading::source
  std::string scope;   // as in EnergyReading::scope
  std::string device;  // "package-0", "cuda:0", "cpu"
  bool available = false;
  std::string reason;  // why not, and the fix, when !available
  std::string detail;  // what was found, when available (GPU name, UUID, driver, TDP)
};

/// One energy source. start()/stop() bracket a window and are called from one
/// thread (the runner's); a meter may sample on its own thread in between.
class Meter {
 public:
  virtual ~Meter() = default;
  /// Short source family name: "rapl", "nvml", "estimate".
  virtual std::string name() const = 0;
  /// Availability of each reading this meter can produce; never throws.
  virtual std::vector<MeterStatus> status() const = 0;
  /// Begins a window; starts this source's sampling thread if it has one.
  virtual void start() = 0;
  /// Ends the window; joins the sampling thread.
  virtual void stop() = 0;
  /// Readings of the last start()/stop() window (joules_per_sample left 0).
  virtual std::vector<EnergyReading> readings() const = 0;
  /// Power timelines of the last window, at most max_timeline_points each.
  virtual std::vector<PowerTimeline> timelines() const { return {}; }
  /// Device memory in use at the last stop(), bytes (optional; NVML only).
  virtual std::optional<int64_t> device_used_bytes() const { return std::nullopt; }
};

}  // namespace effbench
