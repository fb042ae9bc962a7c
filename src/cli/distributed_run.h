#pragma once
// `effbench run --distributed`: data-parallel throughput cases and training
// to a result as one rank of a job. run_command.cpp adds the options, calls
// prepare_distributed() before planning, joins the job and hands over.

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/record.h"
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

/// Reads this rank's place from the environment (torchrun's variables) and
/// adapts `options`: CPU threads per rank (`threads` when given, else the
/// host's cores / LOCAL_WORLD_SIZE), the rank's device (cuda:LOCAL_RANK on
/// GPUs, else cpu) and training only. Throws Error for settings that cannot
/// run data-parallel (precision, exec modes, channels-last).
DistributedEnv prepare_distributed(const DistributedRunOptions& cli, BenchmarkOptions& options,
                                   std::optional<int64_t> threads);

/// This rank's readings, gathered from every rank: rank 0 gets all of them
/// combined (Note [Energy of a data-parallel case] in results/record.h),
/// the other ranks their own, labelled. Every rank must call it at the same
/// point. When a rank is gone it keeps this rank's readings and says so in a
/// warning on each.
std::vector<EnergyReading> gather_energy(Communicator& comm, const DistributedEnv& env,
                                         const std::string& host, std::vector<EnergyReading> mine);

/// Runs the train cases data-parallel as this process's rank. Rank 0 prints
/// a progress line per case, appends each finished case to run.cases, calls
/// `save` after each, and prints the results table. `hooks` meter each
/// rank's timed windows; their readings are combined over the ranks. On a
/// rank fault the run is marked incomplete, saved, and Error is rethrown.
void run_distributed_cases(const DistributedRunOptions& cli, const DistributedEnv& env, Communicator& comm,
                           const BenchmarkOptions& options, const std::vector<CaseSpec>& cases,
                           const CaseHooks& hooks, RunRecord& run, const std::function<void()>& save);

}  // namespace effbench
