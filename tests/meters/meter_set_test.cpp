#include "meters/meter_set.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "results/json.h"
#include "test_support.h"

namespace effbench {
namespace {

using testing::TempDir;

// A meter that returns scripted readings, one list per start/stop window.
class FakeMeter : public Meter {
 public:
  explicit FakeMeter(std::vector<std::vector<EnergyReading>> windows) : windows_(std::move(windows)) {}
  std::string name() const override { return "fake"; }
  std::vector<MeterStatus> status() const override { return {}; }
  void start() override { ++started_; }
  void stop() override {}
  std::vector<EnergyReading> readings() const override { return windows_.at(started_ - 1); }

 private:
  std::vector<std::vector<EnergyReading>> windows_;
  size_t started_ = 0;
};

EnergyReading reading(const std::string& source, bool measured, double joules, double duration_s) {
  EnergyReading r;
  r.source = parse_word<EnergySource>(source, "test");
  r.scope = "cpu-package";
  r.device = "package-0";
  r.measured = measured;
  r.available = true;
  r.joules = joules;
  r.duration_s = duration_s;
  r.avg_power_w = joules / duration_s;
  return r;
}

TEST(MeterSet, JoulesPerSample) {
  std::vector<std::unique_ptr<Meter>> meters;
  meters.push_back(std::make_unique<FakeMeter>(
      std::vector<std::vector<EnergyReading>>{{reading("rapl", true, 200.0, 2.0)}}));
  MeterSet set(std::move(meters));
  set.start();
  set.stop();
  const auto readings = set.readings(400);
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_DOUBLE_EQ(readings[0].joules_per_sample, 0.5);  // 200 J / 400 samples
  EXPECT_EQ(readings[0].basis, EnergyBasis::kGross);
}

TEST(MeterSet, IdleBaselineAddsLabelledNetReadings) {
  // Idle window: 50 J in 1 s = 50 W. Measured window: 200 J in 2 s;
  // net = 200 - 50 x 2 = 100 J, 50 W, 0.25 J/sample over 400 samples.
  // The estimate gets no net reading.
  std::vector<std::unique_ptr<Meter>> meters;
  meters.push_back(std::make_unique<FakeMeter>(std::vector<std::vector<EnergyReading>>{
      {reading("rapl", true, 50.0, 1.0), reading("estimate", false, 5.0, 1.0)},
      {reading("rapl", true, 200.0, 2.0), reading("estimate", false, 30.0, 2.0)}}));
  MeterSet set(std::move(meters));
  set.measure_idle(0.001);
  EXPECT_DOUBLE_EQ(set.idle_power_w(EnergySource::kRapl, "cpu-package", "package-0").value(), 50.0);
  EXPECT_FALSE(set.idle_power_w(EnergySource::kEstimate, "cpu-package", "package-0"));
  set.start();
  set.stop();
  const auto readings = set.readings(400);
  ASSERT_EQ(readings.size(), 3u);
  EXPECT_EQ(readings[0].basis, EnergyBasis::kGross);
  EXPECT_DOUBLE_EQ(readings[0].joules, 200.0);
  EXPECT_EQ(readings[1].basis, EnergyBasis::kNet);
  EXPECT_EQ(readings[1].source, EnergySource::kRapl);
  EXPECT_DOUBLE_EQ(readings[1].joules, 100.0);
  EXPECT_DOUBLE_EQ(readings[1].avg_power_w, 50.0);
  EXPECT_DOUBLE_EQ(readings[1].idle_power_w.value(), 50.0);
  // The baseline's half-width: its reading's (2 x 2^-16 J and 50 W x 1 ms) over 1 s; no samples.
  EXPECT_NEAR(readings[1].idle_power_uncertainty_w.value(), std::hypot(0.05, 2.0 / 65536), 1e-12);
  EXPECT_DOUBLE_EQ(readings[1].joules_per_sample, 0.25);
  EXPECT_EQ(readings[2].source, EnergySource::kEstimate);
  EXPECT_EQ(readings[2].basis, EnergyBasis::kGross);
}

TEST(MeterSet, IdleSecondsMustBePositive) {
  MeterSet set(std::vector<std::unique_ptr<Meter>>{});
  EXPECT_THROW(set.measure_idle(0), Error);
}

TEST(MeterSet, CreateUsesRaplAndSkipsTheEstimateWhenRaplWorks) {
  TempDir dir("set_rapl");
  dir.write("intel-rapl:0/name", "package-0\n");
  dir.write("intel-rapl:0/energy_uj", "1000\n");
  dir.write("intel-rapl:0/max_energy_range_uj", "262143328850\n");
  MeterOptions options;
  options.powercap_root = dir.path();
  options.nvml_library = dir.path() + "/none.so";
  options.cpu_tdp_w = 100;
  MeterSet set = MeterSet::create(options);
  set.start();
  set.stop();
  const auto readings = set.readings(1);
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_EQ(readings[0].source, EnergySource::kRapl);
  EXPECT_FALSE(set.device_used_bytes());

  // Probe lists every source: rapl (available), nvml (not loadable), estimate (--cpu-tdp given).
  const auto lines = MeterSet::probe(options);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].available);
  EXPECT_EQ(lines[1].name, "nvml");
  EXPECT_FALSE(lines[1].available);
  EXPECT_EQ(lines[2].name, "estimate");
  EXPECT_TRUE(lines[2].available);
}

TEST(MeterSet, CreateFallsBackToTheEstimateWithoutRapl) {
  TempDir dir("set_none");
  MeterOptions options;
  options.powercap_root = dir.path();
  options.cpu_tdp_w = 100;
  MeterSet set = MeterSet::create(options);
  set.start();
  set.stop();
  const auto readings = set.readings(1);
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_FALSE(readings[0].available);  // rapl, with its reason
  EXPECT_EQ(readings[1].source, EnergySource::kEstimate);
  EXPECT_TRUE(readings[1].available);
}

TEST(MeterSet, NewReadingFieldsRoundTripThroughJson) {
  CaseRecord c;
  c.model = "m";
  EnergyReading r = reading("nvml-power-integral", true, 350.0, 2.0);
  r.basis = EnergyBasis::kNet;
  r.idle_power_w = 60.0;
  r.cross_check = true;
  r.device_uuid = "GPU-1234";
  DeviceState state;
  state.memory_used_bytes = 5000;
  state.temperature_c = 71;
  state.throttle_reasons = 4;
  state.throttle_reason_names = {"sw_power_cap"};
  r.state_end = state;
  c.energy.push_back(r);
  c.energy.push_back(reading("rapl", true, 1.0, 1.0));  // defaults: gross, no state
  const auto j = case_to_json(c);
  EXPECT_EQ(j.at("energy").at(0).at("state_end").at("throttle_reasons"), 4);
  EXPECT_FALSE(j.at("energy").at(0).contains("state_start"));
  const CaseRecord back = case_from_json(j);
  EXPECT_EQ(case_to_json(back), j);
  EXPECT_EQ(back.energy.at(0).basis, EnergyBasis::kNet);
  EXPECT_DOUBLE_EQ(back.energy.at(0).idle_power_w.value(), 60.0);
  EXPECT_TRUE(back.energy.at(0).cross_check);
  EXPECT_EQ(back.energy.at(0).state_end->memory_used_bytes.value(), 5000);
  EXPECT_EQ(back.energy.at(1).basis, EnergyBasis::kGross);
  EXPECT_FALSE(back.energy.at(1).state_end);
}

}  // namespace
}  // namespace effbench
