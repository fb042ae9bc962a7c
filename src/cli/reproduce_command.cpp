// `effbench reproduce [RUN_IDS...]`: per study, each published figure beside
// what the stored runs measured or project here, with a verdict (Note
// [Study verdicts] in analysis/studies.h).

#include "cli/reproduce_command.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "analysis/studies.h"
#include "cli/command.h"
#include "cli/run_console.h"
#include "core/error.h"
#include "report/console.h"
#include "report/figures.h"
#include "results/store.h"
#include "runner/session.h"

namespace effbench {
namespace {

struct ReproduceCli {
  std::string db_path;
  std::vector<std::string> run_ids;  // default: every stored run
  bool measure = false;              // --measure: run what the studies need and is not stored
  std::optional<double> cpu_tdp_w;   // --cpu-tdp, for what --measure runs
  double gqi_alpha = 5;
  double gqi_beta = 10;
  std::string gqi_unit = "kWh";
};

std::string db_path_of(const ReproduceCli& cli) {
  return cli.db_path.empty() ? ResultStore::default_path() : cli.db_path;
}

// Oldest first, so that the newest case of each kind wins.
std::vector<RunRecord> load_runs(const ReproduceCli& cli) {
  const ResultStore store(db_path_of(cli));
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

// What --measure runs when the stored runs lack it: study 1's four models
// trained on the cpu, and their inference eager and fused (the kernel-fusion
// claim); study 2's accuracy and energy from a short, labelled schedule on
// Fashion-MNIST (conv6 and resnet18, one epoch on the first 5000 training
// images, evaluated on the first 2000 test images).
void measure_missing(const ReproduceCli& cli, const std::vector<RunRecord>& runs, const GqiSettings& gqi) {
  const auto stored = [&](const std::function<bool(const CaseRecord&)>& want) {
    for (const auto& run : runs) {
      for (const auto& c : run.cases) {
        if (c.status == CaseStatus::kOk && c.device.is_cpu() && want(c)) return true;
      }
    }
    return false;
  };
  const std::vector<std::string> models = {"conv6", "vgg16", "resnet18", "cyclegan"};
  bool throughput_missing = false;
  for (const auto& model : models) {
    throughput_missing = throughput_missing || !stored([&](const CaseRecord& c) {
                           return c.model == model && c.mode == Mode::kTrain && c.exec == Exec::kEager &&
                                  c.throughput && !c.accuracy;
                         }) ||
                         !stored([&](const CaseRecord& c) {
                           return c.model == model && c.mode == Mode::kInfer && c.exec == Exec::kFused;
                         });
  }
  SessionSettings base;
  base.db_path = db_path_of(cli);
  base.cpu_tdp_w = cli.cpu_tdp_w;
  base.bench.devices = {"cpu"};
  base.command_line = command_line();
  ConsoleRunObserver console({"", base.db_path, "", ""}, gqi);
  if (throughput_missing) {
    std::cout << "Measuring study 1 here: the four models trained and run, eager and fused, on the cpu\n";
    SessionSettings settings = base;
    settings.bench.models = models;
    settings.bench.execs = {Exec::kEager, Exec::kFused};
    request_exit_code(run_session(settings, console));
  }
  if (!stored([](const CaseRecord& c) { return c.accuracy && c.accuracy->metric == "test_accuracy"; })) {
    std::cout << "\nMeasuring study 2 here: a short schedule on Fashion-MNIST (not a full-dataset result)\n";
    SessionSettings settings = base;
    settings.bench.models = {"conv6", "resnet18"};
    AccuracyOptions training;
    training.dataset = "fashion-mnist";
    training.epochs = 1;
    training.train_samples = 5000;
    training.test_samples = 2000;
    settings.training = training;
    request_exit_code(run_session(settings, console));
  }
  std::cout << "\n";
}

void reproduce(const ReproduceCli& cli) {
  GqiSettings gqi;
  gqi.alpha = cli.gqi_alpha;
  gqi.beta = cli.gqi_beta;
  gqi.unit = parse_energy_unit(cli.gqi_unit);
  validate(gqi);
  check(!cli.measure || cli.run_ids.empty(),
        "--measure: measures into the database; give no RUN_IDS with it");
  EFFBENCH_CHECK(!cli.cpu_tdp_w || cli.measure, "--cpu-tdp: only used with --measure");
  if (cli.measure) measure_missing(cli, load_runs(cli), gqi);
  const std::vector<RunRecord> runs = load_runs(cli);
  const CsvTable memory = read_csv_file(default_trend_data_path());
  StudyInputs inputs;
  inputs.catalog = &default_catalog();
  inputs.published = &default_published_throughputs();
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
  cmd->add_flag("--measure", cli->measure,
                "First run what the studies need and the database lacks: the four models on the cpu (eager "
                "and fused), and a short Fashion-MNIST schedule for the GQI (a few minutes)");
  cmd->add_option(
      "--cpu-tdp", cli->cpu_tdp_w,
      "With --measure: CPU power at full load, watts, for the estimate where no sensor can be read");
  cmd->add_option("--gqi-alpha", cli->gqi_alpha, "Green Quotient Index: accuracy exponent")
      ->capture_default_str();
  cmd->add_option("--gqi-beta", cli->gqi_beta, "Green Quotient Index: scale")->capture_default_str();
  cmd->add_option("--gqi-unit", cli->gqi_unit, "Green Quotient Index: unit of E (J, Wh, kWh)")
      ->capture_default_str();
  cmd->callback([cli] { reproduce(*cli); });
}

}  // namespace effbench
