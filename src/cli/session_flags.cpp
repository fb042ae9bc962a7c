#include "cli/session_flags.h"

namespace effbench {

void add_session_output_flags(CLI::App& cmd, SessionSettings& settings, bool& no_save,
                              std::string& report_path) {
  cmd.add_option("--cpu-tdp", settings.cpu_tdp_w,
                 "CPU power at full load in watts, for the energy estimate where no sensor can be read");
  cmd.add_option("--idle-s", settings.idle_s,
                 "Measure idle power for S seconds first; report net energy too");
  cmd.add_option("--db", settings.db_path,
                 "Results database (default: $EFFBENCH_DB or ~/.local/share/effbench/results.db)");
  cmd.add_flag("--no-save", no_save, "Do not save the run in the results database");
  cmd.add_option("--report", report_path, "Write a self-contained HTML report of the run to this file");
  cmd.add_option("--json", settings.json_path,
                 "Write the run as a JSON document (rewritten after each case)");
}

}  // namespace effbench
