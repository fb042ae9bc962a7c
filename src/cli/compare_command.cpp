// `effbench compare A [B]`: B against A case by case, or with A alone its
// devices against the CPU, plus the studies' speedup and execution-mode
// tables. With --fail-on-regression PCT the exit code is 1 when a case got
// significantly slower by more than PCT percent (for CI).

#include "cli/compare_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "analysis/compare.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/units.h"
#include "report/console.h"
#include "results/store.h"

namespace effbench {
namespace {

struct CompareCli {
  std::string db_path;
  std::vector<std::string> runs;  // 1 or 2: run ids, 'latest', or JSON files
  std::optional<double> fail_on_regression_pct;
  CompareOptions options;
  std::string baseline_device = "cpu";
};

// A run id from the database, or a JSON file (a path that exists and ends in .json).
RunRecord load(const std::string& what, std::unique_ptr<ResultStore>& store, const CompareCli& cli) {
  if (what.size() > 5 && what.substr(what.size() - 5) == ".json" && std::filesystem::exists(what)) {
    const auto runs = read_run_documents(what);
    check(runs.size() == 1, what + ": expected one run but the file holds " + std::to_string(runs.size()) +
                                " (export them one by one)");
    return runs.front();
  }
  if (!store)
    store = std::make_unique<ResultStore>(cli.db_path.empty() ? ResultStore::default_path() : cli.db_path);
  return store->load_run(what == "latest" ? store->latest_run_id() : what);
}

std::string percent(double ratio) {
  const double change = (ratio - 1) * 100;
  return (change >= 0 ? "+" : "") + format_number(change) + "%";
}

void print_comparison(const Comparison& c, double alpha) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : c.rows) {
    const std::string device = r.baseline_device == r.candidate_device
                                   ? r.candidate_device
                                   : r.candidate_device + " vs " + r.baseline_device;
    const std::string interval =
        r.has_statistics ? "[" + format_number(r.ratio.low) + ", " + format_number(r.ratio.high) + "]" : "-";
    rows.push_back({r.model, r.mode, device, format_number(r.baseline_median),
                    format_number(r.candidate_median), format_number(r.ratio.ratio) + "x", interval,
                    r.has_statistics ? format_number(r.p_value) + (r.exact_p ? "" : "~") : "-",
                    r.has_statistics ? format_number(r.noise * 100) + "%" : "-",
                    r.verdict == "no change" ? r.verdict : r.verdict + " " + percent(r.ratio.ratio)});
  }
  std::cout << "Throughput (" << (c.rows.empty() ? "samples/s" : c.rows.front().unit)
            << "): " << c.candidate_label << " against " << c.baseline_label << "\n";
  if (rows.empty()) {
    std::cout << "  no case to compare\n";
  } else {
    std::cout << render_table(
        {"model", "mode", "device", "baseline", "candidate", "ratio", "95% CI", "p", "noise", "verdict"},
        rows);
    std::cout << "ratio = candidate / baseline median; CI: bootstrap over the timed windows; p: two-sided "
                 "Mann-Whitney U (~ normal approximation); a change is marked when p < "
              << format_number(alpha) << ", the CI excludes 1 and it exceeds the noise (larger CV)\n";
  }
  for (const auto& u : c.unmatched) std::cout << "  not compared: " << u << "\n";
}

// Command cases (effbench monitor) have no throughput: their wall time,
// energy and memory side by side, and the candidate's over the baseline's
// when both runs are one command each.
void print_commands(const std::vector<RunRecord>& runs) {
  std::vector<CaseRecord> commands;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (c.command) commands.push_back(c);
    }
  }
  if (commands.empty()) return;
  std::cout << "\nCommands (" << (runs.size() == 2 ? "baseline first" : "this run") << ")\n"
            << command_table(commands);
  if (runs.size() != 2 || commands.size() != 2 || runs[0].cases.size() != 1 || runs[1].cases.size() != 1)
    return;
  const CommandResult& base = *commands[0].command;
  const CommandResult& cand = *commands[1].command;
  const CountedEnergy base_energy = counted_energy(commands[0].energy);
  const CountedEnergy cand_energy = counted_energy(commands[1].energy);
  std::cout << "candidate / baseline: wall time "
            << (base.wall_s > 0 ? format_number(cand.wall_s / base.wall_s) + "x" : std::string("-"));
  if (base_energy.available && cand_energy.available && base_energy.measured == cand_energy.measured) {
    std::cout << ", energy " << format_number(cand_energy.energy_j / base_energy.energy_j) << "x ("
              << (cand_energy.measured ? "measured" : "estimated") << ")";
  }
  std::cout << " (single runs: no interval; repeat each to judge a change)\n";
}

