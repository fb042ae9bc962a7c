// `effbench results`: list, show, export, import and delete the runs kept in
// the results database. `--db PATH` (or EFFBENCH_DB) picks another database.

#include "cli/results_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "analysis/speedup.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "report/console.h"
#include "report/model_card.h"
#include "report/prometheus.h"
#include "results/json.h"
#include "results/store.h"

namespace effbench {
namespace {

struct ResultsCli {
  std::string db_path;
  std::string run_id;
  std::vector<std::string> run_ids;
  std::vector<std::string> files;
  bool csv = false;
  bool json = false;
  std::string output;
  bool prometheus = false;               // --prometheus
  bool model_card = false;               // --model-card
  std::optional<double> grid_g_per_kwh;  // --grid-g-per-kwh, with --model-card
  std::string location;                  // --location, with --model-card (optional)
  std::optional<std::string> model;      // --model, with --model-card (optional)
  std::optional<std::string> device;     // --device, with --model-card (optional)
};

std::string join(const std::vector<std::string>& items, const std::string& separator = ",") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

std::string db_path(const ResultsCli& cli) {
  return cli.db_path.empty() ? ResultStore::default_path() : cli.db_path;
}

void list_runs(const ResultsCli& cli) {
  const ResultStore store(db_path(cli));
  const auto runs = store.list_runs();
  if (runs.empty()) {
    std::cout << "No runs in " << store.path() << " yet (`effbench run` saves each run there).\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    rows.push_back({r.run_id, r.started_at, r.host, join(r.devices), join(r.models),
                    std::to_string(r.case_count), r.status});
  }
  std::cout << render_table({"id", "date", "host", "devices", "models", "cases", "status"}, rows);
  std::cout << "\n" << runs.size() << " runs in " << store.path() << "\n";
}

void show_run(const ResultsCli& cli) {
  const ResultStore store(db_path(cli));
  const RunRecord run = store.load_run(cli.run_id == "latest" ? store.latest_run_id() : cli.run_id);
  const SystemInfo& s = run.system;
  std::cout << "run      " << run.run_id << " (" << to_string(run.status) << ")\n"
            << "started  " << run.started_at << "\n"
            << "finished " << (run.finished_at.empty() ? "-" : run.finished_at) << "\n"
            << "host     " << s.hostname << ", " << s.cpu_model << "\n";
  for (const auto& gpu : s.gpus) std::cout << "gpu      cuda:" << gpu.index << " " << gpu.name << "\n";
  std::cout << "torch    LibTorch " << s.torch_version << (s.torch_cuda ? ", CUDA " + s.cuda_version : "")
            << "\n"
            << "command  " << join(run.settings.command_line, " ") << "\n\n";
  if (run.cases.empty()) {
    std::cout << "No cases stored.\n";
    return;
  }
  std::cout << results_table(run.cases);
  for (const Mode mode : {Mode::kTrain, Mode::kInfer}) {
    const SpeedupTable table = speedup_table(run.cases, mode);
    if (table.models.empty() || table.devices.size() < 2) continue;
    std::cout << "\nSpeedup over cpu, " << to_string(mode) << ":\n" << speedup_text(table);
  }
}

// Writes `text` to `path` through a temporary file, or to stdout for "" / "-".
void write_output(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  write_file_atomically(path, text, "-o");
  std::cerr << "wrote " << path << "\n";
}

// The co2_eq_emissions block of one training run (Note [Model card emissions]).
void export_model_card(const ResultsCli& cli) {
  EFFBENCH_CHECK(cli.run_ids.size() == 1, "--model-card: expected one run id but got ", cli.run_ids.size(),
                 " (a model card describes the training of one model)");
  EFFBENCH_CHECK(
      cli.grid_g_per_kwh.has_value(),
      "--model-card: needs --grid-g-per-kwh G, the carbon intensity of the grid the run drew from in "
      "gCO2e/kWh (the world average for 2023 was 481, Ember); effbench does not guess it");
  ModelCardSettings settings;
  settings.grid_g_per_kwh = *cli.grid_g_per_kwh;
  settings.location = cli.location;
  settings.model = cli.model;
  if (cli.device) settings.device = Device::parse(*cli.device, "--device").str();
  const ResultStore store(db_path(cli));
  const std::string& id = cli.run_ids.front();
  // Rendered whole before anything is written: a refusal leaves no file.
  write_output(model_card_co2_yaml(store.load_run(id == "latest" ? store.latest_run_id() : id), settings),
               cli.output);
}

