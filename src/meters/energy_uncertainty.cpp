#include "meters/energy_uncertainty.h"

#include <algorithm>
#include <cmath>

#include "core/stats.h"
#include "meters/nvml_meter.h"
#include "meters/rapl_meter.h"

namespace effbench {
namespace {

// The power integral of the same GPU, basis and rank over the same window, if it can be compared.
const EnergyReading* cross_check_of(const EnergyReading& counter,
                                    const std::vector<EnergyReading>& readings) {
  for (const auto& r : readings) {
    if (r.source == EnergySource::kNvmlPowerIntegral && r.device == counter.device &&
        r.basis == counter.basis && r.rank == counter.rank && r.available && !r.below_resolution)
      return &r;
  }
  return nullptr;
}

// Note [Energy uncertainty], term by term.
std::map<std::string, double> terms_of(const EnergyReading& r, const std::vector<EnergyReading>& readings) {
  std::map<std::string, double> terms;
  const double power_w =
      std::fabs(r.avg_power_w + (r.basis == EnergyBasis::kNet ? r.idle_power_w.value_or(0) : 0));
  switch (r.source) {
    case EnergySource::kRapl:
      terms["resolution"] = 2 * kRaplEnergyQuantumJ;
      terms["update_period"] = power_w * kRaplUpdatePeriodS;
      break;
    case EnergySource::kNvmlEnergyCounter:
      terms["resolution"] = 2 * kNvmlEnergyQuantumJ;
      terms["update_period"] = power_w * kNvmlUpdatePeriodS;
      if (const EnergyReading* integral = r.below_resolution ? nullptr : cross_check_of(r, readings))
        terms["counter_vs_integral"] = std::fabs(r.joules - integral->joules);
      break;
    case EnergySource::kNvmlPowerIntegral:
      terms["resolution"] = kNvmlPowerQuantumW * r.duration_s;
      terms["update_period"] = power_w * std::max(kNvmlUpdatePeriodS, r.period_s);
      break;
    case EnergySource::kEstimate:
      terms["assumptions"] = kEstimateRelativeHalfWidth * std::fabs(r.joules);
      break;
  }
  if (r.basis == EnergyBasis::kNet && r.idle_power_uncertainty_w)
    terms["idle_baseline"] = *r.idle_power_uncertainty_w * r.duration_s;
  return terms;
}

}  // namespace

void attach_uncertainty(std::vector<EnergyReading>& readings) {
  for (auto& r : readings) {
    if (!r.available) continue;
    r.uncertainty_terms_j = terms_of(r, readings);
    double half_width = 0;
    for (const auto& [term, joules] : r.uncertainty_terms_j) half_width = in_quadrature(half_width, joules);
    r.uncertainty_j = half_width;
  }
}

double idle_power_half_width_w(const EnergyReading& idle, const std::vector<double>& idle_watts) {
  const double reading_w = idle.duration_s > 0 ? idle.uncertainty_j.value_or(0) / idle.duration_s : 0;
  return in_quadrature(reading_w, mean_half_width_95(idle_watts));
}

}  // namespace effbench
