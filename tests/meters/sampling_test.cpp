#include "meters/sampling.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace effbench {
namespace {

TEST(Trapezoid, LinearPowerIsExact) {
  // P(t) = 10 + 2t W on t = 0..10 s: integral = 10*10 + 10^2 = 200 J; the
  // trapezoid rule is exact for a straight line.
  std::vector<PowerPoint> points;
  for (int t = 0; t <= 10; ++t) points.push_back({double(t), 10.0 + 2.0 * t});
  EXPECT_DOUBLE_EQ(trapezoid_joules(points), 200.0);
}

TEST(Trapezoid, UnevenSamplesByHand) {
  // P = t^2 sampled at t = 0, 1, 3: (0+1)/2*1 + (1+9)/2*2 = 0.5 + 10 = 10.5 J
  // (the exact integral, 9 J, differs: the rule overestimates a convex curve).
  EXPECT_DOUBLE_EQ(trapezoid_joules({{0, 0}, {1, 1}, {3, 9}}), 10.5);
  EXPECT_DOUBLE_EQ(trapezoid_joules({{0, 5}}), 0.0);
  EXPECT_DOUBLE_EQ(trapezoid_joules({}), 0.0);
}

TEST(Decimate, KeepsTheBoundAndBucketMeans) {
  std::vector<PowerPoint> points;
  for (int i = 0; i < 10000; ++i) points.push_back({i * 0.05, 100.0 + (i % 7)});
  const auto out = decimate(points, 512);
  EXPECT_EQ(out.size(), 512u);
  EXPECT_GE(out.front().t_s, 0.0);
  EXPECT_LE(out.back().t_s, 9999 * 0.05);

  // Six points into three buckets of two: means (0.5, 1.5), (2.5, 3.5), (4.5, 5.5).
  std::vector<PowerPoint> six;
  for (int i = 0; i < 6; ++i) six.push_back({double(i), double(i) + 1});
  const auto three = decimate(six, 3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_DOUBLE_EQ(three[0].t_s, 0.5);
  EXPECT_DOUBLE_EQ(three[0].watts, 1.5);
  EXPECT_DOUBLE_EQ(three[2].t_s, 4.5);
  EXPECT_DOUBLE_EQ(three[2].watts, 5.5);
  EXPECT_EQ(decimate(six, 10).size(), 6u);  // under the bound: unchanged
  EXPECT_TRUE(decimate(six, 0).empty());
}

TEST(WrappingCounter, OneWrapIsRecovered) {
  WrappingCounter counter(1000);
  counter.reset(900);
  EXPECT_EQ(counter.add(950), 50u);
  EXPECT_EQ(counter.add(100), 150u);  // (1000 - 950) + 100
  EXPECT_EQ(counter.total(), 200u);
  EXPECT_EQ(counter.wraps(), 1);
  WrappingCounter unknown(0);
  unknown.reset(500);
  EXPECT_EQ(unknown.add(100), 0u);  // a decrease with no known range is not guessed at
  EXPECT_EQ(unknown.unexplained_decreases(), 1);
}

TEST(ParseU64, AcceptsSysfsText) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_u64("262143328850\n", v));
  EXPECT_EQ(v, 262143328850u);
  EXPECT_FALSE(parse_u64("12x", v));
  EXPECT_FALSE(parse_u64("", v));
  EXPECT_FALSE(parse_u64("-1", v));
}

TEST(PeriodicThread, TicksAndStopsPromptly) {
  std::atomic<int> ticks{0};
  PeriodicThread thread;
  thread.start(0.005, [&] { ++ticks; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto before = std::chrono::steady_clock::now();
  thread.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(50));
  const int seen = ticks.load();
  EXPECT_GE(seen, 2);  // 20 due; generous for a loaded machine
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ticks.load(), seen);  // none after stop()
}

}  // namespace
}  // namespace effbench
