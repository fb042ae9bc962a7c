#include "meters/meter_windows.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace effbench {
namespace {

// A meter whose every start/stop segment reads `joules_per_segment[i]` joules
// over `seconds_per_segment` seconds, in order; counts its starts and stops.
class SegmentMeter : public Meter {
 public:
  SegmentMeter(std::vector<double> joules_per_segment, double seconds_per_segment)
      : joules_(std::move(joules_per_segment)), seconds_(seconds_per_segment) {}
  std::string name() const override { return "segments"; }
  std::vector<MeterStatus> status() const override { return {}; }
  void start() override {
    ASSERT_FALSE(running_) << "started twice";
    running_ = true;
  }
  void stop() override {
    ASSERT_TRUE(running_) << "stopped while not running";
    running_ = false;
    ++stopped_;
  }
  std::vector<EnergyReading> readings() const override {
    EnergyReading r;
    r.source = EnergySource::kRapl;
    r.scope = "cpu-package";
    r.device = "package-0";
    r.measured = true;
    r.available = true;
    r.joules = joules_.at(stopped_ - 1);
    r.duration_s = seconds_;
    r.sensor_reads = 3;
    r.below_resolution = r.joules < 0;  // a negative script value stands for a segment below resolution
    if (r.below_resolution) r.joules = 0;
    return {r};
  }
  std::vector<PowerTimeline> timelines() const override {
    return {{"rapl", "package-0", {{0.0, 10.0 * static_cast<double>(stopped_)}}}};
  }
  bool running() const { return running_; }
  int stopped() const { return stopped_; }

 private:
  std::vector<double> joules_;
  double seconds_;
  bool running_ = false;
  int stopped_ = 0;
};

struct Fixture {
  explicit Fixture(std::vector<double> joules, double seconds = 2.0) {
    auto meter = std::make_unique<SegmentMeter>(std::move(joules), seconds);
    fake = meter.get();
    std::vector<std::unique_ptr<Meter>> meters;
    meters.push_back(std::move(meter));
    set = std::make_unique<MeterSet>(std::move(meters));
    windows = std::make_unique<MeterWindows>(*set);
  }
  SegmentMeter* fake = nullptr;
  std::unique_ptr<MeterSet> set;
  std::unique_ptr<MeterWindows> windows;
};

TEST(MeterWindows, OneWindowIsOneSegment) {
  Fixture f({30.0});
  f.windows->begin_window("case");
  EXPECT_TRUE(f.fake->running());
  const WindowMeasurement m = f.windows->end_window("case", 60);
  EXPECT_FALSE(f.fake->running());
  ASSERT_EQ(m.readings.size(), 1u);
  EXPECT_DOUBLE_EQ(m.readings[0].joules, 30.0);
  EXPECT_DOUBLE_EQ(m.readings[0].duration_s, 2.0);
  EXPECT_DOUBLE_EQ(m.readings[0].avg_power_w, 15.0);       // 30 J / 2 s
  EXPECT_DOUBLE_EQ(m.readings[0].joules_per_sample, 0.5);  // 30 J / 60 samples
  EXPECT_DOUBLE_EQ(m.duration_s, 2.0);
  // Note [Energy uncertainty]: RAPL at 15 W, 15 mJ per 1 ms update.
  EXPECT_NEAR(m.readings[0].uncertainty_j.value(), std::hypot(0.015, 2.0 / 65536), 1e-12);
}

TEST(MeterWindows, ReadingAWindowKeepsItOpenAndSumsTheSegments) {
  // Segments of 2 s: 10 J, 20 J, 40 J. Reads after the first and second, end after the third.
  Fixture f({10.0, 20.0, 40.0});
  f.windows->begin_window("case");
  EXPECT_DOUBLE_EQ(f.windows->read_window("case").readings.at(0).joules, 10.0);
  EXPECT_TRUE(f.fake->running());
  EXPECT_DOUBLE_EQ(f.windows->read_window("case").readings.at(0).joules, 30.0);
  const WindowMeasurement m = f.windows->end_window("case");
  EXPECT_DOUBLE_EQ(m.readings.at(0).joules, 70.0);
  EXPECT_DOUBLE_EQ(m.readings.at(0).duration_s, 6.0);
  EXPECT_EQ(m.readings.at(0).sensor_reads, 9);  // 3 sensor samples per segment
  // Timelines are laid end to end: each segment's point at its offset in the window.
  ASSERT_EQ(m.timelines.size(), 1u);
  ASSERT_EQ(m.timelines[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(m.timelines[0].points[2].t_s, 4.0);
  EXPECT_DOUBLE_EQ(m.timelines[0].points[2].watts, 30.0);
  EXPECT_EQ(f.fake->stopped(), 3);
}

TEST(MeterWindows, OverlappingWindowsEachSeeTheirOwnSpan) {
  // case [ epoch-1 ] [ epoch-2 ] : every begin and end cuts a segment, so the
  // case's span is five segments: 1 J before epoch 1, 5 J in it, 0.5 J
  // between the epochs, 7 J in epoch 2, 11 J after it.
  Fixture f({1.0, 5.0, 0.5, 7.0, 11.0});
  f.windows->begin_window("case");
  f.windows->begin_window("epoch-1");
  EXPECT_DOUBLE_EQ(f.windows->end_window("epoch-1").readings.at(0).joules, 5.0);
  f.windows->begin_window("epoch-2");
  EXPECT_DOUBLE_EQ(f.windows->end_window("epoch-2").readings.at(0).joules, 7.0);
  EXPECT_TRUE(f.fake->running());
  EXPECT_DOUBLE_EQ(f.windows->end_window("case").readings.at(0).joules, 24.5);
  EXPECT_FALSE(f.fake->running());
}

TEST(MeterWindows, OnlySegmentsAllBelowResolutionMarkTheSum) {
  // A short edge segment (a phase begun right after the case) does not void the window.
  Fixture f({-1.0, 10.0, -1.0});
  f.windows->begin_window("case");
  f.windows->read_window("case");
  f.windows->read_window("case");
  const WindowMeasurement m = f.windows->end_window("case", 10);
  EXPECT_FALSE(m.readings.at(0).below_resolution);
  EXPECT_DOUBLE_EQ(m.readings.at(0).joules, 10.0);
  EXPECT_DOUBLE_EQ(m.readings.at(0).joules_per_sample, 1.0);
  Fixture g({-1.0, -1.0});
  g.windows->begin_window("case");
  g.windows->read_window("case");
  const WindowMeasurement n = g.windows->end_window("case", 10);
  EXPECT_TRUE(n.readings.at(0).below_resolution);
  EXPECT_DOUBLE_EQ(n.readings.at(0).joules_per_sample, 0.0);  // kept out of per-sample figures
}

TEST(MeterWindows, MisusedNamesAreRefusedByName) {
  Fixture f({1.0, 1.0});
  f.windows->begin_window("case");
  try {
    f.windows->begin_window("case");
    FAIL() << "opened twice";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'case' is open already"), std::string::npos) << e.what();
  }
  EXPECT_THROW(f.windows->end_window("epoch"), Error);
  EXPECT_THROW(f.windows->read_window("epoch"), Error);
}

}  // namespace
}  // namespace effbench
