#pragma once
// `effbench compare A [B]`: throughput of two runs, or of one run's devices,
// with confidence intervals and significance (analysis/compare.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `compare` subcommand to `app`.
void add_compare_command(CLI::App& app);

}  // namespace effbench
