#pragma once
// `effbench monitor -- COMMAND [ARGS]`: measures any program (docs/monitor.md).

#include <CLI/CLI.hpp>

namespace effbench {

void add_monitor_command(CLI::App& app);

}  // namespace effbench
