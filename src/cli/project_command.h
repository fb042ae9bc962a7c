#pragma once
// `effbench project`: a measured case projected onto catalog hardware (see
// analysis/projection.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `project` subcommand to `app`.
void add_project_command(CLI::App& app);

}  // namespace effbench
