#pragma once
// Energy-per-accuracy figures of training cases: accuracy per kWh, joules per
// correct prediction, time and energy per accuracy point, the Green Quotient
// Index and the accuracy/energy Pareto front. No torch.

#include <optional>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

/// The unit E is expressed in inside the GQI's log10(E).
enum class EnergyUnit { kJoule, kWattHour, kKilowattHour };

/// "J", "Wh", "kWh".
std::string energy_unit_name(EnergyUnit unit);
/// Parses "J", "Wh" or "kWh" (any case). Throws effbench::Error naming
/// --gqi-unit and the value otherwise.
EnergyUnit parse_energy_unit(const std::string& text);
/// Joules in one `unit`: 1, 3600, 3.6e6.
double joules_per_unit(EnergyUnit unit);

/// Settings of the Green Quotient Index, printed beside every value.
struct GqiSettings {
  double alpha = 5;  // accuracy exponent
  double beta = 10;  // scale
  EnergyUnit unit = EnergyUnit::kKilowattHour;
};

/// Throws effbench::Error naming --gqi-alpha / --gqi-beta when not > 0 and finite.
void validate(const GqiSettings& settings);
/// "alpha 5, beta 10, E in kWh".
std::string describe(const GqiSettings& settings);

/// One GQI value, or why there is none.
struct GqiResult {
  bool defined = false;
  double value = 0;           // beta * accuracy^alpha / log10(E), when defined
  double half_width = 0;      // from E's half-width, to first order (Note [Energy uncertainty]);
                              // infinite when E - u(E) <= 1 unit, where the index is undefined
  double energy_in_unit = 0;  // E in settings.unit
  std::string reason;         // when undefined: why, and which --gqi-unit would give one
  std::string settings;       // describe(settings)
};

/// GreenQuotientIndex = beta * accuracy^alpha / log10(E), E = energy_j in
/// settings.unit. See Note [GQI's undefined region] in efficiency.cpp: where
/// log10(E) <= 0 (E <= 1 unit) or there is no energy, the result is undefined
/// with the reason; never negative or infinite. `accuracy` is a fraction in [0, 1].
/// `energy_half_width_j` propagates to half_width as Note [Energy uncertainty]
/// (meters/energy_uncertainty.h) says: GQI x u(E) / (E x ln 10 x log10(E)).
GqiResult green_quotient_index(double accuracy, double energy_j, const GqiSettings& settings,
                               double energy_half_width_j = 0);

/// One point of the accuracy/energy trade-off.
struct ParetoPoint {
  double quality = 0;  // accuracy, or a lower-is-better figure
  bool higher_is_better = true;
  double energy_j = 0;
  std::string group;  // only points of the same group (metric and dataset) are compared
};

/// For each point, whether no other point of its group dominates it (at least
/// as good in quality and at most as much energy, strictly better in one).
std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points);

/// The efficiency figures of one finished training case.
struct CaseEfficiency {
  size_t case_index = 0;  // of the case in the list given to case_efficiencies()
  std::string model, device, dataset;
  std::string metric;  // "test_accuracy" | "cycle_l1"
  bool higher_is_better = true;
  double quality = 0;  // the final evaluation's value
  double time_s = 0;   // clock of the whole case (to target when one was reached)
  std::optional<bool> reached_target;
  std::optional<double> target;
  bool energy_available = false;
  bool energy_estimated = false;  // an estimate, not a measurement: label it so
  Uncertain energy_j;             // measured total, else estimated total, ± its half-width
  // Accuracy-based figures (classifiers with energy; absent otherwise), each
  // with its half-width from E's (Note [Energy uncertainty]):
  std::optional<Uncertain> accuracy_per_kwh;    // accuracy (fraction) / kWh; half-width a/(E-u) - a/E
  std::optional<Uncertain> joules_per_correct;  // E / (accuracy x evaluated test samples)
  std::optional<double> seconds_per_point;      // time / (100 x accuracy)
  std::optional<Uncertain> joules_per_point;    // E / (100 x accuracy)
  std::optional<GqiResult> gqi;                 // classifiers only
  std::optional<bool> pareto;                   // absent without energy
};

/// Figures of every ok case that has an accuracy result, with the Pareto front
/// over them. See Note [Which energy] in efficiency.cpp.
std::vector<CaseEfficiency> case_efficiencies(const std::vector<CaseRecord>& cases,
                                              const GqiSettings& settings);

}  // namespace effbench
