// effbench: measures the time, energy, memory and accuracy of deep learning
// on the hardware at hand. This file only wires the subcommands together and
// turns errors into exit codes.

#include <cstdio>
#include <iostream>
#include <vector>

#include "cli/command.h"
#include "cli/compare_command.h"
#include "cli/flag_checks.h"
#include "cli/launch_command.h"
#include "cli/monitor_command.h"
#include "cli/project_command.h"
#include "cli/report_command.h"
#include "cli/reproduce_command.h"
#include "cli/results_command.h"
#include "cli/trend_command.h"
#include "cli/version.h"
#include "core/allocator.h"
#include "core/blas_threads.h"
#include "core/error.h"
#include "core/terminal_text.h"

namespace {

// The command table: one line per subcommand.
const std::vector<void (*)(CLI::App&)> kCommands = {
    &effbench::add_run_command,     &effbench::add_list_command,   &effbench::add_results_command,
    &effbench::add_compare_command, &effbench::add_report_command, &effbench::add_trend_command,
    &effbench::add_project_command, &effbench::add_launch_command, &effbench::add_reproduce_command,
    &effbench::add_monitor_command,
};

}  // namespace

int main(int argc, char** argv) {
  effbench::set_command_line(argc, argv);
  const effbench::PrintableConsole console;  // Note [Control characters on output]
  try {
    effbench::configure_allocator();     // before anything large is allocated (Note [Heap-only malloc])
    effbench::configure_blas_threads();  // Note [One CPU thread pool]
  } catch (const effbench::Error& e) {
    std::cerr << "effbench: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  CLI::App app{"effbench: time, energy, memory and accuracy of deep learning on your hardware"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", [] { return effbench::version_text(); }, "Print versions and exit");
  for (auto add : kCommands) add(app);
  effbench::add_checks_to_every_flag(app);  // Note [Checks every flag gets]
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help and usage errors itself; usage errors exit with 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(effbench::ExitCode::kUsage);
  } catch (const effbench::Error& e) {
    std::cerr << "effbench: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "effbench: internal error: " << e.what() << "\n";
    return 3;
  }
  return effbench::requested_exit_code();
}
