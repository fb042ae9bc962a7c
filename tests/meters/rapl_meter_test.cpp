#include "meters/rapl_meter.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include "test_support.h"

namespace effbench {
namespace {

using testing::ScriptedClock;
using testing::TempDir;

// A powercap tree as on a one-socket Intel server: package with core, uncore
// and dram subzones, psys, and the MMIO duplicate of the package.
void write_zone(const TempDir& dir, const std::string& zone, const std::string& name, uint64_t energy_uj,
                uint64_t max_range_uj) {
  dir.write(zone + "/name", name + "\n");
  dir.write(zone + "/energy_uj", std::to_string(energy_uj) + "\n");
  dir.write(zone + "/max_energy_range_uj", std::to_string(max_range_uj) + "\n");
}

void write_server_tree(const TempDir& dir) {
  write_zone(dir, "intel-rapl:0", "package-0", 900000, 1000000);
  write_zone(dir, "intel-rapl:0:0", "core", 5, 1000000);
  write_zone(dir, "intel-rapl:0:1", "uncore", 5, 1000000);
  write_zone(dir, "intel-rapl:0:2", "dram", 1000, 1000000);
  write_zone(dir, "intel-rapl:1", "psys", 7000, 1000000);
  write_zone(dir, "intel-rapl-mmio:0", "package-0", 42, 1000000);
}

MeterOptions options_for(const TempDir& dir) {
  MeterOptions options;
  options.powercap_root = dir.path();
  options.sample_period_s = 0;  // no thread: the test plays the samples
  return options;
}

TEST(RaplZones, PackageDramPsysWithoutCoreUncoreOrMmio) {
  TempDir dir("rapl_zones");
  write_server_tree(dir);
  const auto zones = find_rapl_zones(dir.path(), read_small_file);
  ASSERT_EQ(zones.size(), 3u);
  EXPECT_EQ(zones[0].device, "package-0");
  EXPECT_EQ(zones[0].scope, "cpu-package");
  EXPECT_EQ(zones[1].device, "dram-0");
  EXPECT_EQ(zones[1].scope, "dram");
  EXPECT_EQ(zones[2].device, "psys");
  EXPECT_EQ(zones[2].scope, "psys");
}

TEST(RaplMeter, CounterSequenceWithOneWrap) {
  TempDir dir("rapl_wrap");
  write_server_tree(dir);
  ScriptedClock clock;
  RaplMeter meter(options_for(dir), read_small_file, clock.fn());
  EXPECT_TRUE(meter.has_package());

  clock.set(10.0);
  meter.start();  // package at 900000 uJ
  dir.write("intel-rapl:0/energy_uj", "950000\n");
  dir.write("intel-rapl:0:2/energy_uj", "3000\n");
  clock.set(11.0);
  meter.sample();
  dir.write("intel-rapl:0/energy_uj", "100000\n");  // wrapped at 1000000
  clock.set(12.0);
  meter.sample();
  dir.write("intel-rapl:0/energy_uj", "300000\n");
  dir.write("intel-rapl:0:2/energy_uj", "5000\n");
  clock.set(13.0);
  meter.stop();

  // Package: 50000 + (1000000 - 950000 + 100000) + 200000 = 400000 uJ = 0.4 J in 3 s.
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 3u);
  const auto& package = readings[0];
  EXPECT_EQ(package.source, EnergySource::kRapl);
  EXPECT_TRUE(package.measured);
  ASSERT_TRUE(package.available) << package.unavailable_reason;
  EXPECT_FALSE(package.below_resolution);
  EXPECT_NEAR(package.joules, 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(package.duration_s, 3.0);
  EXPECT_NEAR(package.avg_power_w, 0.4 / 3.0, 1e-12);
  EXPECT_EQ(package.sensor_reads, 4);
  ASSERT_EQ(package.warnings.size(), 1u);
  EXPECT_NE(package.warnings[0].find("wrapped 1 time"), std::string::npos);
  // dram: 5000 - 1000 = 4000 uJ.
  EXPECT_NEAR(readings[1].joules, 0.004, 1e-12);
  // psys unchanged: 0 J over 3 s is a real figure (the window is far above resolution).
  EXPECT_TRUE(readings[2].available);
  EXPECT_DOUBLE_EQ(readings[2].joules, 0.0);

  // Timeline: interval means at midpoints: 0.05 W at 0.5 s, 0.15 W at 1.5 s, 0.2 W at 2.5 s.
  const auto timelines = meter.timelines();
  ASSERT_GE(timelines.size(), 1u);
  ASSERT_EQ(timelines[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(timelines[0].points[0].t_s, 0.5);
  EXPECT_NEAR(timelines[0].points[0].watts, 0.05, 1e-12);
  EXPECT_NEAR(timelines[0].points[1].watts, 0.15, 1e-12);
  EXPECT_NEAR(timelines[0].points[2].watts, 0.2, 1e-12);
}

TEST(RaplMeter, PermissionDeniedIsUnavailableWithTheFix) {
  // Tests run as root, which chmod cannot lock out: the reader fails the way an
  // unprivileged read of a 0400 energy_uj does, with EACCES.
  TempDir dir("rapl_eacces");
  write_server_tree(dir);
  FileReader denied = [](const std::string& path) {
    if (path.size() >= 10 && path.compare(path.size() - 10, 10, "/energy_uj") == 0) {
      return FileRead{false, "", EACCES};
    }
    return read_small_file(path);
  };
  RaplMeter meter(options_for(dir), denied);
  EXPECT_FALSE(meter.has_package());
  meter.start();
  meter.stop();
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 3u);
  for (const auto& r : readings) {
    EXPECT_FALSE(r.available);
    EXPECT_NE(r.unavailable_reason.find("permission denied"), std::string::npos) << r.unavailable_reason;
    EXPECT_NE(r.unavailable_reason.find("docs/energy.md"), std::string::npos);
  }
  const auto status = meter.status();
  EXPECT_FALSE(status.at(0).available);
}

TEST(RaplMeter, EnergyFileThatIsADirectoryIsUnavailable) {
  // A second way to make a file unreadable even for root: energy_uj is a directory (read gives EISDIR).
  TempDir dir("rapl_eisdir");
  write_zone(dir, "intel-rapl:0", "package-0", 1, 1000);
  std::filesystem::remove(dir.path() + "/intel-rapl:0/energy_uj");
  std::filesystem::create_directory(dir.path() + "/intel-rapl:0/energy_uj");
  RaplMeter meter(options_for(dir));
  meter.start();
  meter.stop();
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_FALSE(readings[0].available);
  EXPECT_NE(readings[0].unavailable_reason.find("cannot read"), std::string::npos);
  EXPECT_NE(readings[0].unavailable_reason.find("Is a directory"), std::string::npos);
}

TEST(RaplMeter, NoPowercapIsOneUnavailableReading) {
  TempDir dir("rapl_none");
  MeterOptions options;
  options.powercap_root = dir.path() + "/missing";
  RaplMeter meter(options);
  meter.start();
  meter.stop();
  const auto readings = meter.readings();
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_FALSE(readings[0].available);
  EXPECT_NE(readings[0].unavailable_reason.find("no RAPL"), std::string::npos);
}

TEST(RaplMeter, WindowShorterThanUpdatePeriodIsBelowResolution) {
  TempDir dir("rapl_short");
  write_zone(dir, "intel-rapl:0", "package-0", 1000, 1000000);
  ScriptedClock clock;
  RaplMeter meter(options_for(dir), read_small_file, clock.fn());
  clock.set(1.0);
  meter.start();
  clock.set(1.0005);
  meter.stop();
  const auto r = meter.readings().at(0);
  EXPECT_TRUE(r.available);
  EXPECT_TRUE(r.below_resolution);
  EXPECT_FALSE(r.warnings.empty());
}

TEST(RaplMeter, SamplingPeriodIsClampedAgainstWrap) {
  // max range 1000000 uJ = 1 J; at 1000 W that wraps every 1 ms: read every 0.5 ms.
  TempDir dir("rapl_clamp");
  write_zone(dir, "intel-rapl:0", "package-0", 0, 1000000);
  MeterOptions options;
  options.powercap_root = dir.path();
  options.sample_period_s = 0.05;
  EXPECT_DOUBLE_EQ(RaplMeter(options).thread_period_s(), 0.0005);
  write_zone(dir, "intel-rapl:0", "package-0", 0, 262143328850);  // a real Intel range: 262 kJ
  EXPECT_DOUBLE_EQ(RaplMeter(options).thread_period_s(), 0.05);
}

TEST(RaplMeter, SamplingThreadRunsDuringTheWindow) {
  TempDir dir("rapl_thread");
  write_zone(dir, "intel-rapl:0", "package-0", 0, 262143328850);
  MeterOptions options;
  options.powercap_root = dir.path();
  options.sample_period_s = 0.01;
  RaplMeter meter(options);
  meter.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  meter.stop();
  const auto r = meter.readings().at(0);
  EXPECT_TRUE(r.available);
  EXPECT_GE(r.sensor_reads, 3);  // start + at least one tick + stop (10 ticks due)
}

}  // namespace
}  // namespace effbench
