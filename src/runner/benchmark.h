#pragma once
// The train/infer benchmark runner. Torch-free interface: the CLI hands in
// settings and observers and gets plain records back.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/vocabulary.h"
#include "results/record.h"

namespace effbench {

/// The longest any duration setting may be, seconds (a week): a longer one is
/// a typo, and it would hold the machine without measuring anything.
inline constexpr double kLongestSettingS = 7 * 24 * 3600.0;

/// The largest batch accepted: more is a typo (and would not fit in memory).
inline constexpr int64_t kLargestBatch = int64_t{1} << 20;

// Note [Default precisions]
// Without --precision every device runs fp32, and a cpu that computes in
// bfloat16 natively (avx512_bf16 or amx_bf16, cpu_has_native_bf16) runs bf16
// autocast as well: on such a cpu bf16 roughly doubles throughput, and a
// GPU speedup measured against fp32 alone would oversell the GPU. The bf16
// rows are eager only (a frozen fused graph runs fp32; autocast does not
// reach into it). --precision names the precisions to run instead.

/// Every setting of a benchmark run; names carry their units.
struct BenchmarkOptions {
  std::vector<std::string> models;   // empty: every model; names of the table or TorchScript files
  std::vector<int64_t> input_shape;  // TorchScript files: one sample's shape (--input)
  std::optional<int64_t> classes;    // TorchScript files: cross-entropy over this many classes (optional)
  std::vector<std::string> devices;  // empty: every device present
  std::vector<Mode> modes = {Mode::kTrain, Mode::kInfer};
  std::vector<int64_t> batches;  // empty: per model and device (default_batch); several: a sweep
  bool batch_auto = false;       // --batch auto: the sweep of auto_batches(), stopped early (batch_sweep.h)
  std::optional<int64_t> image_size;  // default: the model's, reduced for cyclegan on cpu
  int64_t threads = 0;                // 0: one per physical core (Note [CPU threads])
  double warmup_s = 1.0;
  int64_t warmup_iterations = 2;
  double min_time_s = 1.0;         // per timed window
  int64_t min_iterations = 1;      // per timed window
  int64_t repeats = 5;             // timed windows
  double max_case_s = 40.0;        // repeats are reduced (never below 3) to fit this
  double latency_min_s = 1.0;      // batch-1 latency: at least this long ...
  int64_t latency_min_calls = 20;  // ... and this many calls
  int64_t seed = 0;
  std::vector<Precision> precisions;         // empty: Note [Default precisions]; see runner/precision.h
  std::vector<Exec> execs = {Exec::kEager};  // Notes in runner/execution.h
  bool channels_last = false;                // model and inputs in channels-last memory format
  bool cudnn_benchmark = true;               // cuDNN autotuning on CUDA devices
  double cv_warning = 0.10;                  // warn when the throughput CV exceeds this
};

/// One (model, device, mode) case with its resolved sizes.
struct CaseSpec {
  std::string model;
  Device device;
  Mode mode = Mode::kTrain;
  Exec exec = Exec::kEager;
  Precision precision = Precision::kFp32;
  int64_t batch = 0;
  bool batch_sweep = false;  // one of several batches of the same model, device, mode, exec and precision
  int64_t image_size = 0;    // built-in models: square inputs of this size
  std::vector<int64_t> sample_shape;  // TorchScript models: one sample's shape (image_size is 0)
  std::vector<std::string> notes;     // what was reduced, for the screen and the record
  std::string recipe;                 // training to a result: its recipe in one line (optional)
};

/// Called around a case's timed windows, right after the device was
/// synchronised: the meters start and stop here. `after_timed` may add
/// readings to the record (energy, memory).
struct CaseHooks {
  std::function<void()> before_timed;
  std::function<void(CaseRecord&, int64_t samples_processed)> after_timed;
  /// (optional) The fraction of the timed windows done: 0 after the warm-up, then after each window.
  std::function<void(double done_fraction)> progress;
};

/// Validates the options (unknown model, device, mode, precision or exec;
/// non-positive sizes and times) and expands them into cases, models
/// outermost, then devices, modes and execs. fused is inference only: train
/// cases are planned for eager and graph. A precision or exec a device cannot
/// run (tf32, fp16, graph on the cpu), or a graph-unsafe training case,
/// throws when that device or model was named explicitly and is left out of
/// the plan when it came from the defaults; a plan left empty throws too.
/// Throws effbench::Error naming the flag and value.
std::vector<CaseSpec> plan_cases(const BenchmarkOptions& options);

/// The default batch of a model on a device (classifiers: 64 on cpu, 256 on
/// GPUs; cyclegan: 1, the reference).
int64_t default_batch(const std::string& model, const Device& device);

/// The batches `--batch auto` sweeps, smallest first: powers of two around
/// the default (classifiers 8..256 on cpu, 32..2048 on GPUs; cyclegan 1..8
/// on cpu, 1..16 on GPUs). The sweep stops early (sweep_stop_reason in
/// analysis/batch_sweep.h).
std::vector<int64_t> auto_batches(const std::string& model, const Device& device);

/// The precisions a device runs by default (Note [Default precisions]).
std::vector<Precision> default_precisions(const Device& device);

/// A case's record before anything is measured: the spec (model, device and
/// its name, mode, batch, precision, exec, notes) and the CPU threads in
/// use. Every kind of case begins its record here.
CaseRecord begin_case_record(const CaseSpec& spec);

/// Runs one case. Never throws for a failing case: the record says "failed"
/// with the error, or "interrupted".
CaseRecord run_case(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks = {});

/// Records per-window throughputs (samples/s) in `record`: median, IQR,
/// min, max, CV, achieved TFLOP/s (with record.step_flops_per_sample), and a
/// warning when the CV exceeds `cv_warning`.
void record_throughput(const std::vector<double>& samples_per_s, double cv_warning, CaseRecord& record);

/// Applies --threads (0 = one per physical core this process may use, Note
/// [CPU threads]) to LibTorch and describes it for the run record; returns
/// the count used.
int64_t configure_threads(int64_t threads);

/// Starts a run record: id, time, system description, settings.
RunRecord begin_run(const BenchmarkOptions& options, const std::vector<std::string>& command_line);

}  // namespace effbench
