#pragma once
// Named measurement windows over a MeterSet, the way Zeus's
// begin_window/end_window reads: a case opens a window around its timed
// span, a training case reads its window after every evaluation without
// stopping it, and windows may overlap.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "meters/meter_set.h"

namespace effbench {

/// What the meters saw over one named window.
struct WindowMeasurement {
  std::vector<EnergyReading> readings;  // one per source, scope, device, basis (summed over segments)
  std::vector<PowerTimeline> timelines;
  std::optional<int64_t> device_used_bytes;  // NVML, at the window's end (optional)
  double duration_s = 0;                     // longest reading's duration
};

// Note [Named meter windows]
// A meter reports a window only once it is stopped, so the set is metered as
// consecutive segments: every begin, read and end of a window cuts the
// current segment (stop, keep its readings, start again while a window is
// open). A window's measurement is the sum of the segments since it began:
// joules, duration and sensor samples add up per (source, scope, device,
// basis, cross-check); a segment below a sensor's resolution marks the sum
// below resolution, which keeps it out of the measured total. Only the
// microseconds between a stop and the next start go unmetered. Callers cut
// right after synchronising their device, as for any window.
class MeterWindows {
 public:
  /// `meters` must outlive this object; nothing else may start or stop them.
  explicit MeterWindows(MeterSet& meters) : meters_(meters) {}

  /// Opens window `name`; starts the meters when it is the first open one.
  /// Throws effbench::Error when `name` is open already.
  void begin_window(const std::string& name);

  /// The measurement of open window `name` so far; the window stays open.
  /// joules_per_sample = joules / samples_processed (0 when samples_processed <= 0).
  WindowMeasurement read_window(const std::string& name, int64_t samples_processed = 0);

  /// Closes window `name` and returns its measurement; the meters stop when
  /// no window is left open. Throws effbench::Error when `name` is not open.
  WindowMeasurement end_window(const std::string& name, int64_t samples_processed = 0);

 private:
  struct Segment {
    std::vector<EnergyReading> readings;
    std::vector<PowerTimeline> timelines;
    std::optional<int64_t> device_used_bytes;
  };
  void cut();  // closes the running segment (if any) and starts the next while a window is open
  WindowMeasurement sum_since(size_t first_segment, int64_t samples_processed) const;

  MeterSet& meters_;
  bool running_ = false;
  std::vector<Segment> segments_;       // since the oldest open window began
  std::map<std::string, size_t> open_;  // window name -> its first segment
};

}  // namespace effbench
