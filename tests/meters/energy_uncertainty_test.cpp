#include "meters/energy_uncertainty.h"

#include <gtest/gtest.h>

#include <cmath>

namespace effbench {
namespace {

// Half-widths by hand from Note [Energy uncertainty]: RAPL's quantum 2^-16 J
// and update period 1 ms, NVML's counter quantum 1 mJ, power quantum 1 mW and
// update period 100 ms, estimates +-50%.

EnergyReading reading(EnergySource source, double joules, double duration_s) {
  EnergyReading r;
  r.source = source;
  r.scope = source == EnergySource::kRapl ? "cpu-package" : "gpu-board";
  r.device = source == EnergySource::kRapl ? "package-0" : "cuda:0";
  r.measured = source != EnergySource::kEstimate;
  r.available = true;
  r.joules = joules;
  r.duration_s = duration_s;
  r.avg_power_w = joules / duration_s;
  return r;
}

TEST(EnergyUncertainty, RaplIsItsQuantumAndOneUpdatePeriodOfPower) {
  std::vector<EnergyReading> readings{reading(EnergySource::kRapl, 100, 2)};  // 50 W
  attach_uncertainty(readings);
  const EnergyReading& r = readings[0];
  EXPECT_DOUBLE_EQ(r.uncertainty_terms_j.at("resolution"), 2.0 / 65536);
  EXPECT_DOUBLE_EQ(r.uncertainty_terms_j.at("update_period"), 0.05);  // 50 W x 1 ms
  EXPECT_NEAR(r.uncertainty_j.value(), std::sqrt(0.05 * 0.05 + std::pow(2.0 / 65536, 2)), 1e-15);
}

TEST(EnergyUncertainty, NvmlCounterCarriesItsDisagreementWithTheIntegral) {
  EnergyReading counter = reading(EnergySource::kNvmlEnergyCounter, 1000, 4);  // 250 W
  EnergyReading integral = reading(EnergySource::kNvmlPowerIntegral, 990, 4);  // 247.5 W
  integral.cross_check = true;
  integral.period_s = 0.05;  // sampled faster than NVML updates: the update period counts
  std::vector<EnergyReading> readings{counter, integral};
  attach_uncertainty(readings);
  // Counter: 2 mJ, 250 W x 0.1 s = 25 J, |1000 - 990| = 10 J.
  EXPECT_DOUBLE_EQ(readings[0].uncertainty_terms_j.at("counter_vs_integral"), 10.0);
  EXPECT_NEAR(readings[0].uncertainty_j.value(), std::sqrt(0.002 * 0.002 + 25.0 * 25.0 + 10.0 * 10.0), 1e-12);
  // Integral: 1 mW x 4 s = 4 mJ, 247.5 W x 0.1 s = 24.75 J.
  EXPECT_NEAR(readings[1].uncertainty_j.value(), std::sqrt(0.004 * 0.004 + 24.75 * 24.75), 1e-12);
  EXPECT_EQ(readings[1].uncertainty_terms_j.count("counter_vs_integral"), 0u);
}

TEST(EnergyUncertainty, SlowPowerSamplingWidensTheIntegral) {
  EnergyReading integral = reading(EnergySource::kNvmlPowerIntegral, 400, 2);  // 200 W
  integral.period_s = 0.5;
  std::vector<EnergyReading> readings{integral};
  attach_uncertainty(readings);
  EXPECT_DOUBLE_EQ(readings[0].uncertainty_terms_j.at("update_period"), 100.0);  // 200 W x 0.5 s
}

TEST(EnergyUncertainty, EstimatesAssumeHalfTheirValueAndNetReadingsAddTheIdleBaseline) {
  EnergyReading net = reading(EnergySource::kRapl, 80, 4);  // 20 W net of a 30 W idle: 50 W gross
  net.basis = EnergyBasis::kNet;
  net.idle_power_w = 30;
  net.idle_power_uncertainty_w = 0.5;
  EnergyReading missing = reading(EnergySource::kRapl, 0, 1);
  missing.available = false;
  std::vector<EnergyReading> readings{reading(EnergySource::kEstimate, 60, 3), net, missing};
  attach_uncertainty(readings);
  EXPECT_DOUBLE_EQ(readings[0].uncertainty_j.value(), 30.0);
  EXPECT_DOUBLE_EQ(readings[1].uncertainty_terms_j.at("idle_baseline"), 2.0);  // 0.5 W x 4 s
  // The sensor lags the gross power: 50 W x 1 ms.
  EXPECT_DOUBLE_EQ(readings[1].uncertainty_terms_j.at("update_period"), 0.05);
  EXPECT_NEAR(readings[1].uncertainty_j.value(), std::sqrt(4.0 + 0.05 * 0.05 + std::pow(2.0 / 65536, 2)),
              1e-12);
  EXPECT_FALSE(readings[2].uncertainty_j);  // no interval on a reading that does not exist
}

TEST(EnergyUncertainty, IdlePowerAddsItsReadingAndTheSpreadOfItsSamples) {
  EnergyReading idle = reading(EnergySource::kRapl, 22, 2);
  idle.uncertainty_j = 0.01;
  // Samples 9..13 W: mean 11, stddev sqrt(2.5); t(0.975, 4) = 2.7764451 (tables).
  const double spread_w = 2.7764451 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_NEAR(idle_power_half_width_w(idle, {10, 12, 11, 13, 9}), std::hypot(0.005, spread_w), 1e-6);
  EXPECT_DOUBLE_EQ(idle_power_half_width_w(idle, {}), 0.005);
}

}  // namespace
}  // namespace effbench
