#pragma once
// Training to a result on real data: full training with a learning-rate
// schedule, an evaluation on the test set after every epoch, and
// time-to-accuracy under MLPerf/DAWNBench rules (Note [Time to accuracy] in
// accuracy.cpp). Torch-free interface: the CLI hands in settings and hooks and
// gets a plain CaseRecord back; energy comes in through the hooks, so the
// runner does not depend on the meters.

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/vocabulary.h"
#include "results/record.h"

namespace effbench {

class Communicator;  // runner/communicator.h

/// A learning-rate schedule over `total_steps` optimiser steps, with a linear
/// warm-up over the first `warmup_steps`:
///   warm-up   (s < w):  lr = peak * (s + 1) / w
///   one-cycle (s >= w): lr = peak * (T - s) / (T - w)        (linear to ~0)
///   cosine    (s >= w): lr = peak * (1 + cos(pi * (s - w) / (T - w))) / 2
/// Steps past the end keep the last step's value.
struct LrSchedule {
  std::string kind = "one-cycle";  // "one-cycle" | "cosine"
  double peak_lr = 0.1;
  int64_t total_steps = 1;   // T
  int64_t warmup_steps = 0;  // w, 0 <= w < T

  /// The learning rate of step `step` (0-based). Throws effbench::Error when
  /// the schedule itself is invalid (unknown kind, T < 1, w outside [0, T)).
  double lr_at(int64_t step) const;
};

/// A model's default training recipe on Fashion-MNIST-sized data
/// (docs/recipes.md gives the accuracies they reach).
struct TrainingRecipe {
  std::string optimizer = "sgd";  // "sgd" (momentum, Nesterov) | "adam"
  double peak_lr = 0.1;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  std::string schedule = "one-cycle";  // see LrSchedule
  double warmup_fraction = 0.15;       // of all steps
  int64_t batch = 128;
  int64_t eval_batch = 500;
  int64_t epochs = 10;

