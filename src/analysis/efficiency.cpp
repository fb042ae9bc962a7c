#include "analysis/efficiency.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.h"
#include "core/units.h"

namespace effbench {

// Note [GQI's undefined region]
// GQI = beta * accuracy^alpha / log10(E). log10(E) is zero at E = 1 unit and
// negative below it, so the index is infinite at exactly one unit and negative
// below: a 2-minute Conv6 run uses ~0.002 kWh, and its "GQI" in kWh would be
// -0.2, ranking it below every run that used more than a kWh. The index is
// therefore reported only where log10(E) > 0; elsewhere the result is
// undefined, says why, and names the largest unit in which E exceeds one unit
// (Wh, then J), which the user can select with --gqi-unit. Just above one
// unit the index is still huge (log10(E) -> 0+); it compares runs fairly only
// when all their energies are well above one unit, so the settings are
// printed beside every value.
//
// Note [Which energy]
// A case's energy is counted_energy() (Note [Which energy counts] in
// results/record.h): its measured total when it has one, otherwise its
// estimated total, labelled "estimated" wherever it is shown. For a run
// stopped at a target both cover the span of time to target
// (runner/accuracy.cpp, Note [Time to accuracy]). Joules per correct
// prediction divide that training energy by the correct predictions of the
// final evaluation (accuracy x test samples): the cost of the model's
// knowledge per right answer, not an inference cost.

namespace {

// Settings as typed: "5", "0.5", "1e+03" (format_number would print "10.00").
std::string setting_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

std::string energy_unit_name(EnergyUnit unit) {
  switch (unit) {
    case EnergyUnit::kJoule:
      return "J";
    case EnergyUnit::kWattHour:
      return "Wh";
    case EnergyUnit::kKilowattHour:
      return "kWh";
  }
  return "?";
}

EnergyUnit parse_energy_unit(const std::string& text) {
  const std::string t = lower(text);
  if (t == "j") return EnergyUnit::kJoule;
  if (t == "wh") return EnergyUnit::kWattHour;
  if (t == "kwh") return EnergyUnit::kKilowattHour;
  throw Error("--gqi-unit: unknown energy unit '" + text + "'; valid: J, Wh, kWh");
}

double joules_per_unit(EnergyUnit unit) {
  switch (unit) {
    case EnergyUnit::kJoule:
      return 1.0;
    case EnergyUnit::kWattHour:
      return 3600.0;
    case EnergyUnit::kKilowattHour:
      return 3.6e6;
  }
  return 1.0;
}

void validate(const GqiSettings& s) {
  check(std::isfinite(s.alpha) && s.alpha > 0,
        "--gqi-alpha: expected a number > 0 but got " + format_number(s.alpha));
  check(std::isfinite(s.beta) && s.beta > 0,
        "--gqi-beta: expected a number > 0 but got " + format_number(s.beta));
}

std::string describe(const GqiSettings& s) {
  return "alpha " + setting_text(s.alpha) + ", beta " + setting_text(s.beta) + ", E in " +
         energy_unit_name(s.unit);
}

GqiResult green_quotient_index(double accuracy, double energy_j, const GqiSettings& settings,
                               double energy_half_width_j) {
  GqiResult r;
  r.settings = describe(settings);
  if (!(energy_j > 0) || !std::isfinite(energy_j)) {
    r.reason = "no energy reading for this case";
    return r;
  }
  if (!(accuracy >= 0 && accuracy <= 1)) {
    r.reason = "accuracy " + format_number(accuracy) + " is not a fraction in [0, 1]";
    return r;
  }
  r.energy_in_unit = energy_j / joules_per_unit(settings.unit);
  const double log_e = std::log10(r.energy_in_unit);
  if (log_e <= 0) {
    // Note [GQI's undefined region]: suggest the largest unit in which E > 1.
    std::string suggestion;
    for (EnergyUnit u : {EnergyUnit::kKilowattHour, EnergyUnit::kWattHour, EnergyUnit::kJoule}) {
      if (joules_per_unit(u) < joules_per_unit(settings.unit) && energy_j / joules_per_unit(u) > 1) {
        suggestion = "; --gqi-unit " + energy_unit_name(u) +
                     " gives E = " + format_number(energy_j / joules_per_unit(u)) + " " + energy_unit_name(u);
        break;
      }
    }
    if (suggestion.empty()) suggestion = "; no unit makes E > 1 (less than a joule)";
    r.reason = "undefined: E = " + format_number(r.energy_in_unit) + " " + energy_unit_name(settings.unit) +
               " <= 1 " + energy_unit_name(settings.unit) + ", so log10(E) = " + format_number(log_e) +
               " <= 0 and the index would be " + (log_e == 0 ? "infinite" : "negative") + suggestion;
    return r;
  }
  r.value = settings.beta * std::pow(accuracy, settings.alpha) / log_e;
  r.defined = std::isfinite(r.value);
  // Note [Energy uncertainty]: to first order, unless the interval reaches the undefined region.
  r.half_width = energy_j - energy_half_width_j <= joules_per_unit(settings.unit)
                     ? std::numeric_limits<double>::infinity()
                     : r.value * energy_half_width_j / (energy_j * std::log(10.0) * log_e);
  if (!r.defined)
    r.reason = "undefined: the index overflows (E just above 1 " + energy_unit_name(settings.unit) + ")";
  return r;
}

std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points) {
  std::vector<bool> front(points.size(), true);
  for (size_t i = 0; i < points.size(); ++i) {
    const ParetoPoint& p = points[i];
    for (size_t j = 0; j < points.size() && front[i]; ++j) {
      const ParetoPoint& q = points[j];
      if (i == j || q.group != p.group || q.higher_is_better != p.higher_is_better) continue;
      const bool quality_at_least = p.higher_is_better ? q.quality >= p.quality : q.quality <= p.quality;
      const bool quality_better = p.higher_is_better ? q.quality > p.quality : q.quality < p.quality;
      const bool energy_at_most = q.energy_j <= p.energy_j;
      const bool energy_less = q.energy_j < p.energy_j;
      if (quality_at_least && energy_at_most && (quality_better || energy_less)) front[i] = false;
    }
  }
  return front;
}

std::vector<CaseEfficiency> case_efficiencies(const std::vector<CaseRecord>& cases,
                                              const GqiSettings& settings) {
  std::vector<CaseEfficiency> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaseRecord& c = cases[i];
    if (c.status != CaseStatus::kOk || !c.accuracy) continue;
    const AccuracyResult& a = *c.accuracy;
    CaseEfficiency e;
    e.case_index = i;
    e.model = c.model;
    e.device = c.device.str();
    e.dataset = a.dataset;
    e.metric = a.metric;
    e.higher_is_better = a.higher_is_better;
    e.quality = a.value;
    e.target = a.target;
    e.reached_target = a.reached_target;
    e.time_s = a.reached_target.value_or(false) && a.time_to_target_s ? *a.time_to_target_s : a.train_time_s;
    // Note [Which energy]
    const CountedEnergy energy = counted_energy(c.energy);
    e.energy_available = energy.available;
    e.energy_estimated = energy.available && !energy.measured;
    e.energy_j = energy.interval();
    const bool accuracy_metric = a.metric == "test_accuracy";
    if (accuracy_metric) {
      if (a.value > 0) e.seconds_per_point = e.time_s / (100.0 * a.value);
      e.gqi = green_quotient_index(a.value, e.energy_available ? e.energy_j.value : 0.0, settings,
                                   e.energy_j.half_width);
      if (e.energy_available) {
        // Note [Energy uncertainty]: each keeps E's relative half-width.
        // a / E is asymmetric around its value: the larger side, a / (E - u) - a / E, is the half-width.
        const double kwh = e.energy_j.value / joules_per_unit(EnergyUnit::kKilowattHour);
        const double lowest_kwh =
            (e.energy_j.value - e.energy_j.half_width) / joules_per_unit(EnergyUnit::kKilowattHour);
        e.accuracy_per_kwh =
            Uncertain{a.value / kwh, lowest_kwh > 0 ? a.value / lowest_kwh - a.value / kwh
                                                    : std::numeric_limits<double>::infinity()};
        if (a.value > 0) e.joules_per_point = scaled(e.energy_j, 1 / (100.0 * a.value));
        const double correct = a.value * static_cast<double>(a.eval_images);
        if (correct > 0) e.joules_per_correct = scaled(e.energy_j, 1 / correct);
      }
    }
    rows.push_back(e);
  }
  std::vector<ParetoPoint> points;
  std::vector<size_t> index;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].energy_available) continue;
    points.push_back({rows[i].quality, rows[i].higher_is_better, rows[i].energy_j.value,
                      rows[i].metric + "/" + rows[i].dataset});
    index.push_back(i);
  }
  const std::vector<bool> front = pareto_front(points);
  for (size_t k = 0; k < index.size(); ++k) rows[index[k]].pareto = front[k];
  return rows;
}

}  // namespace effbench
