#include "meters/cpu_estimate_meter.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace effbench {
namespace {

using testing::ScriptedClock;
using testing::TempDir;

TEST(ProcStat, BusyExcludesIdleAndIowait) {
  // user nice system idle iowait irq softirq steal guest guest_nice:
  // total = 10+20+30+40+50+60+70+80 = 360 (guest is already in user), busy = 360 - 40 - 50 = 270.
  const auto j = parse_proc_stat("cpu  10 20 30 40 50 60 70 80 5 5\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->total, 360u);
  EXPECT_EQ(j->busy, 270u);
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\n"));
}

TEST(TdpTable, LongestMatchWins) {
  EXPECT_DOUBLE_EQ(lookup_cpu_tdp("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz")->tdp_w, 205.0);
  EXPECT_DOUBLE_EQ(lookup_cpu_tdp("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz")->tdp_w, 150.0);
  EXPECT_EQ(lookup_cpu_tdp("AMD EPYC 7763 64-Core Processor")->threads, 128);
  EXPECT_FALSE(lookup_cpu_tdp("AMD EPYC"));
}

// /proc/stat moves by 300 busy of 400 total jiffies between start and stop: utilisation 0.75.
void script_window(const TempDir& proc, CpuEstimateMeter& meter, const ScriptedClock& clock, double seconds) {
  proc.write("stat", "cpu  100 0 100 700 100 0 0 0 0 0\n");  // busy 200, total 1000
  clock.set(50.0);
  meter.start();
  proc.write("stat", "cpu  300 0 200 750 150 0 0 0 0 0\n");  // busy 500, total 1400
  clock.set(50.0 + seconds);
  meter.stop();
}

TEST(CpuEstimate, GivenTdpFormula) {
  TempDir proc("estimate_tdp");
  MeterOptions options;
  options.proc_root = proc.path();
  options.cpu_tdp_w = 100.0;
  options.logical_cores = 8;
  ScriptedClock clock;
  CpuEstimateMeter meter(options, clock.fn());
  script_window(proc, meter, clock, 2.0);
  const auto r = meter.readings().at(0);
  // E = 100 W x 0.75 x 2 s = 150 J.
  ASSERT_TRUE(r.available) << r.unavailable_reason;
  EXPECT_FALSE(r.measured);
  EXPECT_EQ(r.source, EnergySource::kEstimate);
  EXPECT_EQ(r.scope, "cpu-package");
  EXPECT_DOUBLE_EQ(r.joules, 150.0);
  EXPECT_DOUBLE_EQ(r.avg_power_w, 75.0);
  EXPECT_NE(r.formula.find("E = P x utilisation x T = 100 W x 0.75 x 2 s = 150 J"), std::string::npos)
      << r.formula;
  EXPECT_NE(r.formula.find("--cpu-tdp"), std::string::npos);
}

TEST(CpuEstimate, TableTdpScaledByThreadShare) {
  TempDir proc("estimate_table");
  MeterOptions options;
  options.proc_root = proc.path();
  options.cpu_model = "AMD EPYC 7763 64-Core Processor";
  options.logical_cores = 16;
  ScriptedClock clock;
  CpuEstimateMeter meter(options, clock.fn());
  // P = 280 W x 16/128 = 35 W; E = 35 W x 0.75 x 4 s = 105 J.
  EXPECT_DOUBLE_EQ(meter.power_w().value(), 35.0);
  script_window(proc, meter, clock, 4.0);
  const auto r = meter.readings().at(0);
  EXPECT_DOUBLE_EQ(r.joules, 105.0);
  EXPECT_NE(r.formula.find("EPYC 7763"), std::string::npos);
}

TEST(CpuEstimate, ProcessTimeWhenProcStatIsMissing) {
  TempDir proc("estimate_noproc");
  MeterOptions options;
  options.proc_root = proc.path() + "/missing";
  options.cpu_tdp_w = 40.0;
  options.logical_cores = 4;
  ScriptedClock clock;
  auto cpu_s = std::make_shared<double>(10.0);
  CpuEstimateMeter meter(options, clock.fn(), [cpu_s] { return *cpu_s; });
  clock.set(0.0);
  meter.start();
  *cpu_s = 16.0;  // 6 CPU-seconds in 3 s on 4 cores: utilisation 0.5
  clock.set(3.0);
  meter.stop();
  const auto r = meter.readings().at(0);
  // E = 40 W x 0.5 x 3 s = 60 J.
  EXPECT_DOUBLE_EQ(r.joules, 60.0);
  EXPECT_EQ(r.warnings.size(), 1u);
}

TEST(CpuEstimate, UnknownTdpIsUnavailableWithTheFix) {
  MeterOptions options;
  options.cpu_model = "AMD EPYC";
  CpuEstimateMeter meter(options);
  meter.start();
  meter.stop();
  const auto r = meter.readings().at(0);
  EXPECT_FALSE(r.available);
  EXPECT_NE(r.unavailable_reason.find("--cpu-tdp"), std::string::npos);
  EXPECT_FALSE(meter.status().at(0).available);
}

}  // namespace
}  // namespace effbench