void export_runs(const ResultsCli& cli) {
  check(!(cli.csv && cli.json), "export: choose one of --csv and --json, not both");
  check((cli.csv || cli.json) + cli.prometheus + cli.model_card <= 1,
        "export: choose one of --csv, --json, --prometheus and --model-card");
  if (cli.model_card) {
    export_model_card(cli);
    return;
  }
  const ResultStore store(db_path(cli));
  if (cli.prometheus) {
    EFFBENCH_CHECK(cli.run_ids.size() == 1, "--prometheus: expected one run id but got ", cli.run_ids.size(),
                   " (a textfile collector's file describes one run)");
    const std::string& id = cli.run_ids.front();
    write_output(run_to_prometheus(store.load_run(id == "latest" ? store.latest_run_id() : id)), cli.output);
    return;
  }
  std::vector<RunRecord> runs;
  for (const auto& id : cli.run_ids)
    runs.push_back(store.load_run(id == "latest" ? store.latest_run_id() : id));
  if (cli.csv) {
    std::ostringstream out;
    write_runs_csv(runs, out);
    write_output(out.str(), cli.output);
  } else {
    write_output(runs_to_json_document(runs).dump(2) + "\n", cli.output);
  }
}

void import_runs(const ResultsCli& cli) {
  // Every file is read and validated before anything is written, so a bad
  // file imports nothing; each run then goes in with one transaction.
  std::vector<std::pair<std::string, RunRecord>> runs;
  for (const auto& file : cli.files) {
    for (auto& run : read_run_documents(file)) runs.emplace_back(file, std::move(run));
  }
  ResultStore store(db_path(cli));
  int imported = 0;
  for (const auto& [file, run] : runs) {
    if (store.import_run(run)) {
      ++imported;
      std::cout << "imported " << run.run_id << " (" << run.cases.size() << " cases, host "
                << run.system.hostname << ") from " << file << "\n";
    } else {
      std::cout << "skipped  " << run.run_id << " from " << file << ": already in the database\n";
    }
  }
  std::cout << imported << " of " << runs.size() << " runs imported into " << store.path() << "\n";
}

void delete_run(const ResultsCli& cli) {
  ResultStore store(db_path(cli));
  store.delete_run(cli.run_id);
  std::cout << "deleted " << cli.run_id << " from " << store.path() << "\n";
}

}  // namespace

void add_results_command(CLI::App& app) {
  auto cli = std::make_shared<ResultsCli>();
  auto* cmd = app.add_subcommand("results", "List, show, export, import or delete stored runs");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // --db may also follow the action
  cmd->add_option("--db", cli->db_path,
                  "Results database (default: $EFFBENCH_DB, else $XDG_DATA_HOME/effbench/results.db, else "
                  "~/.local/share/effbench/results.db)");

  cmd->add_subcommand("list", "Stored runs, newest first: id, date, host, devices, models, status")
      ->callback([cli] { list_runs(*cli); });

  auto* show = cmd->add_subcommand("show", "One run's system and results tables");
  show->add_option("ID", cli->run_id, "Run id (or 'latest')")->required();
  show->callback([cli] { show_run(*cli); });

  auto* exp = cmd->add_subcommand(
      "export",
      "Write runs as JSON (the `effbench run --json` document) or CSV, or a training run's model card");
  exp->add_option("IDS", cli->run_ids, "Run ids (or 'latest')")->required();
  exp->add_flag("--csv", cli->csv, "One CSV row per case");
  exp->add_flag("--json", cli->json,
                "JSON: one run document, or an array of them for several runs (default)");
  exp->add_option("-o,--output", cli->output, "Output file (default: standard output)");
  exp->add_flag("--prometheus", cli->prometheus,
                "One run's figures in Prometheus text format, as `effbench run --prometheus` writes them");
  CLI::Option* card =
      exp->add_flag("--model-card", cli->model_card,
                    "The co2_eq_emissions block of a Hugging Face model card (YAML) from one training run "
                    "(docs/exports.md)");
  exp->add_option("--grid-g-per-kwh", cli->grid_g_per_kwh,
                  "With --model-card (required): the grid's carbon intensity, gCO2e/kWh")
      ->needs(card);
  exp->add_option("--location", cli->location,
                  "With --model-card: where the run ran, e.g. \"Quebec, Canada\" (geographical_location)")
      ->needs(card);
  exp->add_option("--model", cli->model,
                  "With --model-card: the training case's model, when the run has several")
      ->needs(card);
  exp->add_option("--device", cli->device,
                  "With --model-card: the training case's device (cpu, cuda:N), when the run has several")
      ->needs(card);
  exp->callback([cli] { export_runs(*cli); });

  auto* imp = cmd->add_subcommand(
      "import", "Add runs from JSON files (e.g. other machines); known run ids are skipped");
  imp->add_option("FILES", cli->files, "Files written by `effbench run --json` or `effbench results export`")
      ->required();
  imp->callback([cli] { import_runs(*cli); });

  auto* del = cmd->add_subcommand("delete", "Remove a run and its cases");
  del->add_option("ID", cli->run_id, "Run id")->required();
  del->callback([cli] { delete_run(*cli); });
}

}  // namespace effbench