  /// One line: "sgd nesterov lr 0.1 wd 5e-4, one-cycle (15% warm-up), batch 128, 10 epochs".
  std::string describe() const;
};

/// The default recipe of a model (conv6, vgg16, resnet18, cyclegan). Throws
/// effbench::Error listing the models for an unknown name.
TrainingRecipe default_recipe(const std::string& model);

/// The models of the model table, in its order (all have a recipe): the
/// default set of a training run.
std::vector<std::string> trainable_models();

/// Every setting of a training-to-a-result run; names carry their units.
struct AccuracyOptions {
  std::string dataset = "fashion-mnist";  // fashion-mnist | mnist | cifar10 | folders
  std::string data_dir;                   // empty: the dataset's default directory
  std::optional<int64_t> epochs;          // default: the recipe's
  std::optional<double> target;           // --target-accuracy, in (0, 1]
  std::optional<int64_t> max_epochs;      // with a target; default: the epochs
  std::string epoch_log_path;             // JSON-lines log (optional; appended to)
  bool deterministic = false;
  int64_t seed = 0;
  std::optional<int64_t> batch;       // default: the recipe's
  std::optional<int64_t> image_size;  // cyclegan on folders: the images' size (optional)
  int64_t train_samples = 0;          // use only the first N training images (0: all)
  int64_t test_samples = 0;           // use only the first N test images (0: all)
  // Data-parallel training (Note [Data-parallel time to accuracy] in
  // accuracy.cpp): this process's membership in the job, or null.
  Communicator* communicator = nullptr;
  double bucket_cap_mb = 25;  // gradient bucket size, MiB
};

/// Throws effbench::Error naming the flag and value for an unknown dataset,
/// a target outside (0, 1], non-positive epochs, batch or sample counts.
void validate(const AccuracyOptions& options);

/// One line of the per-epoch log (and of the screen's progress).
struct EpochEvent {
  std::string model;
  std::string device;
  int64_t epoch = 0;     // 1-based
  double seconds = 0;    // since the clock started (Note [Time to accuracy])
  double train_s = 0;    // training part of this epoch alone
  double loss = 0;       // mean training loss of the epoch
  double lr = 0;         // learning rate of the epoch's last step
  std::string metric;    // "test_accuracy" | "cycle_l1"
  double value = 0;      // the evaluation after the epoch
  CountedEnergy energy;  // energy since the clock started (when the hooks provide it)
};

/// The event as one JSON object on one line (no newline): keys event
/// ("epoch"), model, device, epoch, seconds, train_s, loss, lr, metric, value,
/// joules (null when unavailable) and energy_basis ("measured" | "estimated" |
/// "unavailable").
std::string epoch_event_json(const EpochEvent& event);

/// An append-only JSON-lines file; each line is flushed when written, so a
/// crash keeps every finished epoch. Not thread-safe.
class EpochLog {
 public:
  /// Opens `path` for appending; an empty path writes nothing. Throws
  /// effbench::Error naming --epoch-log and the path when it cannot be opened.
  explicit EpochLog(const std::string& path);
  /// Writes one already-serialised JSON object as a line.
  void write_line(const std::string& json_line);
  void write(const EpochEvent& event) { write_line(epoch_event_json(event)); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<std::ofstream> out_;
};

/// What the caller does around a case: meters, progress lines. Every hook is
/// optional and runs on the runner's thread.
struct AccuracyHooks {
  /// When the clock starts, before the first data access: start metering.
  std::function<void()> start;
  /// After each evaluation (device synchronised): energy since start().
  std::function<CountedEnergy()> energy_so_far;
  /// After the last evaluation: stop metering and add the readings to the
  /// record.
  std::function<void(CaseRecord&, int64_t samples_processed)> finish;
  /// After each epoch's evaluation, for the screen.
  std::function<void(const EpochEvent&)> on_epoch;
  /// Facts worth a line on the screen (which data CycleGAN trains on).
  std::function<void(const std::string&)> on_message;
  /// (optional) Training steps done over the most the run can take: 0 once the data is loaded, then after
  /// each step.
  std::function<void(double done_fraction)> progress;
};

/// The training loop of Note [Time to accuracy], free of torch so that its
/// stopping rule can be tested with fake epochs.
struct TrainingLoop {
  /// Trains one epoch (1-based); returns the mean loss. Throws to fail the case.
  std::function<double(int64_t epoch)> train_epoch;
  /// Evaluates on the test set; returns the quality figure.
  std::function<double()> evaluate;
  /// The learning rate of the last step so far (for the log; optional).
  std::function<double()> current_lr;
};

struct LoopSettings {
  std::string model, device;  // for the events
  std::string metric = "test_accuracy";
  bool higher_is_better = true;
  int64_t max_epochs = 1;        // stop after this many epochs at the latest
  std::optional<double> target;  // stop at the first evaluation at or above it (below when lower is better)
};

struct LoopOutcome {
  std::vector<EpochEvent> epochs;  // one per finished epoch
  bool reached_target = false;
  double seconds = 0;  // clock at the end of the last evaluation
  std::optional<double> time_to_target_s;
  std::optional<double> energy_to_target_j;
  std::optional<CountedEnergy> energy;  // at the end, when the hooks provide it
};

/// Runs epochs until the target is reached or max_epochs have run. `clock`
/// was started by the caller before the first data access and is never
/// paused; evaluations run on it. Each epoch's event goes to `log` (optional)
/// and hooks.on_epoch. Exceptions from the loop's functions propagate.
LoopOutcome run_training_loop(const LoopSettings& settings, const TrainingLoop& loop, const Stopwatch& clock,
                              const AccuracyHooks& hooks, EpochLog* log);

/// Trains `model` on `device` to a result. Never throws for a failing case:
/// the record says "failed" with the error, or "interrupted". Throws
/// effbench::Error only for data that cannot be loaded (a missing or corrupt
/// dataset is the input's fault and would fail every case alike).
CaseRecord run_accuracy_case(const std::string& model, const Device& device, const AccuracyOptions& options,
                             const AccuracyHooks& hooks = {});

/// Applies --deterministic: LibTorch's deterministic algorithms (an error
/// for operations that have none) and, on CUDA, the cuBLAS workspace setting
/// they need when it is not set yet.
void set_deterministic(bool on);

}  // namespace effbench
