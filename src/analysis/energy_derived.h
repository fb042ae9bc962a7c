#pragma once
// Figures derived from stored energy at report time: kWh, CO2e and cost.
// Never stored as measurements: grid intensity, PUE and price are
// assumptions of the reader, settable per report.

#include <optional>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

/// World-average carbon intensity of electricity generation, gCO2e/kWh:
/// 481 g for 2023, lifecycle emissions, from Ember, "Global Electricity
/// Review 2024" (ember-climate.org; also in Our World in Data's
/// "carbon-intensity-electricity" series). Replace with your grid's figure.
inline constexpr double kWorldGridIntensityGPerKwh = 481.0;

/// Joules in one kilowatt-hour (1000 W x 3600 s).
inline constexpr double kJoulesPerKwh = 3.6e6;

/// Report-time assumptions for derived figures.
struct EnergyDerivedSettings {
  double grid_intensity_g_per_kwh = kWorldGridIntensityGPerKwh;  // gCO2e per kWh drawn from the grid
  double pue = 1.0;                     // data-centre power usage effectiveness (>= 1)
  std::optional<double> price_per_kwh;  // electricity price (optional); no cost without it
  std::string currency = "USD";
};

/// Derived figures for one energy amount.
struct EnergyDerived {
  double kwh = 0;              // energy / 3.6e6 J
  double co2e_g = 0;           // kwh x grid intensity x PUE
  std::optional<double> cost;  // kwh x price, in settings.currency (optional)
};

/// kWh in `joules`.
double joules_to_kwh(double joules);

/// Throws effbench::Error naming the setting when grid intensity or price is
/// negative, or PUE is below 1.
void validate(const EnergyDerivedSettings& settings);

/// kWh, CO2e = kWh x grid intensity x PUE, cost = kWh x price (no PUE in the
/// cost: the price is per kWh metered at the device). Validates `settings`.
EnergyDerived derive_energy(double joules, const EnergyDerivedSettings& settings);

// measured_total_joules() and estimated_total_joules() live with the record
// (results/record.h): the console and the report both need them.

}  // namespace effbench
