#include "results/record.h"

#include <gtest/gtest.h>

#include <cmath>

namespace effbench {
namespace {

EnergyReading reading(const std::string& source, const std::string& scope, const std::string& device) {
  EnergyReading r;
  r.source = parse_word<EnergySource>(source, "test");
  r.scope = scope;
  r.device = device;
  return r;
}

TEST(Record, CpuCasesKeepHostReadingsOnly) {
  EXPECT_TRUE(reading_belongs_to_case(reading("rapl", "cpu-package", "package-0"),
                                      Device::parse("cpu", "test case")));
  EXPECT_TRUE(
      reading_belongs_to_case(reading("estimate", "cpu-package", "cpu"), Device::parse("cpu", "test case")));
  EXPECT_FALSE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:0"),
                                       Device::parse("cpu", "test case")));
}

TEST(Record, GpuCasesKeepTheirGpuAndTheHost) {
  EXPECT_TRUE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:1"),
                                      Device::parse("cuda:1", "test case")));
  EXPECT_FALSE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:0"),
                                       Device::parse("cuda:1", "test case")));
  EXPECT_TRUE(
      reading_belongs_to_case(reading("rapl", "dram", "package-0"), Device::parse("cuda:1", "test case")));
}

EnergyReading joules(const std::string& source, const std::string& scope, const std::string& device,
                     bool measured, double value, const std::string& uuid = "") {
  EnergyReading r = reading(source, scope, device);
  r.measured = measured;
  r.available = true;
  r.joules = value;
  r.device_uuid = uuid;
  return r;
}

// Two hosts: ranks 0 and 1 on host a (one GPU each, one RAPL package shared),
// rank 2 on host b (its own GPU and package). Hand-computed totals:
// measured = GPU 100 + 110 + 120 + package a 50 (once) + package b 60 = 440 J.
TEST(Record, RankReadingsCountEachSensorOnce) {
  const std::vector<RankReadings> ranks = {
      {1,
       "a",
       {joules("nvml-energy-counter", "gpu-board", "cuda:1", true, 110, "GPU-1"),
        joules("rapl", "cpu-package", "package-0", true, 51)}},
      {0,
       "a",
       {joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 100, "GPU-0"),
        joules("rapl", "cpu-package", "package-0", true, 50)}},
      {2,
       "b",
       {joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 120, "GPU-9"),
        joules("rapl", "cpu-package", "package-0", true, 60)}},
  };
  const std::vector<EnergyReading> combined = combine_rank_readings(ranks);
  ASSERT_EQ(combined.size(), 6u);  // every reading is kept and labelled
  EXPECT_DOUBLE_EQ(measured_total_joules(combined), 440.0);
  // Rank order; rank 1's package reading repeats rank 0's sensor on host a.
  EXPECT_EQ(*combined[0].rank, 0);
  EXPECT_EQ(combined[0].host, "a");
  const EnergyReading& repeat = combined[3];
  EXPECT_EQ(*repeat.rank, 1);
  EXPECT_EQ(repeat.source, EnergySource::kRapl);
  EXPECT_TRUE(repeat.cross_check);
  ASSERT_EQ(repeat.warnings.size(), 1u);
  EXPECT_NE(repeat.warnings[0].find("rank 0"), std::string::npos);
  // Host b's package-0 is another sensor than host a's package-0.
  EXPECT_FALSE(combined[5].cross_check);
  EXPECT_EQ(*combined[5].rank, 2);
}

// Ranks sharing one GPU count it once; estimates stay out of measured totals.
TEST(Record, RankEstimatesAreSummedApartFromMeasurements) {
  const std::vector<RankReadings> ranks = {
      {0,
       "a",
       {joules("estimate", "cpu-package", "cpu", false, 30),
        joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 70, "G")}},
      {1,
       "a",
       {joules("estimate", "cpu-package", "cpu", false, 31),
        joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 71, "G")}},
      {2, "b", {joules("estimate", "cpu-package", "cpu", false, 40)}},
  };
  const std::vector<EnergyReading> combined = combine_rank_readings(ranks);
  EXPECT_DOUBLE_EQ(measured_total_joules(combined), 70.0);
  EXPECT_DOUBLE_EQ(estimated_total_joules(combined), 70.0);  // 30 (host a, once) + 40 (host b)
}

TEST(Record, RunIdsAreUniqueAndNameTheHost) {
  const std::string a = make_run_id("lab server");
  const std::string b = make_run_id("lab server");
  EXPECT_NE(a, b);  // 24 random bits each
  EXPECT_NE(a.find("-lab-server-"), std::string::npos);
}

