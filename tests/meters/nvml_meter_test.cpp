#include "meters/nvml_meter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "test_support.h"

namespace effbench {
namespace {

using testing::ScriptedClock;
using testing::TempDir;

// Drives the fake libnvidia-ml (tests/meters/fake_nvml.cpp) through its control file.
class NvmlMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = dir_.path() + "/control";
    ::setenv("FAKE_NVML_CONTROL", control_.c_str(), 1);
    ::unsetenv("CUDA_VISIBLE_DEVICES");
    script("");
  }
  void TearDown() override { ::unsetenv("FAKE_NVML_CONTROL"); }
  void script(const std::string& text) { dir_.write("control", text); }
  MeterOptions options() const {
    MeterOptions o;
    o.nvml_library = FAKE_NVML_PATH;
    o.cuda_device_indices = {0};
    o.sample_period_s = 0;  // no thread: the test plays the samples
    return o;
  }
  const EnergyReading& find(const std::vector<EnergyReading>& readings, EnergySource source) {
    for (const auto& r : readings) {
      if (r.source == source) return r;
    }
    ADD_FAILURE() << "no reading from " << to_string(source);
    return readings.at(0);
  }
  // Start at t=0 with 100 W, a sample at t=1 with 200 W, stop at t=2 with 200 W:
  // integral = (100+200)/2*1 + (200+200)/2*1 = 350 J. The counter moves
  // 10000 mJ -> 10000 + counter_delta_mj.
  std::vector<EnergyReading> play(unsigned long long counter_delta_mj, const std::string& extra = "") {
    script("energy_mj=10000\npower_mw=100000\nmemory_used=1000\ntemperature=40\nthrottle=0\n" + extra);
    ScriptedClock clock;
    NvmlMeter meter(options(), clock.fn());
    clock.set(0.0);
    meter.start();
    script("energy_mj=10000\npower_mw=200000\n" + extra);
    clock.set(1.0);
    meter.sample();
    script("energy_mj=" + std::to_string(10000 + counter_delta_mj) +
           "\npower_mw=200000\nmemory_used=5000\ntemperature=71\nsm_clock=1980\nthrottle=5\n" + extra);
    clock.set(2.0);
    meter.stop();
    used_ = meter.device_used_bytes();
    timeline_points_ = meter.timelines().empty() ? 0 : meter.timelines()[0].points.size();
    return meter.readings();
  }

  TempDir dir_{"nvml"};
  std::string control_;
  std::optional<int64_t> used_;
  size_t timeline_points_ = 0;
};

TEST_F(NvmlMeterTest, CounterAndPowerIntegralAgree) {
  const auto readings = play(350000);  // 350 J, as the integral
  ASSERT_EQ(readings.size(), 2u);
  const auto& counter = find(readings, EnergySource::kNvmlEnergyCounter);
  ASSERT_TRUE(counter.available) << counter.unavailable_reason;
  EXPECT_TRUE(counter.measured);
  EXPECT_FALSE(counter.cross_check);
  EXPECT_EQ(counter.scope, "gpu-board");
  EXPECT_EQ(counter.device, "cuda:0");
  EXPECT_EQ(counter.device_uuid, "GPU-fake-0");
  EXPECT_DOUBLE_EQ(counter.joules, 350.0);
  EXPECT_DOUBLE_EQ(counter.duration_s, 2.0);
  EXPECT_DOUBLE_EQ(counter.avg_power_w, 175.0);
  EXPECT_TRUE(counter.warnings.empty());
  const auto& integral = find(readings, EnergySource::kNvmlPowerIntegral);
  ASSERT_TRUE(integral.available);
  EXPECT_TRUE(integral.cross_check);  // the counter is the figure that counts
  EXPECT_DOUBLE_EQ(integral.joules, 350.0);
  EXPECT_EQ(integral.sensor_reads, 3);
  EXPECT_DOUBLE_EQ(integral.period_s, 1.0);
  EXPECT_TRUE(integral.warnings.empty());
  // Device state at both ends; throttle mask 5 = gpu_idle | sw_power_cap.
  ASSERT_TRUE(counter.state_start && counter.state_end);
  EXPECT_EQ(counter.state_start->memory_used_bytes.value(), 1000);
  EXPECT_EQ(counter.state_end->memory_used_bytes.value(), 5000);
  EXPECT_DOUBLE_EQ(counter.state_end->temperature_c.value(), 71.0);
  EXPECT_DOUBLE_EQ(counter.state_end->sm_clock_mhz.value(), 1980.0);
  EXPECT_DOUBLE_EQ(counter.state_end->power_limit_w.value(), 300.0);
  EXPECT_EQ(counter.state_end->throttle_reason_names, (std::vector<std::string>{"gpu_idle", "sw_power_cap"}));
  EXPECT_EQ(used_.value(), 5000);
  EXPECT_EQ(timeline_points_, 3u);
}

