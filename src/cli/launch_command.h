#pragma once
// `effbench launch --nproc N -- run ...`: starts N local ranks of effbench on
// loopback with torchrun's environment variables and waits for them.

#include <CLI/CLI.hpp>

namespace effbench {

/// Adds the `launch` subcommand to `app`.
void add_launch_command(CLI::App& app);

}  // namespace effbench
