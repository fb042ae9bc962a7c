#pragma once
// `effbench reproduce`: the three studies' published tables beside this
// machine's stored measurements and projections (analysis/studies.h).

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `reproduce` subcommand to `app`.
void add_reproduce_command(CLI::App& app);

}  // namespace effbench
