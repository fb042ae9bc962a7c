// `effbench monitor`: its flags fill one SessionSettings with a command; the
// session (runner/session.h) runs it as a command case, and
// ConsoleRunObserver shows it. Nothing is measured here.

#include "cli/monitor_command.h"

#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/run_console.h"
#include "cli/session_flags.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "results/store.h"
#include "runner/session.h"

namespace effbench {
namespace {

struct MonitorFlags {
  SessionSettings session;
  std::vector<std::string> command;  // after --
  bool no_save = false;              // --no-save: no database
  std::string report_path;           // --report (optional)
};

void monitor(MonitorFlags flags) {
  SessionSettings& settings = flags.session;
  EFFBENCH_CHECK(
      !flags.command.empty(),
      "monitor: expected a command after '--' (e.g. effbench monitor -- python3 train.py) but got none");
  settings.command = flags.command;
  if (!flags.no_save && settings.db_path.empty()) settings.db_path = ResultStore::default_path();
  if (flags.no_save) settings.db_path.clear();
  settings.command_line = command_line();
  check_outputs_apart(
      {{"--db", settings.db_path}, {"--json", settings.json_path}, {"--report", flags.report_path}});
  ConsoleRunObserver console({settings.json_path, settings.db_path, flags.report_path, ""}, GqiSettings{});
  request_exit_code(run_session(settings, console));
}

}  // namespace

void add_monitor_command(CLI::App& app) {
  auto flags = std::make_shared<MonitorFlags>();
  SessionSettings& s = flags->session;
  auto* cmd = app.add_subcommand(
      "monitor",
      "Run any command and measure its time, energy and memory, e.g. `effbench monitor -- python3 train.py`; "
      "exits with the command's exit status (docs/monitor.md)");
  add_session_output_flags(*cmd, s, flags->no_save, flags->report_path);
  cmd->add_option("command", flags->command, "The command and its arguments, after --");
  cmd->callback([flags] { monitor(*flags); });
}

}  // namespace effbench
