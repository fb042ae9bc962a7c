#include "report/model_card.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "analysis/energy_derived.h"
#include "core/error.h"
#include "core/uncertain.h"
#include "core/units.h"

namespace effbench {
namespace {

// Beyond any grid's lifecycle intensity (coal-fired generation is about
// 1000 gCO2e/kWh): a larger figure is a unit slip (g/Wh, lb/MWh x 1000).
constexpr double kMaxGridGPerKwh = 2000;

std::string case_name(const CaseRecord& c) { return c.model + " on " + c.device.str(); }

// "rapl (cpu-package, dram), nvml-energy-counter (gpu-board)": the sensors
// of the readings counted_energy() added, scopes grouped by source.
std::string counted_sensors(const std::vector<EnergyReading>& readings, bool measured) {
  std::vector<std::pair<std::string, std::vector<std::string>>> sources;
  for (const EnergyReading& r : readings) {
    if (r.measured != measured || !reading_counts(r)) continue;  // Note [Which energy counts]
    const std::string source = to_string(r.source);
    auto found =
        std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.first == source; });
    if (found == sources.end()) found = sources.insert(sources.end(), {source, {}});
    if (std::find(found->second.begin(), found->second.end(), r.scope) == found->second.end())
      found->second.push_back(r.scope);
  }
  std::string text;
  for (const auto& [source, scopes] : sources) {
    std::string scope_list;
    for (const auto& scope : scopes) scope_list += (scope_list.empty() ? "" : ", ") + scope;
    text += (text.empty() ? "" : ", ") + source + (scope_list.empty() ? "" : " (" + scope_list + ")");
  }
  return text;
}

// "NVIDIA H200 (cuda:0)", "2 x NVIDIA H200 (data-parallel)", "Intel Xeon (cpu, 8 threads)".
std::string hardware_text(const RunRecord& run, const CaseRecord& c) {
  std::string name = c.device_name;
  if (name.empty()) name = c.device.is_cpu() ? run.system.cpu_model : c.device.str();
  const int64_t processes = c.distributed ? c.distributed->world_size : 1;
  if (c.device.is_cpu()) {
    std::string text =
        name + " (cpu, " + std::to_string(c.threads) + (c.threads == 1 ? " thread" : " threads");
    if (processes > 1) text += " x " + std::to_string(processes) + " data-parallel processes";
    return text + ")";
  }
  if (processes > 1) return std::to_string(processes) + " x " + name + " (data-parallel)";
  return "1 x " + name + " (" + c.device.str() + ")";
}

std::string yaml_line(const std::string& key, const std::string& value) {
  return "  " + key + ": " + value + "\n";
}

}  // namespace

const CaseRecord& model_card_case(const RunRecord& run, const ModelCardSettings& settings) {
  std::vector<const CaseRecord*> found;
  std::string all;
  for (const CaseRecord& c : run.cases) {
    if (!c.accuracy) continue;
    all += (all.empty() ? "" : ", ") + case_name(c);
    if (settings.model && c.model != *settings.model) continue;
    if (settings.device && c.device.str() != *settings.device) continue;
    found.push_back(&c);
  }
  EFFBENCH_CHECK(!all.empty(), "run ", run.run_id,
                 " has no training case with a result; a model card's emissions come from training to a "
                 "result (effbench run --dataset NAME)");
  const bool picked = settings.model || settings.device;
  EFFBENCH_CHECK(!found.empty(), "run ", run.run_id, " has no training case matching",
                 settings.model ? " --model " + *settings.model : "",
                 settings.device ? " --device " + *settings.device : "", "; its training cases: ", all);
  EFFBENCH_CHECK(found.size() == 1, "run ", run.run_id, " has ", found.size(), " training cases",
                 picked ? " matching" : "", " (", all,
                 "); a model card describes one: pick it with --model and --device");
  const CaseRecord& c = *found.front();
  EFFBENCH_CHECK(c.status == CaseStatus::kOk, "run ", run.run_id, ": the training of ", case_name(c),
                 " did not finish (status ", c.status, "); its energy is not that of a trained model");
  return c;
}

std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += ch;  // UTF-8 passes through: YAML double-quoted scalars are Unicode
    }
  }
  return out + "\"";
}

std::string model_card_co2_yaml(const RunRecord& run, const ModelCardSettings& settings) {
  const double grid = settings.grid_g_per_kwh;
  EFFBENCH_CHECK(std::isfinite(grid) && grid >= 0 && grid <= kMaxGridGPerKwh, settings.grid_flag,
                 ": expected the grid's carbon intensity in gCO2e/kWh, in [0, ", kMaxGridGPerKwh,
                 "], but got ", grid);
  const CaseRecord& c = model_card_case(run, settings);
  const CountedEnergy energy = counted_energy(c.energy);  // Note [Which energy counts]
  EFFBENCH_CHECK(energy.available, "run ", run.run_id, ": the training of ", case_name(c),
                 " has no energy reading that counts; measure it with the meters on, or give "
                 "--cpu-tdp W to `effbench run` for an estimate");
  EnergyDerivedSettings derived;
  derived.grid_intensity_g_per_kwh = grid;
  const double co2e_g = derive_energy(energy.energy_j, derived).co2e_g;
  const Uncertain co2e{co2e_g,
                       energy.uncertainty_j ? derive_energy(*energy.uncertainty_j, derived).co2e_g : 0.0};

  const std::string version =
      "effbench" + (run.system.effbench_version.empty() ? std::string() : " " + run.system.effbench_version);
  const std::string how = energy.measured ? "energy measured by " + counted_sensors(c.energy, true)
                                          : "energy estimated from CPU TDP (not measured)";
  std::string source = version + ", " + how + ": " + format_plus_minus(energy.interval(), "J") +
                       " to train " + c.model +
                       (c.accuracy->dataset.empty() ? "" : " on " + c.accuracy->dataset) + " at " +
                       format_number(grid) + " gCO2e/kWh = " + format_plus_minus(co2e, "g") + " CO2e";
  if (!energy.uncertainty_j) source += " (no interval: the run predates energy intervals)";
  source += " (run " + run.run_id + ")";

  std::string yaml = "co2_eq_emissions:\n";
  yaml += yaml_line("emissions", format_number(co2e_g));
  yaml += yaml_line("source", yaml_quoted(source));
  yaml += yaml_line("training_type", yaml_quoted("pre-training"));
  if (!settings.location.empty()) yaml += yaml_line("geographical_location", yaml_quoted(settings.location));
  yaml += yaml_line("hardware_used", yaml_quoted(hardware_text(run, c)));
  return yaml;
}

}  // namespace effbench
