#include "analysis/energy_derived.h"

#include "core/error.h"

namespace effbench {

double joules_to_kwh(double joules) { return joules / kJoulesPerKwh; }

void validate(const EnergyDerivedSettings& settings) {
  check(settings.grid_intensity_g_per_kwh >= 0, "grid intensity: expected gCO2e/kWh >= 0 but got " +
                                                    std::to_string(settings.grid_intensity_g_per_kwh));
  check(settings.pue >= 1.0, "PUE: expected a power usage effectiveness >= 1.0 but got " +
                                 std::to_string(settings.pue) + " (1.0 = no facility overhead)");
  check(!settings.price_per_kwh || *settings.price_per_kwh >= 0,
        "electricity price: expected a price per kWh >= 0 but got " +
            std::to_string(settings.price_per_kwh.value_or(0)));
}

EnergyDerived derive_energy(double joules, const EnergyDerivedSettings& settings) {
  validate(settings);
  EnergyDerived d;
  d.kwh = joules_to_kwh(joules);
  d.co2e_g = d.kwh * settings.grid_intensity_g_per_kwh * settings.pue;
  if (settings.price_per_kwh) d.cost = d.kwh * *settings.price_per_kwh;
  return d;
}

}  // namespace effbench
