#pragma once
// `effbench results list|show|export|import|delete`: the runs kept in the
// results database (results/store.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `results` subcommand to `app`.
void add_results_command(CLI::App& app);

}  // namespace effbench
