#pragma once
// The progress line of a long case: how much of it is done and about how
// long it has left, from the fractions the runner reports.

#include <optional>
#include <string>

namespace effbench {

/// Note [Time left]
/// The time left is (1 - f) / rate, where the rate is the fraction done per
/// second between the first report and the latest: the first report comes
/// after a throughput case's warm-up and after a training case has loaded its
/// data, so neither start-up is extrapolated over the rest. A training run
/// with a target accuracy may stop early; its time left is an upper bound.
class ProgressEstimate {
 public:
  /// `done_fraction` (in [0, 1]) of the case's planned work is done at
  /// `elapsed_s` (seconds on any steady clock).
  void report(double elapsed_s, double done_fraction);
  /// Seconds left (Note [Time left]); nullopt before two reports apart in time and fraction.
  std::optional<double> left_s() const;
  /// "45%, about 12 s left", "45%, at most 2 min left" (`upper_bound`), or "45%" while the time left is
  /// unknown.
  std::string text(bool upper_bound) const;

 private:
  std::optional<double> first_s_, first_fraction_;
  double latest_s_ = 0;
  double latest_fraction_ = 0;
};

/// A duration for a person: "12 s", "3 min", "1 h 05 min".
std::string rough_duration(double seconds);

}  // namespace effbench
