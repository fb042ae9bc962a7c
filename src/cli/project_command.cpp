// `effbench project [RUN_ID | --json RUN.json] --to h100,tpu-v5e,bluefield-3,...`:
// projects each measured case of a run onto catalog hardware that is not
// present (time per epoch, energy, CO2e, rental cost), labelled "projected"
// and printed beside the measured case it comes from.

#include "cli/project_command.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "analysis/catalog.h"
#include "analysis/projection.h"
#include "core/error.h"
#include "core/units.h"
#include "report/console.h"
#include "results/json.h"
#include "results/store.h"

namespace effbench {
namespace {

// A spread over study 3's device kinds: GPUs old and new, TPUs, a DPU, a QPU.
const char* const kDefaultTargets =
    "t4,a100-sxm4-40gb,h100-sxm,h200-sxm,tpu-v5e,tpu-v5p,bluefield-3,ibm-heron";

struct ProjectCli {
  std::string run_id;
  std::string json_path;
  std::string db_path;
  std::vector<std::string> targets;
  std::vector<std::string> models;
  std::string mode;
  int64_t samples = 50000;
  int64_t epochs = 0;  // 0 = the case's accuracy epochs, else 1
  double grid_g_per_kwh = kWorldGridIntensityGPerKwh;
  double pue = 1.0;
  double bytes_per_sample = 0;
  double efficiency = 0;
  std::string measured_as;
  std::string catalog_path;
};

std::string n(double v) { return format_number(v); }

std::string duration_text(double s) {
  if (s < 120) return n(s) + " s";
  if (s < 2 * 3600) return n(s / 60) + " min";
  if (s < 2 * 86400) return n(s / 3600) + " h";
  return n(s / 86400) + " d";
}

std::string energy_text(double j) { return format_si(j, "J"); }

std::string opt(const std::optional<double>& v, const std::function<std::string(double)>& f) {
  return v ? f(*v) : "-";
}

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    std::string part;
    for (char c : item + ",") {
      if (c == ',') {
        if (!part.empty()) out.push_back(part);
        part.clear();
      } else {
        part += c;
      }
    }
  }
  return out;
}

RunRecord load_run(const ProjectCli& cli) {
  if (!cli.json_path.empty()) {
    check(cli.run_id.empty(), "project: give a RUN_ID or --json FILE, not both");
    return read_run_json(cli.json_path);
  }
  const ResultStore store(cli.db_path.empty() ? ResultStore::default_path() : cli.db_path);
  const std::string id = cli.run_id.empty() || cli.run_id == "latest" ? store.latest_run_id() : cli.run_id;
  return store.load_run(id);
}

void print_projection(const std::string& run_id, const Projection& p) {
  const MeasuredBasis& m = p.measured;
  std::cout << "== " << m.model << " " << m.mode << " on " << m.device << " (" << m.device_name << "), batch "
            << m.batch << ", " << m.precision << " - run " << run_id << "\n";
  std::cout << "MEASURED: " << n(m.throughput_samples_per_s) << " samples/s x "
            << format_si(m.step_flops_per_sample, "FLOP") << " per sample = " << n(m.achieved_tflops)
            << " TFLOP/s achieved";
  if (m.efficiency) std::cout << ", efficiency " << n(*m.efficiency * 100) << "% of the roofline";
  std::cout << "\n  efficiency: " << m.efficiency_basis << "\n"
            << "  bytes per sample: " << format_bytes(m.bytes_per_sample) << " (" << m.bytes_basis
            << "); intensity " << n(m.arithmetic_intensity) << " FLOP/B\n";
  if (m.peak_memory_bytes) {
    std::cout << "  peak memory: " << format_bytes(*m.peak_memory_bytes) << " (" << m.memory_field << ")\n";
  }
  std::cout << "  at the measured rate, " << m.samples << " samples x " << m.epochs
            << " epoch(s): " << duration_text(m.time_s);
  if (m.energy_j) {
    std::cout << ", " << energy_text(*m.energy_j) << " (" << n(m.energy_derived->kwh) << " kWh, "
              << n(m.energy_derived->co2e_g) << " gCO2e)";
  } else {
    std::cout << ", energy not measured";
  }
  if (m.rental_cost_usd) std::cout << ", rental $" << n(*m.rental_cost_usd);
  std::cout << "\n\nPROJECTED (not measured), " << m.samples << " samples x " << m.epochs << " epoch(s):\n";

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
  for (const TargetProjection& t : p.targets) {
    const bool timed = t.time_s.has_value();
    const std::string time_cell =
        timed ? duration_text(*t.epoch_time_s)
              : (t.bound_time_s ? ">= " + duration_text(*t.bound_time_s / m.epochs) : "-");
    const std::string energy_cell =
        t.energy_j ? (t.energy_at_bound ? ">= " : "") + energy_text(*t.energy_j) : std::string("-");
    rows.push_back({t.id, t.kind, t.status, t.precision.empty() ? "-" : t.precision,
                    opt(t.roofline_tflops, n) + (t.bound_by.empty() ? "" : " (" + t.bound_by + ")"),
                    opt(t.throughput_samples_per_s, n), time_cell,
                    t.bound_time_s ? duration_text(*t.bound_time_s) : "-",
                    timed ? duration_text(*t.time_s) : "-", energy_cell,
                    t.energy_derived ? (t.energy_at_bound ? ">= " : "") + n(t.energy_derived->co2e_g) : "-",
                    t.rental_cost_usd ? (t.time_s ? "$" : ">= $") + n(*t.rental_cost_usd) : "-"});
    if (!t.reason.empty()) notes.push_back(t.id + " (" + t.status + "): " + t.reason);
    if (!t.power_basis.empty() && t.energy_j)
      notes.push_back(t.id + ": power " + n(*t.power_w) + " W, " + t.power_basis);
    for (const std::string& note : t.notes) notes.push_back(t.id + ": " + note);
  }
  std::cout << render_table({"target", "kind", "status", "precision", "roofline TFLOP/s", "samples/s",
                             "epoch", "bound (all)", "time (all)", "energy", "gCO2e", "rental"},
                            rows);
  for (const std::string& note : notes) std::cout << "  note: " << note << "\n";
  std::cout << "\n";
}

