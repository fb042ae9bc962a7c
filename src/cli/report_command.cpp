// `effbench report [RUN_IDS...] -o report.html`: the self-contained HTML
// report of stored runs (default: the latest run).

#include "cli/report_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/html.h"
#include "results/store.h"

namespace effbench {
namespace {

struct ReportCli {
  std::string db_path;
  std::vector<std::string> run_ids;  // run ids, 'latest', or JSON files
  std::string output = "report.html";
};

void report(const ReportCli& cli) {
  std::unique_ptr<ResultStore> store;
  check_outputs_apart(
      {{"--db", cli.db_path.empty() ? ResultStore::default_path() : cli.db_path}, {"-o", cli.output}});
  auto open_store = [&]() -> ResultStore& {
    if (!store)
      store = std::make_unique<ResultStore>(cli.db_path.empty() ? ResultStore::default_path() : cli.db_path);
    return *store;
  };
  std::vector<RunRecord> runs;
  const std::vector<std::string> wanted =
      cli.run_ids.empty() ? std::vector<std::string>{"latest"} : cli.run_ids;
  for (const auto& what : wanted) {
    if (what.size() > 5 && what.substr(what.size() - 5) == ".json" && std::filesystem::exists(what)) {
      for (auto& run : read_run_documents(what)) runs.push_back(std::move(run));
    } else {
      ResultStore& s = open_store();
      runs.push_back(s.load_run(what == "latest" ? s.latest_run_id() : what));
    }
  }
  write_html_report(runs, cli.output);
  std::cout << "report: " << std::filesystem::absolute(cli.output).string() << " (" << runs.size()
            << (runs.size() == 1 ? " run" : " runs") << ")\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto cli = std::make_shared<ReportCli>();
  auto* cmd =
      app.add_subcommand("report", "Write a self-contained HTML report of stored runs (works offline)");
  cmd->add_option("RUN_IDS", cli->run_ids, "Run ids, 'latest' or JSON files (default: the latest run)");
  cmd->add_option("-o,--output", cli->output, "HTML file to write")->capture_default_str();
  cmd->add_option("--db", cli->db_path, "Results database (default: see `effbench results --help`)");
  cmd->callback([cli] { report(*cli); });
}

}  // namespace effbench
