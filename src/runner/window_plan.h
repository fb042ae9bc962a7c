#pragma once
// How long a case warms up and how its timed windows are sized: small named
// steps, free of torch and of any real clock, so that each is unit-tested
// against a scripted clock (tests/runner/window_plan_test.cpp). The runner's
// throughput and data-parallel cases both plan with them.

#include <cstdint>
#include <functional>

#include "results/record.h"
#include "runner/benchmark.h"

namespace effbench {

// Note [Timed windows]
// Warm-up runs until both its minimum iteration count and its minimum time
// are reached (or a fifth of max_case_s has passed, for very slow steps),
// and never longer than max_case_s, the case's share of the budget.
// The seconds per iteration of the warm-up after its first (slowest:
// allocations, cuDNN autotuning) iteration, or the first alone when it was
// the only one, fix the iterations per window, so that every window lasts at
// least min_time_s. Each window is bracketed by device synchronisations and
// nothing in it synchronises, so the window time covers exactly the queued
// work. The number of windows is reduced (never below 3) when the case would
// exceed max_case_s.

/// Iterations per timed window and timed windows per case.
struct WindowPlan {
  int64_t iterations = 1;  // per window
  int64_t repeats = 1;     // windows
};

/// The longest a warm-up may take, seconds: warmup_s, or a fifth of
/// max_case_s when that is longer, and never more than max_case_s (the
/// case's share of the budget).
double warmup_cap_s(const BenchmarkOptions& options);

/// True while warm-up must go on: `iterations` done in all (the first
/// included) and `elapsed_s` spent, the first iteration's time included.
bool warmup_continues(const BenchmarkOptions& options, int64_t iterations, double elapsed_s);

/// Seconds per iteration measured by a warm-up: the mean of the iterations
/// after the first (`steady_iterations` in `steady_s`), or `first_s` when
/// the first was the only one.
double seconds_per_iteration(double first_s, int64_t steady_iterations, double steady_s);

/// Iterations per window: at least options.min_iterations, and enough that
/// a window lasts at least options.min_time_s.
int64_t iterations_per_window(const BenchmarkOptions& options, double seconds_per_iteration);

/// Timed windows for a case: options.repeats, reduced (never below 3) so
/// that windows of `window_s` fit options.max_case_s; a reduction is noted in `record`.
int64_t fit_repeats(const BenchmarkOptions& options, double window_s, CaseRecord& record);

/// The plan for a step of `seconds_per_iteration`.
WindowPlan plan_windows(const BenchmarkOptions& options, double seconds_per_iteration, CaseRecord& record);

/// What a warm-up did.
struct WarmupOutcome {
  int64_t iterations = 0;  // the first included
  double seconds_per_iteration = 0;
};

/// Runs the warm-up of Note [Timed windows]: `step` once, `synchronize`,
/// then steps while warmup_continues(), synchronising every 8 steps (to keep
/// the host from running far ahead) and at the end. `now_s` is the clock,
/// in seconds; `between_steps` runs before every step after the first (the
/// interrupt check).
WarmupOutcome warm_up(const BenchmarkOptions& options, const std::function<void()>& step,
                      const std::function<void()>& synchronize, const std::function<double()>& now_s,
                      const std::function<void()>& between_steps = nullptr);

}  // namespace effbench
