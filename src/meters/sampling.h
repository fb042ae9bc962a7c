#pragma once
// Building blocks shared by the meters: clocks, small-file reads with errno,
// wrapping counters, trapezoid integration, decimation and the sampling thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "results/record.h"

namespace effbench {

/// A source of time in seconds (any epoch; only differences are used).
/// Meters take one so that tests can script timestamps; it must be callable
/// from the sampling thread.
using ClockFn = std::function<double()>;

/// Seconds on the steady clock: the default ClockFn.
double steady_now_s();

/// CPU seconds of this process, user + system, all its threads.
double process_cpu_s();

/// CPU seconds, user + system, of this process's children that have ended
/// and been waited for, with what they waited for (RUSAGE_CHILDREN).
double waited_children_cpu_s();

/// Result of reading a small text file (sysfs, procfs).
struct FileRead {
  bool ok = false;
  std::string text;
  int error = 0;  // errno when !ok
};

/// Reads a small file through an injectable function, so tests can simulate
/// failures that root ignores (EACCES).
using FileReader = std::function<FileRead(const std::string& path)>;

/// Reads the whole file with open/read (so a directory fails with EISDIR).
FileRead read_small_file(const std::string& path);

/// Parses a non-negative decimal integer, surrounding whitespace allowed.
bool parse_u64(const std::string& text, uint64_t& value);

// Note [Counter wrap]
// RAPL's energy_uj counts up to max_energy_range_uj and restarts at 0. One
// wrap between two reads is recoverable: delta = (max - previous) + current.
// Two wraps are not (they look like one), so RAPL is read at least twice per
// wrap period (RaplMeter clamps its sampling period accordingly).
class WrappingCounter {
 public:
  /// `max_range` is the value at which the counter wraps (0: unknown).
  explicit WrappingCounter(uint64_t max_range = 0) : max_range_(max_range) {}
  /// Starts counting from a first raw read.
  void reset(uint64_t first_raw);
  /// Adds the next raw read; returns the (wrap-corrected) increase.
  uint64_t add(uint64_t raw);
  uint64_t total() const { return total_; }
  /// Decreases seen with an unknown max_range (not counted).
  int64_t unexplained_decreases() const { return unexplained_decreases_; }
  int64_t wraps() const { return wraps_; }

 private:
  uint64_t max_range_;
  uint64_t previous_ = 0;
  uint64_t total_ = 0;
  int64_t wraps_ = 0;
  int64_t unexplained_decreases_ = 0;
};

/// Integral of a sampled power curve by the trapezoid rule, in joules.
double trapezoid_joules(const std::vector<PowerPoint>& points);

/// At most `max_points` points: consecutive runs of points are replaced by
/// their mean time and mean power (so the curve's average is kept).
std::vector<PowerPoint> decimate(const std::vector<PowerPoint>& points, size_t max_points);

/// Calls `tick` every `period_s` on its own thread until stop().
class PeriodicThread {
 public:
  PeriodicThread() = default;
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  ~PeriodicThread() { stop(); }
  /// Starts the thread; the first tick comes one period after the call.
  void start(double period_s, std::function<void()> tick);
  /// Wakes the thread and joins it; no tick runs after stop() returns.
  void stop();

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace effbench