TEST_F(NvmlMeterTest, NoCounterFallsBackToPowerIntegration) {
  const auto readings = play(0, "energy_error=3\n");  // NVML_ERROR_NOT_SUPPORTED: pre-Volta
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_EQ(readings[0].source, EnergySource::kNvmlPowerIntegral);
  EXPECT_FALSE(readings[0].cross_check);
  EXPECT_TRUE(readings[0].available);
  EXPECT_DOUBLE_EQ(readings[0].joules, 350.0);
  EXPECT_DOUBLE_EQ(readings[0].avg_power_w, 175.0);
}

TEST_F(NvmlMeterTest, DisagreementOverFivePercentWarns) {
  // Counter 400 J vs integral 350 J: |350 - 400| / 400 = 12.5% > 5%.
  const auto readings = play(400000);
  const auto& counter = find(readings, EnergySource::kNvmlEnergyCounter);
  ASSERT_EQ(counter.warnings.size(), 1u);
  EXPECT_NE(counter.warnings[0].find("12.5%"), std::string::npos) << counter.warnings[0];
  EXPECT_EQ(find(readings, EnergySource::kNvmlPowerIntegral).warnings.size(), 1u);
  // Counter 364 J: |350 - 364| / 364 = 3.8%: no warning.
  EXPECT_TRUE(find(play(364000), EnergySource::kNvmlEnergyCounter).warnings.empty());
}

TEST_F(NvmlMeterTest, PowerErrorReturnLeavesTheCounter) {
  const auto readings = play(350000, "power_error=999\n");  // NVML_ERROR_UNKNOWN on every power read
  const auto& counter = find(readings, EnergySource::kNvmlEnergyCounter);
  EXPECT_TRUE(counter.available);
  EXPECT_DOUBLE_EQ(counter.joules, 350.0);
  const auto& integral = find(readings, EnergySource::kNvmlPowerIntegral);
  EXPECT_FALSE(integral.available);
  EXPECT_NE(integral.unavailable_reason.find("Unknown Error"), std::string::npos)
      << integral.unavailable_reason;
}

TEST_F(NvmlMeterTest, InitErrorIsUnavailableNotThrown) {
  script("init_error=9\n");  // NVML_ERROR_DRIVER_NOT_LOADED
  NvmlMeter meter(options());
  meter.start();
  meter.stop();
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_FALSE(readings[0].available);
  EXPECT_NE(readings[0].unavailable_reason.find("Driver Not Loaded"), std::string::npos);
}

TEST_F(NvmlMeterTest, MissingLibraryIsUnavailable) {
  MeterOptions o = options();
  o.nvml_library = dir_.path() + "/no-such-libnvidia-ml.so.1";
  NvmlMeter meter(o);
  meter.start();
  meter.stop();
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_FALSE(readings[0].available);
  EXPECT_NE(readings[0].unavailable_reason.find("cannot load"), std::string::npos);
  EXPECT_FALSE(meter.device_used_bytes().has_value());
}

TEST_F(NvmlMeterTest, ShortWindowIsBelowResolutionNotZero) {
  script("energy_mj=10000\npower_mw=100000\n");
  ScriptedClock clock;
  NvmlMeter meter(options(), clock.fn());
  clock.set(5.0);
  meter.start();
  clock.set(5.02);  // 20 ms, shorter than the ~100 ms update period
  meter.stop();
  for (const auto& r : meter.readings()) {
    EXPECT_TRUE(r.available) << to_string(r.source);
    EXPECT_TRUE(r.below_resolution) << to_string(r.source);
  }
}

TEST_F(NvmlMeterTest, SecondDeviceThroughCudaVisibleDevicesUuid) {
  script("device_count=2\nenergy_mj=0\nenergy_mj.1=777\npower_mw=1000\n");
  ::setenv("CUDA_VISIBLE_DEVICES", "GPU-fake-1", 1);
  NvmlMeter meter(options());
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  const auto status = meter.status();
  ASSERT_FALSE(status.empty());
  EXPECT_TRUE(status[0].available) << status[0].reason;
  EXPECT_NE(status[0].detail.find("GPU-fake-1"), std::string::npos);
}

TEST_F(NvmlMeterTest, ProbeListsEveryGpu) {
  script("device_count=2\nenergy_error.1=3\n");
  const auto lines = probe_nvml(FAKE_NVML_PATH);
  ASSERT_EQ(lines.size(), 4u);  // counter + power line per GPU
  EXPECT_TRUE(lines[0].available);
  EXPECT_FALSE(lines[2].available);  // GPU 1 has no counter
  EXPECT_NE(lines[2].reason.find("Not Supported"), std::string::npos);
  EXPECT_TRUE(lines[3].available);
}

TEST_F(NvmlMeterTest, SamplingThreadRunsDuringTheWindow) {
  script("energy_mj=0\npower_mw=150000\n");
  MeterOptions o = options();
  o.sample_period_s = 0.01;
  NvmlMeter meter(o);
  meter.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  meter.stop();
  const auto readings = meter.readings();
  const auto& integral = find(readings, EnergySource::kNvmlPowerIntegral);
  ASSERT_TRUE(integral.available);
  EXPECT_GE(integral.sensor_reads, 4);             // start + ticks (15 due) + stop
  EXPECT_NEAR(integral.avg_power_w, 150.0, 1e-9);  // constant power integrates exactly
}

