// Window planning against a scripted clock: every expected value below is
// worked out by hand from the step times the test scripts.

#include "runner/window_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace effbench {
namespace {

BenchmarkOptions options_for_test() {
  BenchmarkOptions o;
  o.warmup_s = 1.0;
  o.warmup_iterations = 2;
  o.min_time_s = 1.0;
  o.min_iterations = 1;
  o.repeats = 5;
  o.max_case_s = 40.0;
  return o;
}

// A step that advances a scripted clock: the first step takes `first_s`, the others `steady_s`.
struct ScriptedSteps {
  double first_s;
  double steady_s;
  double now_s = 0;
  int64_t steps = 0;
  int64_t synchronisations = 0;
  void step() {
    now_s += steps == 0 ? first_s : steady_s;
    ++steps;
  }
};

WarmupOutcome warm_up_scripted(const BenchmarkOptions& o, ScriptedSteps& s) {
  return warm_up(
      o, [&] { s.step(); }, [&] { ++s.synchronisations; }, [&] { return s.now_s; });
}

TEST(WindowPlan, WarmUpRunsUntilItsMinimumTimeAndTimesTheSteadySteps) {
  // First step 0.5 s, then 1/16 s steps (exact in binary): warm-up ends once
  // 0.5 + n / 16 >= 1.0 s, at n = 8 (9 steps in all); the steady steps give
  // 0.0625 s per iteration, not the slow first.
  ScriptedSteps s{0.5, 0.0625};
  const WarmupOutcome w = warm_up_scripted(options_for_test(), s);
  EXPECT_EQ(w.iterations, 9);
  EXPECT_EQ(s.steps, 9);
  EXPECT_DOUBLE_EQ(w.seconds_per_iteration, 0.0625);
  // After the first step, after the 8th steady step, and at the end.
  EXPECT_EQ(s.synchronisations, 3);
}

TEST(WindowPlan, WarmUpRunsItsMinimumIterationsEvenWhenTheTimeIsUp) {
  // A 2 s first step passes warmup_s at once, but warm-up needs 4 iterations
  // and stops at its cap (a fifth of 40 s = 8 s): 2 + 3 x 2 = 8 s, so 4 steps.
  BenchmarkOptions o = options_for_test();
  o.warmup_iterations = 4;
  ScriptedSteps s{2.0, 2.0};
  const WarmupOutcome w = warm_up_scripted(o, s);
  EXPECT_EQ(w.iterations, 4);
  EXPECT_NEAR(w.seconds_per_iteration, 2.0, 1e-12);
}

TEST(WindowPlan, ASlowFirstStepAloneSetsThePace) {
  // The first step (10 s) passes both the minimum time and the cap (8 s):
  // no steady step is run, and the first one's time is all there is.
  ScriptedSteps s{10.0, 0.1};
  const WarmupOutcome w = warm_up_scripted(options_for_test(), s);
  EXPECT_EQ(w.iterations, 1);
  EXPECT_DOUBLE_EQ(w.seconds_per_iteration, 10.0);
}

TEST(WindowPlan, WarmUpCapIsTheLargerOfWarmupAndAFifthOfTheCase) {
  BenchmarkOptions o = options_for_test();
  EXPECT_DOUBLE_EQ(warmup_cap_s(o), 8.0);  // 0.2 x 40
  o.warmup_s = 12;
  EXPECT_DOUBLE_EQ(warmup_cap_s(o), 12.0);
  o.max_case_s = 5;  // the case's share of --budget-s is shorter than --warmup-s: the share wins
  EXPECT_DOUBLE_EQ(warmup_cap_s(o), 5.0);
}

TEST(WindowPlan, IterationsPerWindowCoverTheMinimumTime) {
  BenchmarkOptions o = options_for_test();
  EXPECT_EQ(iterations_per_window(o, 0.1), 10);  // ceil(1.0 / 0.1)
  EXPECT_EQ(iterations_per_window(o, 0.3), 4);   // ceil(3.33)
  EXPECT_EQ(iterations_per_window(o, 5.0), 1);   // one step is longer than the window
  o.min_iterations = 20;
  EXPECT_EQ(iterations_per_window(o, 0.1), 20);  // the minimum count wins
  EXPECT_GE(iterations_per_window(o, 0.0), 20);  // a zero step time does not divide by zero
}

TEST(WindowPlan, RepeatsAreReducedToFitTheCaseButNeverBelowThree) {
  BenchmarkOptions o = options_for_test();
  CaseRecord r;
  EXPECT_EQ(fit_repeats(o, 1.0, r), 5);  // 5 x 1 s fit 40 s
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(fit_repeats(o, 10.0, r), 4);  // floor(40 / 10)
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("repeats reduced from 5 to 4"), std::string::npos) << r.notes[0];
  EXPECT_EQ(fit_repeats(o, 30.0, r), 3);  // floor(40 / 30) = 1, raised to 3
  o.repeats = 2;
  EXPECT_EQ(fit_repeats(o, 30.0, r), 2);  // asked for fewer than 3: kept
}

TEST(WindowPlan, PlanCombinesWindowSizeAndCount) {
  CaseRecord r;
  const WindowPlan plan = plan_windows(options_for_test(), 0.25, r);
  EXPECT_EQ(plan.iterations, 4);  // ceil(1.0 / 0.25)
  EXPECT_EQ(plan.repeats, 5);     // 5 windows of 1 s fit
  BenchmarkOptions o = options_for_test();
  o.max_case_s = 12;
  const WindowPlan slow = plan_windows(o, 3.0, r);  // 1 iteration = 3 s windows, floor(12 / 3) = 4
  EXPECT_EQ(slow.iterations, 1);
  EXPECT_EQ(slow.repeats, 4);
}

}  // namespace
}  // namespace effbench
