#pragma once
// `effbench trend`: polynomial trends of memory with projections (see
// analysis/trend.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `trend` subcommand to `app`.
void add_trend_command(CLI::App& app);

}  // namespace effbench
