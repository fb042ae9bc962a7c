#include "analysis/energy_derived.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace effbench {
namespace {

TEST(EnergyDerived, KwhCo2eAndCost) {
  // 7.2e6 J = 2 kWh; CO2e = 2 x 481 g x 1.0 = 962 g; no price, no cost.
  const auto d = derive_energy(7.2e6, EnergyDerivedSettings{});
  EXPECT_DOUBLE_EQ(d.kwh, 2.0);
  EXPECT_DOUBLE_EQ(d.co2e_g, 962.0);
  EXPECT_FALSE(d.cost);
  // 3.6e6 J = 1 kWh at 200 g/kWh, PUE 1.5 -> 300 g; at 0.25 per kWh -> 0.25.
  EnergyDerivedSettings settings;
  settings.grid_intensity_g_per_kwh = 200;
  settings.pue = 1.5;
  settings.price_per_kwh = 0.25;
  const auto e = derive_energy(3.6e6, settings);
  EXPECT_DOUBLE_EQ(e.co2e_g, 300.0);
  EXPECT_DOUBLE_EQ(e.cost.value(), 0.25);
}

TEST(EnergyDerived, RejectsImpossibleSettings) {
  EnergyDerivedSettings settings;
  settings.pue = 0.9;
  EXPECT_THROW(derive_energy(1, settings), Error);
  settings = {};
  settings.grid_intensity_g_per_kwh = -1;
  EXPECT_THROW(derive_energy(1, settings), Error);
  settings = {};
  settings.price_per_kwh = -0.1;
  EXPECT_THROW(derive_energy(1, settings), Error);
}

TEST(EnergyDerived, TotalsKeepEstimatesCrossChecksAndNetApart) {
  auto make = [](const std::string& source, const std::string& scope, bool measured, double joules) {
    EnergyReading r;
    r.source = parse_word<EnergySource>(source, "test");
    r.scope = scope;
    r.measured = measured;
    r.available = true;
    r.joules = joules;
    return r;
  };
  std::vector<EnergyReading> readings = {make("rapl", "cpu-package", true, 10),
                                         make("rapl", "dram", true, 2),
                                         make("rapl", "psys", true, 30),  // overlaps package + dram
                                         make("nvml-energy-counter", "gpu-board", true, 100),
                                         make("nvml-power-integral", "gpu-board", true, 98),
                                         make("estimate", "cpu-package", false, 7)};
  readings[4].cross_check = true;
  EnergyReading net = readings[0];
  net.basis = EnergyBasis::kNet;
  net.joules = 4;
  readings.push_back(net);
  EnergyReading short_window = make("rapl", "cpu-package", true, 0);
  short_window.below_resolution = true;
  readings.push_back(short_window);
  EnergyReading missing = make("rapl", "dram", true, 99);
  missing.available = false;
  readings.push_back(missing);
  // Measured: 10 + 2 + 100 = 112 J; estimated: 7 J.
  EXPECT_DOUBLE_EQ(measured_total_joules(readings), 112.0);
  EXPECT_DOUBLE_EQ(estimated_total_joules(readings), 7.0);
}

}  // namespace
}  // namespace effbench