// Note [Which energy counts], by hand: a psys measurement, a cross-check, a
// net reading, a below-resolution one and an unavailable one never count.
TEST(Record, CountedEnergyIsTheMeasuredTotalElseTheEstimate) {
  EnergyReading psys = joules("rapl", "psys", "psys-0", true, 300);
  EnergyReading cross = joules("nvml-power-integral", "gpu-board", "cuda:0", true, 95);
  cross.cross_check = true;
  EnergyReading net = joules("rapl", "cpu-package", "package-0", true, 20);
  net.basis = EnergyBasis::kNet;
  EnergyReading tiny = joules("rapl", "dram", "package-0", true, 1);
  tiny.below_resolution = true;
  EnergyReading gone = joules("rapl", "dram", "package-0", true, 5);
  gone.available = false;
  const EnergyReading estimate = joules("estimate", "cpu-package", "cpu", false, 65);
  EXPECT_FALSE(reading_counts(psys));
  EXPECT_FALSE(reading_counts(cross));
  EXPECT_FALSE(reading_counts(net));
  EXPECT_FALSE(reading_counts(tiny));
  EXPECT_FALSE(reading_counts(gone));
  EXPECT_TRUE(reading_counts(estimate));

  // Measured: GPU counter 100 + package 40 = 140 J; the estimate is not added.
  const CountedEnergy both =
      counted_energy({joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 100), cross, psys, net, tiny,
                      gone, joules("rapl", "cpu-package", "package-0", true, 40), estimate});
  EXPECT_TRUE(both.available);
  EXPECT_TRUE(both.measured);
  EXPECT_DOUBLE_EQ(both.energy_j, 140.0);

  // Only readings that do not count, and an estimate: the estimate, 65 J.
  const CountedEnergy estimated = counted_energy({psys, cross, net, estimate});
  EXPECT_TRUE(estimated.available);
  EXPECT_FALSE(estimated.measured);
  EXPECT_DOUBLE_EQ(estimated.energy_j, 65.0);

  const CountedEnergy none = counted_energy({psys, gone});
  EXPECT_FALSE(none.available);
  EXPECT_DOUBLE_EQ(none.energy_j, 0.0);
}

// Note [Energy uncertainty], by hand: counted readings' half-widths add in
// quadrature; one without a half-width (an older run) leaves the total without one.
TEST(Record, CountedEnergyAddsHalfWidthsInQuadrature) {
  EnergyReading gpu = joules("nvml-energy-counter", "gpu-board", "cuda:0", true, 100);
  gpu.uncertainty_j = 3;
  EnergyReading package = joules("rapl", "cpu-package", "package-0", true, 40);
  package.uncertainty_j = 4;
  EnergyReading cross = joules("nvml-power-integral", "gpu-board", "cuda:0", true, 95);
  cross.cross_check = true;
  cross.uncertainty_j = 100;  // not counted, so not in the interval
  EXPECT_DOUBLE_EQ(counted_energy({gpu, package, cross}).uncertainty_j.value(), 5.0);
  EnergyReading older = joules("rapl", "dram", "package-0", true, 10);
  EXPECT_FALSE(counted_energy({gpu, package, older}).uncertainty_j);
  EXPECT_DOUBLE_EQ(counted_energy({gpu, package, older}).interval().half_width, 0.0);
}

TEST(Record, EnergyPerSampleAddsTheRunToRunSpreadOfTheWindows) {
  CaseRecord c;
  c.batch = 10;
  c.timed_iterations = 10;  // 100 samples
  EnergyReading package = joules("rapl", "cpu-package", "package-0", true, 1000);
  package.uncertainty_j = 5;
  c.energy = {package};
  ThroughputSummary t;
  t.window_samples_per_s = {100, 110, 90};  // mean 100, stddev 10
  c.throughput = t;
  // 10 J/sample; the sensor gives 5 / 100 = 0.05 J/sample; the windows give
  // t(0.975, 2) x 10 / sqrt(3) / 100 = 24.84% of it (t = 4.3026527 from tables).
  const double run_to_run = 10 * 4.3026527 * 10 / std::sqrt(3.0) / 100;
  const auto per_sample = energy_per_sample(c);
  ASSERT_TRUE(per_sample);
  EXPECT_TRUE(per_sample->measured);
  EXPECT_DOUBLE_EQ(per_sample->joules_per_sample.value, 10.0);
  EXPECT_NEAR(per_sample->joules_per_sample.half_width, std::hypot(0.05, run_to_run), 1e-6);
  c.throughput->window_samples_per_s = {100};  // one window: the sensor's term alone
  EXPECT_DOUBLE_EQ(energy_per_sample(c)->joules_per_sample.half_width, 0.05);
  c.timed_iterations = 0;
  EXPECT_FALSE(energy_per_sample(c));
}

}  // namespace
}  // namespace effbench
