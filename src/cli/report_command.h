#pragma once
// `effbench report [RUN_IDS...] -o report.html`: the self-contained HTML
// report of stored runs (report/html.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `report` subcommand to `app`.
void add_report_command(CLI::App& app);

}  // namespace effbench
