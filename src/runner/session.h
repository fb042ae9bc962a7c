#pragma once
// One run of effbench, wherever it is started from: the session plans the
// cases, gives each throughput case its share of the time budget, meters each
// case in a named window, saves the run after every case (so an interruption
// or a crash loses nothing already measured), and decides the run's status
// and exit status. Four kinds of case share this skeleton: throughput cases
// on synthetic data, training to a result on real data (--dataset), and
// data-parallel training as one rank of a job (--distributed); and a command
// case (`effbench monitor -- COMMAND`) meters any program. The CLI fills
// SessionSettings and watches through a RunObserver. Torch-free interface.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meters/meter.h"
#include "results/record.h"
#include "results/run_sink.h"
#include "runner/accuracy.h"
#include "runner/benchmark.h"
#include "runner/data_parallel_case.h"

namespace effbench {

/// Every setting of a run; names carry their units.
struct SessionSettings {
  /// Models, devices, modes, windows, precision and exec modes.
  BenchmarkOptions bench;
  /// Set: train each model x device to a result on real data (--dataset) instead of throughput
  /// cases. Its seed, batch and image size come from `bench`.
  std::optional<AccuracyOptions> training;
  /// Set: run as one rank of a data-parallel job (--distributed), placed by torchrun's variables.
  std::optional<DistributedOptions> data_parallel;
  /// CPU threads (default: one per physical core, Note [CPU threads]; a data-parallel rank: the host's cores
  /// / ranks on it).
  std::optional<int64_t> threads;
  /// JSON document rewritten after each case (optional).
  std::string json_path;
  /// Other files rewritten from the run after each case, e.g. --prometheus (optional): the CLI
  /// supplies their printers, so the session needs none of report/.
  std::vector<RunDocument> documents;
  /// Results database (empty: none).
  std::string db_path;
  /// false: no energy sensors (--no-meters, to measure their overhead).
  bool meters = true;
  /// CPU power at full load, watts, for the estimate where no sensor can be read (optional).
  std::optional<double> cpu_tdp_w;
  /// Idle power measured for this many seconds first; net energy is reported too (optional).
  std::optional<double> idle_s;
  /// The whole run's time budget: each throughput case gets at most its share of what is left.
  double budget_s = 240;
  /// Device peak TFLOP/s at the run's precision for MFU (default: the hardware catalog's).
  std::optional<double> peak_tflops;
  /// The process's arguments, for the run record.
  std::vector<std::string> command_line;
  /// Set: monitor this command (argv after `--`) as the run's one case instead of models
  /// (`effbench monitor`, docs/monitor.md); run_session returns its exit status.
  std::optional<std::vector<std::string>> command;
};

/// What kind of case a run is made of.
enum class CaseKind {
  kThroughput,        ///< warm-up, then timed windows on synthetic data
  kTrainingToResult,  ///< full training with an evaluation after each epoch
  kCommand,           ///< any program, metered from start to exit (effbench monitor)
};

/// What the session is about to do, for the observer's header.
struct SessionPlan {
  CaseKind kind = CaseKind::kThroughput;
  std::vector<CaseSpec> cases;
  std::vector<MeterStatus> meters;          // one line per source, available or not
  std::optional<DistributedEnv> job;        // data-parallel: this rank's place (optional)
  std::optional<AccuracyOptions> training;  // training to a result: the settings used (optional)
};

/// Progress output. In a data-parallel job only rank 0's observer is called:
/// rank 0 speaks for the job. Every callback runs on the session's thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// The run is planned and its meters are ready; nothing is measured yet.
  virtual void run_begun(const RunRecord& /*run*/, const SessionPlan& /*plan*/) {}
  /// Idle power is being measured for `seconds` (--idle-s); `done` when it is.
  virtual void idle_measurement(double /*seconds*/, bool /*done*/) {}
  /// Case `index` of a batch sweep is not run: the sweep stopped (Note [Batch sweep] in
  /// analysis/batch_sweep.h).
  virtual void case_skipped(size_t /*index*/, size_t /*total*/, const CaseSpec& /*spec*/,
                            const std::string& /*reason*/) {}
  /// Case `index` (0-based) of `total` begins.
  virtual void case_begun(size_t /*index*/, size_t /*total*/, const CaseSpec& /*spec*/) {}
  /// A line worth showing while a case runs (which data CycleGAN trains on).
  virtual void case_message(const std::string& /*line*/) {}
  /// Progress of the running case: the fraction of its planned work done
  /// (timed windows, or training steps over the most the run can take). May
  /// come every training step: the observer decides how often to show it.
  virtual void case_progress(double /*done_fraction*/) {}
  /// A training case finished an epoch and its evaluation.
  virtual void epoch_done(const EpochEvent& /*event*/) {}
  /// The case's record, as saved.
  virtual void case_done(size_t /*index*/, size_t /*total*/, const CaseRecord& /*record*/) {}
  /// The run's final record, as saved (status complete, interrupted or incomplete).
  virtual void run_done(const RunRecord& /*run*/, const SessionPlan& /*plan*/) {}
};

/// Runs the cases `settings` describe and returns the exit status: 0, or
/// the larger of ExitCode::kCasesFailed (a case failed; a data-parallel rank
/// fault, which leaves the run incomplete) and ExitCode::kInterrupted
/// (Ctrl-C: the cases finished so far are kept). Throws effbench::Error,
/// naming the flag and value, for settings that cannot run, before anything
/// is measured; and for data that cannot be loaded, after saving what was
/// measured. A command run (settings.command) returns the command's exit
/// status instead (Note [Stopping a command] in runner/command_case.cpp).
int run_session(const SessionSettings& settings, RunObserver& observer);

}  // namespace effbench
