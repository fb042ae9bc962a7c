#pragma once
// `effbench run --distributed`: the data-parallel variant of `run`, with its
// options. run_command.cpp adds the options and hands over when the flag is set.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/benchmark.h"
#include "runner/distributed.h"

namespace effbench {

/// The settings of `run --distributed`, filled by CLI11.
struct DistributedRunOptions {
  bool enabled = false;  // --distributed
  DistributedOptions dist;
  std::optional<double> single_process_samples_per_s;
};

/// Adds --distributed and the --dist-* options to the run subcommand; the
/// returned object is filled when the command line is parsed.
std::shared_ptr<DistributedRunOptions> add_distributed_options(CLI::App* run_command);

/// Runs the train cases of `options` as this process's rank (environment as
/// torchrun's); rank 0 prints the results and writes `json_path` (when not
/// empty) after each case. `threads`: --threads when given.
void run_distributed_command(const DistributedRunOptions& cli, BenchmarkOptions options,
                             std::optional<int64_t> threads, const std::string& json_path,
                             const std::vector<std::string>& command_line);

}  // namespace effbench
