#include "runner/window_plan.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/units.h"

namespace effbench {
namespace {

// Below this a step time is a clock's resolution, not a measurement.
constexpr double kShortestStepS = 1e-9;

}  // namespace

double warmup_cap_s(const BenchmarkOptions& options) {
  return std::min(std::max(options.warmup_s, 0.2 * options.max_case_s), options.max_case_s);
}

bool warmup_continues(const BenchmarkOptions& options, int64_t iterations, double elapsed_s) {
  const bool short_of_minimum = iterations < options.warmup_iterations || elapsed_s < options.warmup_s;
  return short_of_minimum && elapsed_s < warmup_cap_s(options);
}

double seconds_per_iteration(double first_s, int64_t steady_iterations, double steady_s) {
  return steady_iterations > 0 ? steady_s / static_cast<double>(steady_iterations) : first_s;
}

int64_t iterations_per_window(const BenchmarkOptions& options, double seconds_per_iteration) {
  const double needed = std::ceil(options.min_time_s / std::max(seconds_per_iteration, kShortestStepS));
  return std::max(options.min_iterations, static_cast<int64_t>(needed));
}

int64_t fit_repeats(const BenchmarkOptions& options, double window_s, CaseRecord& record) {
  const auto fitting = static_cast<int64_t>(options.max_case_s / std::max(window_s, kShortestStepS));
  if (options.repeats <= 3 || fitting >= options.repeats) return options.repeats;
  const int64_t repeats = std::max<int64_t>(3, fitting);
  record.notes.push_back("repeats reduced from " + std::to_string(options.repeats) + " to " +
                         std::to_string(repeats) + " (windows of " + format_number(window_s) +
                         " s; --max-case-s " + format_number(options.max_case_s) + ")");
  return repeats;
}

WindowPlan plan_windows(const BenchmarkOptions& options, double seconds_per_iteration, CaseRecord& record) {
  WindowPlan plan;
  plan.iterations = iterations_per_window(options, seconds_per_iteration);
  plan.repeats = fit_repeats(options, static_cast<double>(plan.iterations) * seconds_per_iteration, record);
  return plan;
}

WarmupOutcome warm_up(const BenchmarkOptions& options, const std::function<void()>& step,
                      const std::function<void()>& synchronize, const std::function<double()>& now_s,
                      const std::function<void()>& between_steps) {
  const double begin_s = now_s();
  step();
  synchronize();
  const double steady_begin_s = now_s();
  const double first_s = steady_begin_s - begin_s;
  int64_t steady = 0;
  while (warmup_continues(options, steady + 1, now_s() - begin_s)) {
    if (between_steps) between_steps();
    step();
    ++steady;
    if (steady % 8 == 0) synchronize();
  }
  synchronize();
  return {steady + 1, seconds_per_iteration(first_s, steady, now_s() - steady_begin_s)};
}

}  // namespace effbench
