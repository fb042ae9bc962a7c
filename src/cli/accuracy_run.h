#pragma once
// `effbench run --dataset ...`: training to a result on real data, with the
// efficiency table. The flags are added to the run command; run_command.cpp
// hands over to run_accuracy_cases() when --dataset is given.

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/efficiency.h"
#include "meters/meter_set.h"
#include "results/record.h"
#include "runner/accuracy.h"
#include "runner/benchmark.h"

namespace effbench {

/// The flags of a training-to-a-result run.
struct AccuracyCliOptions {
  std::optional<std::string> dataset;  // set: run training to a result instead of throughput
  AccuracyOptions accuracy;            // dataset, data_dir, epochs, target, ... (seed from --seed)
  double gqi_alpha = 5;
  double gqi_beta = 10;
  std::string gqi_unit = "kWh";

  bool enabled() const { return dataset.has_value(); }
};

/// Adds --dataset, --data-dir, --epochs, --target-accuracy, --max-epochs,
/// --epoch-log, --deterministic, --train-samples, --test-samples, --gqi-alpha,
/// --gqi-beta and --gqi-unit to `run_command`. The returned options are
/// filled when the command line is parsed.
std::shared_ptr<AccuracyCliOptions> add_accuracy_options(CLI::App* run_command);

/// Data-parallel training to a result (`run --distributed --dataset`).
struct AccuracyParallel {
  Communicator* communicator = nullptr;  // null: one process
  int64_t rank = 0;
  double bucket_cap_mb = 25;
  /// This rank's energy readings combined with the other ranks'; every rank
  /// calls it at the same points (after each evaluation, at the end).
  std::function<std::vector<EnergyReading>(std::vector<EnergyReading>)> combine_energy;
};

/// Trains each model x device of `bench` (default models when --dataset is
/// given without --model: all four) to a result, prints a progress line per
/// epoch and per case, appends each finished case (mode "train") to
/// run.cases, calls `save` after each case, and prints the efficiency table.
/// With `parallel.communicator` each case trains data-parallel as this
/// process's rank; only rank 0 writes the epoch log.
/// Throws effbench::Error for invalid flags and for data that cannot be loaded.
void run_accuracy_cases(const AccuracyCliOptions& options, const BenchmarkOptions& bench, MeterSet& meters,
                        RunRecord& run, const std::function<void()>& save,
                        const AccuracyParallel& parallel = {});

}  // namespace effbench
