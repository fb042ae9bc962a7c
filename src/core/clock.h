#pragma once
// Monotonic wall-clock time for measurement windows.

#include <chrono>

namespace effbench {

using SteadyClock = std::chrono::steady_clock;

/// Seconds elapsed between two steady-clock points.
inline double seconds_between(SteadyClock::time_point start, SteadyClock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

/// A stopwatch started at construction.
class Stopwatch {
 public:
  Stopwatch() : start_(SteadyClock::now()) {}
  void restart() { start_ = SteadyClock::now(); }
  double elapsed_s() const { return seconds_between(start_, SteadyClock::now()); }

 private:
  SteadyClock::time_point start_;
};

}  // namespace effbench