// Note [Others on a GPU]: the start and end states list every process NVML
// sees on the GPU but this one; a driver without the list leaves it absent.
TEST_F(NvmlMeterTest, StatesListTheOtherProcessesOnTheGpu) {
  const auto readings =
      play(350000, "compute_processes=self:1048576,4242:2097152\ngraphics_processes=77:na\n");
  const auto& counter = find(readings, EnergySource::kNvmlEnergyCounter);
  ASSERT_TRUE(counter.state_start && counter.state_start->other_processes);
  const auto& others = *counter.state_start->other_processes;
  ASSERT_EQ(others.size(), 2u);  // not this process
  EXPECT_EQ(others[0].pid, 4242);
  EXPECT_EQ(others[0].kind, "compute");
  EXPECT_EQ(others[0].used_memory_bytes, 2097152);
  EXPECT_EQ(others[1].pid, 77);
  EXPECT_EQ(others[1].kind, "graphics");
  EXPECT_FALSE(others[1].used_memory_bytes);  // NVML_VALUE_NOT_AVAILABLE
  ASSERT_TRUE(counter.state_end && counter.state_end->other_processes);
  EXPECT_EQ(counter.state_end->other_processes->size(), 2u);

  const auto alone = play(350000, "compute_processes=self:1048576\n");
  const auto& quiet = find(alone, EnergySource::kNvmlEnergyCounter);
  ASSERT_TRUE(quiet.state_end->other_processes);
  EXPECT_TRUE(quiet.state_end->other_processes->empty());
}

// NVML fills nothing into a buffer that is too small: effbench asks again at the size it says.
TEST_F(NvmlMeterTest, AListLongerThanTheFirstBufferIsAskedForAgain) {
  std::string many = "compute_processes=";
  for (unsigned pid = 1; pid <= kFirstGpuProcessListSize + 5; ++pid)
    many += (pid > 1 ? "," : "") + std::to_string(pid) + ":1";
  const auto readings = play(350000, many + "\n");
  const auto& counter = find(readings, EnergySource::kNvmlEnergyCounter);
  ASSERT_TRUE(counter.state_end->other_processes);
  ASSERT_EQ(counter.state_end->other_processes->size(), kFirstGpuProcessListSize + 5);
  EXPECT_EQ(counter.state_end->other_processes->back().pid, kFirstGpuProcessListSize + 5);
}

TEST(NvmlTarget, CudaVisibleDevicesMapping) {
  EXPECT_EQ(nvml_target_for_cuda(1, nullptr, "").index.value(), 1u);
  EXPECT_EQ(nvml_target_for_cuda(1, "3,2", "").index.value(), 2u);
  EXPECT_EQ(nvml_target_for_cuda(0, "GPU-abc", "").uuid, "GPU-abc");
  EXPECT_EQ(nvml_target_for_cuda(0, "1", "GPU-known").uuid, "GPU-known");  // a known UUID wins
  EXPECT_FALSE(nvml_target_for_cuda(2, "0,1", "").error.empty());
  EXPECT_FALSE(nvml_target_for_cuda(0, "MIG-xyz", "").error.empty());
}

TEST(NvmlThrottle, DecodesBits) {
  EXPECT_EQ(throttle_reason_names(0x44), (std::vector<std::string>{"sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_EQ(throttle_reason_names(0x1000), (std::vector<std::string>{"other_0x1000"}));
  EXPECT_TRUE(throttle_reason_names(0).empty());
}

}  // namespace
}  // namespace effbench

namespace effbench {
namespace {

// The real libnvidia-ml on this machine's first GPU; skipped where there is
// none. An idle or busy board draws between 1 W and 2 kW, so one second's
// readings (counter and power integral) must fall in [1 J, 2 kJ].
TEST(NvmlOnThisMachine, ReadsTheFirstGpu) {
  MeterOptions options;
  options.cuda_device_indices = {0};
  options.sample_period_s = 0.02;
  NvmlMeter meter(options);
  const auto status = meter.status();
  if (status.empty() || !status.front().available) {
    GTEST_SKIP() << "no NVML GPU: " << (status.empty() ? std::string("no status") : status.front().reason);
  }
  meter.start();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  meter.stop();
  bool saw_energy = false;
  for (const auto& reading : meter.readings()) {
    if (!reading.available) continue;
    saw_energy = true;
    EXPECT_TRUE(reading.measured) << reading.source;
    EXPECT_GE(reading.joules, 1.0) << reading.source;
    EXPECT_LE(reading.joules, 2000.0) << reading.source;
    EXPECT_NEAR(reading.duration_s, 1.0, 0.2) << reading.source;
  }
  EXPECT_TRUE(saw_energy);
}

}  // namespace
}  // namespace effbench