// The assumptions common to every case (bytes per sample is printed per case).
void print_assumptions(const Projection& p) {
  std::cout << "Assumptions of every projection above:\n";
  for (const std::string& a : p.assumptions) {
    if (a.rfind("bytes per sample", 0) == 0) {
      std::cout << "  - bytes per sample: per case, above\n";
    } else {
      std::cout << "  - " << a << "\n";
    }
  }
}

void run_project(const ProjectCli& cli) {
  const RunRecord run = load_run(cli);
  const std::vector<HardwareSpec> catalog =
      cli.catalog_path.empty() ? default_catalog() : load_catalog(cli.catalog_path);
  std::vector<HardwareSpec> targets;
  const std::vector<std::string> wanted =
      split_list(cli.targets.empty() ? std::vector<std::string>{kDefaultTargets} : cli.targets);
  for (const std::string& id : wanted) {
    if (id == "all") {
      targets.insert(targets.end(), catalog.begin(), catalog.end());
    } else {
      targets.push_back(require_hardware(catalog, id));
    }
  }
  ProjectionOptions options;
  options.samples = cli.samples;
  if (cli.epochs != 0) options.epochs = cli.epochs;
  if (cli.bytes_per_sample != 0) options.bytes_per_sample = cli.bytes_per_sample;
  if (cli.efficiency != 0) options.efficiency = cli.efficiency;
  options.measured_as = cli.measured_as;
  options.energy.grid_intensity_g_per_kwh = cli.grid_g_per_kwh;
  options.energy.pue = cli.pue;

  const std::vector<std::string> models = split_list(cli.models);
  std::optional<Projection> last;
  std::vector<std::string> skipped;
  for (const CaseRecord& c : run.cases) {
    if (!models.empty() && std::find(models.begin(), models.end(), c.model) == models.end()) continue;
    if (!cli.mode.empty() && to_string(c.mode) != cli.mode) continue;
    if (c.status != CaseStatus::kOk || !c.throughput) {
      skipped.push_back(c.model + " " + to_string(c.mode) + " on " + c.device.str() + " (status " +
                        to_string(c.status) + ")");
      continue;
    }
    last = project_case(c, targets, catalog, options);
    print_projection(run.run_id, *last);
  }
  for (const std::string& s : skipped) std::cout << "skipped: " << s << "\n";
  if (last) print_assumptions(*last);
  check(last.has_value(),
        "project: run " + run.run_id + " has no successful case" +
            (models.empty() && cli.mode.empty() ? std::string() : " matching --model/--mode") +
            " to project");
}

}  // namespace

void add_project_command(CLI::App& app) {
  auto cli = std::make_shared<ProjectCli>();
  auto* cmd = app.add_subcommand("project",
                                 "Project a measured run onto hardware that is not present "
                                 "(time, energy, CO2e, cost)");
  cmd->add_option("run_id", cli->run_id, "Run id in the results database (default: latest)");
  cmd->add_option("--json", cli->json_path, "Read the run from a JSON file instead of the database");
  cmd->add_option("--db", cli->db_path,
                  "Results database (default: $EFFBENCH_DB or ~/.local/share/effbench/results.db)");
  cmd->add_option(
         "--to", cli->targets,
         std::string("Catalog ids or names, comma-separated, or 'all' (default: ") + kDefaultTargets + ")")
      ->delimiter(',');
  cmd->add_option("--model", cli->models, "Only these models' cases")->delimiter(',');
  cmd->add_option("--mode", cli->mode, "Only cases of this mode: train | infer");
  cmd->add_option("--samples", cli->samples, "Samples per epoch")->capture_default_str();
  cmd->add_option("--epochs", cli->epochs, "Epochs (default: the run's trained epochs, else 1)");
  cmd->add_option("--grid-g-per-kwh", cli->grid_g_per_kwh,
                  "Grid carbon intensity, gCO2e/kWh (default: world average 2023, Ember)")
      ->capture_default_str();
  cmd->add_option("--pue", cli->pue, "Data-centre power usage effectiveness for CO2e")->capture_default_str();
  cmd->add_option("--bytes-per-sample", cli->bytes_per_sample,
                  "Bytes moved per sample of a step (default: an estimate; see the assumptions printed)");
  cmd->add_option("--efficiency", cli->efficiency,
                  "Fraction of the roofline reached on targets (default: measured on the run's device)");
  cmd->add_option("--measured-as", cli->measured_as,
                  "Catalog id of the measured device when its name is not matched");
  cmd->add_option("--catalog", cli->catalog_path, "Hardware catalog CSV (default: the shipped one)");
  cmd->callback([cli] { run_project(*cli); });
}

}  // namespace effbench
