#pragma once
// Every energy source of a run behind one object: the runner starts and stops
// it around a case's timed windows and copies its readings into the record.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "meters/meter.h"

namespace effbench {

class MeterSet {
 public:
  /// Probes every source and keeps those that apply: RAPL (its unavailable
  /// reading says why when it cannot be read), NVML for
  /// options.cuda_device_indices, and the CPU estimate only when no RAPL
  /// package zone can be read. Never throws for a missing sensor.
  static MeterSet create(const MeterOptions& options);
  /// One line per source and zone/GPU, available or not, for `effbench list meters`.
  static std::vector<MeterStatus> probe(const MeterOptions& options);

  /// A set of given meters (tests, custom sources).
  explicit MeterSet(std::vector<std::unique_ptr<Meter>> meters);
  MeterSet(MeterSet&&) = default;
  MeterSet& operator=(MeterSet&&) = default;

  /// Starts every meter. Call right before a case's first timed window,
  /// after synchronising the device.
  void start();
  /// Stops every meter. Call right after the last timed window, after
  /// synchronising the device.
  void stop();
  /// Readings of the last start/stop window, with joules_per_sample =
  /// joules / samples_processed (0 when samples_processed <= 0). After
  /// measure_idle(), each measured source's gross reading is followed by a
  /// "net" one (basis "net": gross - idle power x duration).
  std::vector<EnergyReading> readings(int64_t samples_processed) const;
  /// Power timelines of the last window, each at most max_timeline_points long.
  std::vector<PowerTimeline> timelines() const;
  /// NVML memory used on the metered GPUs at the last stop(), bytes (optional),
  /// for MemoryUsage::device_used_bytes.
  std::optional<int64_t> device_used_bytes() const;
  /// Idle baseline (--idle-s): meters `seconds` with nothing running (this
  /// thread sleeps) and keeps each measured source's average power with its
  /// half-width (Note [Energy uncertainty]). Throws effbench::Error when
  /// seconds <= 0.
  void measure_idle(double seconds);
  /// Idle power of a source (source, scope, device), watts, when measured.
  std::optional<double> idle_power_w(EnergySource source, const std::string& scope,
                                     const std::string& device) const;
  /// Status of each kept meter's readings.
  std::vector<MeterStatus> status() const;

 private:
  using Key = std::tuple<EnergySource, std::string, std::string>;  // source, scope, device
  std::vector<std::unique_ptr<Meter>> meters_;
  std::map<Key, Uncertain> idle_power_w_;  // watts ± half-width
};

}  // namespace effbench
