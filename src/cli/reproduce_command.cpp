// `effbench reproduce [RUN_IDS...]`: per study, each published figure beside
// what the stored runs measured or project here, with a verdict (Note
// [Study verdicts] in analysis/studies.h).

#include "cli/reproduce_command.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include "analysis/studies.h"
#include "cli/command.h"
#include "core/error.h"
#include "report/console.h"
#include "report/figures.h"
#include "results/store.h"

namespace effbench {
namespace {

struct ReproduceCli {
  std::string db_path;
  std::vector<std::string> run_ids;  // default: every stored run
  double gqi_alpha = 5;
  double gqi_beta = 10;
  std::string gqi_unit = "kWh";
};

// Oldest first, so that the newest case of each kind wins.
std::vector<RunRecord> load_runs(const ReproduceCli& cli) {
  const ResultStore store(cli.db_path.empty() ? ResultStore::default_path() : cli.db_path);
  std::vector<RunRecord> runs;
  if (!cli.run_ids.empty()) {
    for (const std::string& id : cli.run_ids)
      runs.push_back(store.load_run(id == "latest" ? store.latest_run_id() : id));
    return runs;
  }
  runs = store.load_readable_runs(warn_unreadable_run);  // newest first
  std::reverse(runs.begin(), runs.end());
  return runs;
}

void reproduce(const ReproduceCli& cli) {
  GqiSettings gqi;
  gqi.alpha = cli.gqi_alpha;
  gqi.beta = cli.gqi_beta;
  gqi.unit = parse_energy_unit(cli.gqi_unit);
  validate(gqi);
  const std::vector<RunRecord> runs = load_runs(cli);
  const auto& catalog = default_catalog();
  const std::vector<PublishedThroughput> published =
      load_published_throughputs(default_published_throughput_path(), catalog);
  const CsvTable memory = read_csv_file(default_trend_data_path());
  StudyInputs inputs;
  inputs.catalog = &catalog;
  inputs.published = &published;
  inputs.accelerator_memory = &memory;
  inputs.gqi = gqi;
  std::cout << "The studies beside this machine (" << runs.size()
            << (runs.size() == 1 ? " stored run" : " stored runs")
            << "; verdicts as Note [Study verdicts] defines them)\n";
  for (const StudyReproduction& study : reproduce_studies(runs, inputs))
    std::cout << "\n" << study.title << "\n" << figure_text(study_figures(study));
}

}  // namespace

void add_reproduce_command(CLI::App& app) {
  auto cli = std::make_shared<ReproduceCli>();
  auto* cmd = app.add_subcommand(
      "reproduce", "Each study's published figures beside this machine's stored runs, with verdicts");
  cmd->add_option("RUN_IDS", cli->run_ids,
                  "Run ids or 'latest' (default: every stored run, the newest case of "
                  "each kind counting)");
  cmd->add_option("--db", cli->db_path, "Results database (default: see `effbench results --help`)");
  cmd->add_option("--gqi-alpha", cli->gqi_alpha, "Green Quotient Index: accuracy exponent")
      ->capture_default_str();
  cmd->add_option("--gqi-beta", cli->gqi_beta, "Green Quotient Index: scale")->capture_default_str();
  cmd->add_option("--gqi-unit", cli->gqi_unit, "Green Quotient Index: unit of E (J, Wh, kWh)")
      ->capture_default_str();
  cmd->callback([cli] { reproduce(*cli); });
}

}  // namespace effbench