void compare(const CompareCli& cli) {
  EFFBENCH_CHECK(cli.options.alpha > 0 && cli.options.alpha < 1,
                 "--alpha: expected a significance level in (0, 1) but got ", cli.options.alpha);
  EFFBENCH_CHECK(
      !cli.fail_on_regression_pct || (*cli.fail_on_regression_pct >= 0 && *cli.fail_on_regression_pct <= 100),
      "--fail-on-regression: expected a percentage in [0, 100] but got ",
      cli.fail_on_regression_pct.value_or(0));
  check(!cli.runs.empty() && cli.runs.size() <= 2,
        "compare: expected one or two runs but got " + std::to_string(cli.runs.size()));
  std::unique_ptr<ResultStore> store;
  std::vector<RunRecord> runs;
  for (const auto& what : cli.runs) runs.push_back(load(what, store, cli));
  const Comparison comparison =
      runs.size() == 2
          ? compare_runs(runs[0], runs[1], cli.options)
          : compare_devices(runs[0], Device::parse(cli.baseline_device, "--baseline-device"), cli.options);
  print_comparison(comparison, cli.options.alpha);
  print_commands(runs);

  if (runs.size() == 1) {
    for (const auto& table : study_speedup_tables(runs, comparison.baseline_label)) {
      if (table.devices.size() < 2) continue;
      std::cout << "\nSpeedup over " << table.baseline << ", " << to_string(table.mode) << ":\n"
                << speedup_text(table);
    }
  }
  const auto modes = exec_mode_table(runs);
  if (!modes.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : modes) {
      std::string cells;
      for (const auto& [exec, ratio] : row.speedup_by_exec)
        cells += (cells.empty() ? "" : ", ") + to_string(exec) + " " + format_number(ratio) + "x";
      rows.push_back({row.model, row.device, to_string(row.mode), cells});
    }
    std::cout << "\nExecution modes (throughput relative to eager):\n"
              << render_table({"model", "device", "mode", "exec modes"}, rows);
  }

  if (cli.fail_on_regression_pct) {
    const auto found = regressions(comparison, *cli.fail_on_regression_pct);
    for (const auto& r : found) {
      std::cout << "REGRESSION: " << r.model << " " << r.mode << " on " << r.candidate_device << ": "
                << percent(r.ratio.ratio) << " (limit -" << format_number(*cli.fail_on_regression_pct)
                << "%)\n";
    }
    if (!found.empty()) request_exit_code(static_cast<int>(ExitCode::kCasesFailed));
  }
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto cli = std::make_shared<CompareCli>();
  auto* cmd =
      app.add_subcommand("compare", "Compare two runs, or one run's devices, with confidence intervals");
  cmd->add_option("RUNS", cli->runs,
                  "Run ids ('latest'), or JSON files: A B compares B against A; A alone compares "
                  "its devices against the CPU")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--fail-on-regression", cli->fail_on_regression_pct,
                  "Exit with 1 when a case is significantly slower by more than PCT percent");
  cmd->add_option("--alpha", cli->options.alpha, "Significance level of the Mann-Whitney U test")
      ->capture_default_str();
  cmd->add_option("--baseline-device", cli->baseline_device,
                  "Baseline device when comparing one run's devices")
      ->capture_default_str();
  cmd->add_option("--seed", cli->options.seed, "Bootstrap seed")->capture_default_str();
  cmd->add_option("--db", cli->db_path, "Results database (default: see `effbench results --help`)");
  cmd->callback([cli] { compare(*cli); });
}

}  // namespace effbench
