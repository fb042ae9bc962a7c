#include "runner/benchmark.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/clock.h"
#include "core/cpu_threads.h"
#include "core/error.h"
#include "core/stats.h"
#include "core/system_info.h"
#include "core/units.h"
#include "data/synthetic.h"
#include "models/loss_scaler.h"
#include "models/model.h"
#include "runner/case_model.h"
#include "runner/case_outcome.h"
#include "runner/devices.h"
#include "runner/execution.h"
#include "runner/interrupt.h"
#include "runner/precision.h"
#include "runner/torch_device.h"
#include "runner/window_plan.h"

#ifdef EFFBENCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace effbench {
namespace {

// CycleGAN on a cpu at the reference 256x256 takes tens of seconds per step;
// the default suite runs it at this size there (and says so).
constexpr int64_t kCpuCycleGanImageSize = 128;

// Warms up (Note [Timed windows] in runner/window_plan.h) and plans the timed windows.
WindowPlan warm_up_and_plan(const std::function<torch::Tensor()>& step, const Device& device,
                            const BenchmarkOptions& options, bool check_loss, CaseRecord& record) {
  torch::Tensor last;
  const Stopwatch clock;
  const WarmupOutcome warmup = warm_up(
      options, [&] { last = step(); }, [&] { synchronize_device(device); }, [&] { return clock.elapsed_s(); },
      throw_if_interrupted);
  if (check_loss) check_finite_loss(last.item<double>(), "by iteration " + std::to_string(warmup.iterations));
  record.warmup_iterations = warmup.iterations;
  return plan_windows(options, warmup.seconds_per_iteration, record);
}

// Runs the timed windows; returns samples processed.
int64_t run_windows(const std::function<torch::Tensor()>& step, const Device& device, int64_t batch,
                    const WindowPlan& plan, bool check_loss, const BenchmarkOptions& options,
                    const CaseHooks& hooks, CaseRecord& record) {
  synchronize_device(device);
  if (hooks.before_timed) hooks.before_timed();
  if (hooks.progress) hooks.progress(0.0);
  std::vector<double> throughputs;
  int64_t samples_processed = 0;
  double total_s = 0;
  for (int64_t window = 0; window < plan.repeats; ++window) {
    torch::Tensor last;
    Stopwatch clock;
    for (int64_t i = 0; i < plan.iterations; ++i) {
      throw_if_interrupted();
      last = step();
    }
    synchronize_device(device);
    const double seconds = clock.elapsed_s();
    if (check_loss) {
      check_finite_loss(
          last.item<double>(),
          "by iteration " + std::to_string(record.warmup_iterations + (window + 1) * plan.iterations));
    }
    throughputs.push_back(static_cast<double>(plan.iterations * batch) / seconds);
    samples_processed += plan.iterations * batch;
    total_s += seconds;
    if (hooks.progress) hooks.progress(static_cast<double>(window + 1) / static_cast<double>(plan.repeats));
  }
  record.timed_iterations = plan.iterations * plan.repeats;
  record.timed_s = total_s;
  if (hooks.after_timed) hooks.after_timed(record, samples_processed);

  record_throughput(throughputs, options.cv_warning, record);
  return samples_processed;
}

using InferFn = std::function<torch::Tensor(const torch::Tensor&)>;

LatencyMs measure_latency(const InferFn& infer, const torch::Tensor& sample, const Device& device,
                          const BenchmarkOptions& options, CaseRecord& record) {
  for (int i = 0; i < 3; ++i) infer(sample);
  synchronize_device(device);
  std::vector<double> latencies_ms;
  Stopwatch total;
  const double cap_s = std::max(options.latency_min_s, options.max_case_s / 2);
  while (true) {
    throw_if_interrupted();
    Stopwatch call;
    infer(sample);
    synchronize_device(device);  // latency is per call: each call waits for its result
    latencies_ms.push_back(1000.0 * call.elapsed_s());
    const auto count = static_cast<int64_t>(latencies_ms.size());
    if (count >= options.latency_min_calls && total.elapsed_s() >= options.latency_min_s) break;
    if (count >= 5 && total.elapsed_s() >= cap_s) {
      record.notes.push_back("batch-1 latency from " + std::to_string(count) + " calls (time cap " +
                             format_number(cap_s) + " s)");
      break;
    }
  }
  LatencyMs latency;
  latency.p50 = quantile(latencies_ms, 0.50);
  latency.p90 = quantile(latencies_ms, 0.90);
  latency.p99 = quantile(latencies_ms, 0.99);
  latency.count = static_cast<int64_t>(latencies_ms.size());
  return latency;
}

void reset_cuda_peak(const Device& device) {
#ifdef EFFBENCH_HAS_CUDA
  if (device.is_cuda()) {
    c10::cuda::CUDACachingAllocator::emptyCache();
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device.index()));
  }
#else
  (void)device;
#endif
}

void read_cuda_peak(const Device& device, CaseRecord& record) {
#ifdef EFFBENCH_HAS_CUDA
  if (device.is_cuda()) {
    // getDeviceStats() is in c10::cuda::CUDACachingAllocator in every
    // LibTorch, but the enum naming its rows moved: StatType was declared
    // there up to 2.4, in c10::CachingDeviceAllocator (2.5, 2.6) and in
    // c10::CachingAllocator after. Its AGGREGATE row (all pools) is row 0
    // in every version, so the row is indexed without naming the enum.
    constexpr size_t kAggregateRow = 0;
    const auto stats =
        c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device.index()));
    record.memory.cuda_peak_allocated_bytes = stats.allocated_bytes[kAggregateRow].peak;
    record.memory.cuda_peak_reserved_bytes = stats.reserved_bytes[kAggregateRow].peak;
  }
#else
  (void)device;
  (void)record;
#endif
}

// Parameters and buffers of 4-D shape (convolution weights) to channels-last.
void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
  for (auto& b : module.buffers()) {
    if (b.dim() == 4) b.set_data(b.data().contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

// The pre-generated device-resident batches of a case, cycled through; in
// channels-last format when asked, converted once here and not in the timed
// loop.
class BatchCycle {
 public:
  BatchCycle(SyntheticSource& source, bool channels_last, int64_t count = 4) {
    for (int64_t i = 0; i < count; ++i) {
      Batch batch = source.next();
      if (channels_last) {
        batch.input = batch.input.contiguous(torch::MemoryFormat::ChannelsLast);
        if (batch.target.dim() == 4)
          batch.target = batch.target.contiguous(torch::MemoryFormat::ChannelsLast);
      }
      batches_.push_back(std::move(batch));
    }
  }
  const Batch& next() {
    const Batch& batch = batches_[position_];
    position_ = (position_ + 1) % batches_.size();
    return batch;
  }
  const Batch& first() const { return batches_.front(); }

 private:
  std::vector<Batch> batches_;
  size_t position_ = 0;
};

void run_train_case(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks,
                    Model& model, BatchCycle& batches, CaseRecord& record) {
  model.train(true);
  TrainOptions train_options;
  const std::optional<at::ScalarType> dtype = autocast_dtype(spec.precision);
  const c10::DeviceType device_type = torch_device(spec.device).type();
  // Autocast's weight-cast cache would outlive a CUDA graph capture; graph
  // mode recasts inside the graph instead.
  const bool cache = spec.exec != Exec::kGraph;
  if (dtype) {
    train_options.forward_scope = [dtype, device_type, cache](const std::function<torch::Tensor()>& forward) {
      const AutocastGuard autocast(device_type, *dtype, cache);
      return forward();
    };
  }
  std::shared_ptr<DynamicLossScaler> scaler;
  if (spec.precision == Precision::kFp16) {
    scaler = std::make_shared<DynamicLossScaler>();
    train_options.loss_scaler = scaler;
  }
  std::unique_ptr<Trainer> trainer = model.make_trainer(train_options);

  std::function<torch::Tensor()> step;
  torch::Tensor static_input;
  torch::Tensor static_target;
  std::unique_ptr<CapturedStep> captured;
  if (spec.exec == Exec::kGraph) {
    // Note [CUDA graph mode]: static buffers that each step copies into.
    static_input = batches.first().input.clone();
    static_target = batches.first().target.clone();
    captured = CapturedStep::capture([&] { return trainer->step(static_input, static_target); }, spec.device);
    step = [&] {
      const Batch& batch = batches.next();
      static_input.copy_(batch.input);
      static_target.copy_(batch.target);
      return captured->replay();
    };
  } else {
    step = [&] {
      const Batch& batch = batches.next();
      return trainer->step(batch.input, batch.target);
    };
  }
  const WindowPlan plan = warm_up_and_plan(step, spec.device, options, true, record);
  run_windows(step, spec.device, spec.batch, plan, true, options, hooks, record);
  if (scaler) {
    record.notes.push_back("fp16 dynamic loss scaling: scale " + format_number(scaler->scale()) +
                           " at the end, " + std::to_string(scaler->skipped_steps()) +
                           " optimiser steps skipped on overflow");
  }
}

// Note [One autocast region per inference case]
// Autocast casts each fp32 weight to bf16/fp16 when an operation uses it, and
// keeps the cast while an autocast region is open (torch.autocast's
// cache_enabled); leaving the outermost region drops the casts. Opened per
// forward call, every inference call casts every weight again: a read of the
// fp32 weights and a write of their copies, which at batch 1 can cost more
// than the convolutions. Inference does not change the weights, so effbench
// opens one region for the whole case (warm-up, windows and batch-1
// latency): the first call casts, the others reuse the casts. The numbers are
// bit for bit those of per-call autocast, as a server would run it with its
// weights cast once. Training keeps one region per step: its weights change
// every step. bench/pytorch_reference.py does the same on the PyTorch side.
// bf16 inference at batch 64, 3x32x32, on the 2-core AVX512-BF16 VM, per-call
// regions -> one region per case, two back-to-back rounds (2026-11-30,
// `effbench run --mode infer --precision bf16 --exec eager --warmup-s 1
// --min-time-s 0.5`): batch-1 latency p50 vgg16 6.5/6.7 -> 4.0/4.3 ms,
// conv6 2.1/2.2 -> 2.0/1.5 ms, resnet18 7.0/7.0 -> 6.6/5.2 ms; throughput
// x1.02-1.04 (one resnet18 round x0.94, within this VM's noise).
void run_infer_case(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks,
                    Model& model, BatchCycle& batches, CaseRecord& record) {
  model.train(false);
  const std::optional<at::ScalarType> dtype = autocast_dtype(spec.precision);
  const c10::DeviceType device_type = torch_device(spec.device).type();
  // One autocast region for the whole case (Note [One autocast region per
  // inference case]); a CUDA graph casts inside its capture, uncached.
  std::optional<AutocastGuard> autocast_region;
  if (dtype && spec.exec != Exec::kGraph) autocast_region.emplace(device_type, *dtype);
  const bool autocast_per_call = dtype && !autocast_region;
  const InferFn eager = [&model, dtype, device_type, autocast_per_call](const torch::Tensor& input) {
    if (!autocast_per_call) return model.forward(input);
    const AutocastGuard autocast(device_type, *dtype, /*cache_enabled=*/false);
    return model.forward(input);
  };
  // One fused module per input shape: the TorchScript executor specialises
  // a graph to the shapes it profiled, and alternating batch and batch-1
  // calls would send one module back to its unspecialised fallback.
  torch::jit::Module fused;
  torch::jit::Module fused_single;
  if (spec.exec == Exec::kFused) {
    const torch::NoGradGuard no_grad;
    fused = make_fused_module(model);
    fused_single = make_fused_module(model);
    record.notes.push_back(fuser_note(spec.device));
  }
  c10::InferenceMode inference;
  const torch::Tensor sample = batches.first().input.slice(0, 0, 1).clone();
  const double tolerance = output_tolerance(spec.precision);

  InferFn infer = eager;         // batch of the case
  InferFn infer_single = eager;  // batch-1 latency
  torch::Tensor static_batch;
  torch::Tensor static_single;
  std::unique_ptr<CapturedStep> captured_batch;
  std::unique_ptr<CapturedStep> captured_single;
  if (spec.exec == Exec::kFused) {
    infer = [&fused](const torch::Tensor& input) { return run_fused(fused, input); };
    infer_single = [&fused_single](const torch::Tensor& input) { return run_fused(fused_single, input); };
  } else if (spec.exec == Exec::kGraph) {
    // One graph per input shape (Note [CUDA graph mode]).
    static_batch = batches.first().input.clone();
    static_single = sample.clone();
    captured_batch = CapturedStep::capture([&] { return eager(static_batch); }, spec.device);
    captured_single = CapturedStep::capture([&] { return eager(static_single); }, spec.device);
    infer = [&](const torch::Tensor& input) {
      static_batch.copy_(input);
      return captured_batch->replay();
    };
    infer_single = [&](const torch::Tensor& input) {
      static_single.copy_(input);
      return captured_single->replay();
    };
  }
  if (spec.exec != Exec::kEager) {
    // Checked before timing: a fast wrong answer is not a result.
    check_matches_eager(spec.exec, infer(batches.first().input).clone(), eager(batches.first().input),
                        tolerance);
    check_matches_eager(spec.exec, infer_single(sample).clone(), eager(sample), tolerance);
  }
  auto step = [&] { return infer(batches.next().input); };
  const WindowPlan plan = warm_up_and_plan(step, spec.device, options, false, record);
  run_windows(step, spec.device, spec.batch, plan, false, options, hooks, record);
  record.latency_ms = measure_latency(infer_single, sample, spec.device, options, record);
}

void run_case_body(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks,
                   CaseRecord& record) {
  const torch::Device device = torch_device(spec.device);
  const MathModeScope math_mode(spec.precision, spec.device, options.cudnn_benchmark);
  for (const auto& note : math_mode.notes()) record.notes.push_back(note);
  const ModelConfig config = model_config(spec.model, spec.image_size);
  std::unique_ptr<Model> model = build_model(spec.model, config, spec.device, options.seed);
  if (options.channels_last) {
    to_channels_last(model->module());
    record.notes.push_back("channels-last memory format");
  }
  describe_model(*model, spec.mode, record);
  SyntheticSource source(spec.batch, sample_shape(config),
                         model->task() == ModelTask::kClassification ? config.num_classes : 0, device,
                         options.seed);
  BatchCycle batches(source, options.channels_last);

  if (spec.mode == Mode::kTrain) {
    run_train_case(spec, options, hooks, *model, batches, record);
  } else {
    run_infer_case(spec, options, hooks, *model, batches, record);
  }
  record.achieved_tflops = record.throughput->median * record.step_flops_per_sample / 1e12;
}

}  // namespace

void record_throughput(const std::vector<double>& samples_per_s, double cv_warning, CaseRecord& record) {
  if (samples_per_s.empty()) return;
  const SampleSummary s = summarize(samples_per_s);
  ThroughputSummary t;
  t.median = s.median;
  t.iqr = s.iqr;
  t.min = s.min;
  t.max = s.max;
  t.cv = s.cv;
  t.window_samples_per_s = samples_per_s;
  record.throughput = t;
  record.achieved_tflops = t.median * record.step_flops_per_sample / 1e12;
  if (s.cv > cv_warning) {
    record.warnings.push_back(
        "throughput CV " + format_number(100 * s.cv) + "% > " + format_number(100 * cv_warning) +
        "%: noisy (other load, frequency scaling or throttling?); use more --repeats or "
        "a longer --min-time-s");
  }
}

namespace {

// Adds each --model that is not a model of the table but a file as a
// TorchScript model (Note [TorchScript models] in models/torchscript_model.h);
// true when there was one. The flags that only such a model takes are
// refused without one, and those it cannot take with one.
bool add_model_files(const BenchmarkOptions& options) {
  bool any_file = false;
  for (const auto& name : options.models) {
    const bool in_table = std::any_of(model_table().begin(), model_table().end(),
                                      [&](const ModelEntry& entry) { return entry.name == name; });
    if (in_table) continue;
    std::error_code error;  // a name too long for a path is no file either
    const std::filesystem::file_status status = std::filesystem::status(name, error);
    check(!std::filesystem::is_directory(status),
          "--model " + name + ": is a directory, not a TorchScript file (torch.jit.save writes one file)");
    if (error || !std::filesystem::is_regular_file(status)) find_model(name);  // throws: unknown model
    add_torchscript_model({name, options.input_shape, options.classes});
    any_file = true;
    EFFBENCH_CHECK(!options.channels_last || options.input_shape.size() == 3,
                   "--channels-last: needs image samples (--input CxHxW) but --input has ",
                   options.input_shape.size(), " dimensions");
  }
  check(any_file || options.input_shape.empty(),
        "--input: gives the sample shape of a TorchScript --model file, but no --model names an existing "
        "file");
  check(any_file || !options.classes,
        "--classes: gives the class count of a TorchScript --model file, but no --model names an existing "
        "file");
  check(!any_file || !options.image_size,
        "--image-size: applies to the built-in models; a TorchScript model's input is --input");
  return any_file;
}

}  // namespace

std::vector<int64_t> auto_batches(const std::string& model, const Device& device) {
  const bool translation = find_model(model).task == ModelTask::kImageTranslation;
  const int64_t smallest = translation ? 1 : device.is_cpu() ? 8 : 32;
  const int64_t largest = translation ? (device.is_cpu() ? 8 : 16) : device.is_cpu() ? 256 : 2048;
  std::vector<int64_t> batches;
  for (int64_t batch = smallest; batch <= largest; batch *= 2) batches.push_back(batch);
  return batches;
}

std::vector<Precision> default_precisions(const Device& device) {
  if (device.is_cpu() && this_cpu_has_native_bf16()) return {Precision::kFp32, Precision::kBf16};
  return {Precision::kFp32};
}

int64_t default_batch(const std::string& model, const Device& device) {
  if (find_model(model).task == ModelTask::kImageTranslation) return 1;
  return device.is_cpu() ? 64 : 256;
}

std::vector<CaseSpec> plan_cases(const BenchmarkOptions& options) {
  for (int64_t batch : options.batches) {
    EFFBENCH_CHECK(batch > 0 && batch <= kLargestBatch, "--batch: expected batch sizes in [1, ",
                   kLargestBatch, "] but got ", batch);
  }
  check(!options.batch_auto || options.batches.empty(), "--batch: auto or sizes, not both");
  check(!options.image_size || *options.image_size > 0,
        "--image-size: expected a positive size but got " + std::to_string(options.image_size.value_or(0)));
  check(options.threads >= 0,
        "--threads: expected a positive thread count but got " + std::to_string(options.threads));
  check(options.warmup_s >= 0,
        "--warmup-s: expected seconds >= 0 but got " + format_number(options.warmup_s));
  check(options.min_time_s > 0,
        "--min-time-s: expected seconds > 0 but got " + format_number(options.min_time_s));
  check(options.repeats > 0,
        "--repeats: expected a positive count but got " + std::to_string(options.repeats));
  EFFBENCH_CHECK(options.max_case_s > 0 && options.max_case_s <= kLongestSettingS,
                 "--max-case-s: expected seconds in (0, ", format_number(kLongestSettingS), "] but got ",
                 format_number(options.max_case_s));
  // A warm-up or a window longer than the case's time would run past it (and past --budget-s).
  EFFBENCH_CHECK(options.warmup_s <= options.max_case_s, "--warmup-s: expected at most --max-case-s (",
                 format_number(options.max_case_s), " s) but got ", format_number(options.warmup_s));
  EFFBENCH_CHECK(options.min_time_s <= options.max_case_s, "--min-time-s: expected at most --max-case-s (",
                 format_number(options.max_case_s), " s) but got ", format_number(options.min_time_s));
  check(!options.execs.empty(), "--exec: expected at least one of eager, fused, graph");
  check(!options.modes.empty(), "--mode: expected at least one of train, infer");

  add_model_files(options);
  std::vector<std::string> models = options.models;
  if (models.empty()) {
    for (const auto& entry : model_table()) models.push_back(entry.name);
  }
  for (const auto& name : models) find_model(name);  // throws for unknown names
  const std::vector<Device> devices = resolve_devices(options.devices);

  // A combination one of the defaults brought in is left out; one the user
  // named is refused (see plan_cases in benchmark.h).
  std::optional<std::string> first_refusal;
  auto refuse = [&](const std::string& reason, bool named) {
    if (named) throw Error(reason);
    if (!first_refusal) first_refusal = reason;
  };
  std::vector<CaseSpec> cases;
  for (const auto& model : models) {
    const ModelEntry& entry = find_model(model);
    for (const auto& device : devices) {
      const bool precision_named = !options.precisions.empty();
      for (const Precision precision : precision_named ? options.precisions : default_precisions(device)) {
        if (const auto reason = precision_unsupported_reason(precision, device)) {
          refuse(*reason, !options.devices.empty());
          continue;
        }
        for (const auto& mode : options.modes) {
          if (mode == Mode::kTrain && !entry.trainable) {
            refuse("--model " + model +
                       ": the module has no parameters that require gradients, so there is nothing to train; "
                       "use --mode infer",
                   true);
            continue;
          }
          for (const auto& exec : options.execs) {
            if (exec == Exec::kFused && mode == Mode::kTrain) continue;  // inference only
            if (exec == Exec::kGraph && device.is_cpu()) {
              refuse("--exec graph needs a CUDA device (CUDA graphs), but the device is " + device.str() +
                         "; use --exec eager or fused there",
                     !options.devices.empty());
              continue;
            }
            if (exec == Exec::kFused && precision != Precision::kFp32 && precision != Precision::kTf32) {
              refuse(
                  "--exec fused: runs the frozen TorchScript module in fp32 or tf32 only, but --precision "
                  "is " +
                      to_string(precision) +
                      " (autocast does not reach inside a frozen graph); use --exec eager or graph",
                  precision_named);
              continue;
            }
            if (exec == Exec::kGraph && mode == Mode::kTrain) {
              if (const auto reason = graph_training_unsupported_reason(model, precision)) {
                refuse(*reason, !options.models.empty());
                continue;
              }
            }
            const std::vector<int64_t> batches = options.batch_auto ? auto_batches(model, device)
                                                 : options.batches.empty()
                                                     ? std::vector<int64_t>{default_batch(model, device)}
                                                     : options.batches;
            for (const int64_t batch : batches) {
              CaseSpec spec;
              spec.model = model;
              spec.device = device;
              spec.mode = mode;
              spec.exec = exec;
              spec.precision = precision;
              spec.batch = batch;
              spec.batch_sweep = batches.size() > 1;
              spec.image_size = entry.default_config.image_size;
              spec.sample_shape = entry.default_config.sample_shape;
              if (options.image_size) {
                spec.image_size = *options.image_size;
              } else if (entry.task == ModelTask::kImageTranslation && device.is_cpu()) {
                spec.image_size = kCpuCycleGanImageSize;
                spec.notes.push_back(model + " at " + std::to_string(kCpuCycleGanImageSize) + "x" +
                                     std::to_string(kCpuCycleGanImageSize) + " on cpu (reference " +
                                     std::to_string(entry.default_config.image_size) +
                                     ") to keep the suite short; --image-size " +
                                     std::to_string(entry.default_config.image_size) + " for the full size");
              }
              cases.push_back(spec);
            }
          }
        }
      }
    }
  }
  if (cases.empty()) {
    throw Error(first_refusal.value_or("--exec: fused is inference only; add --mode infer or --exec eager"));
  }
  return cases;
}

CaseRecord begin_case_record(const CaseSpec& spec) {
  CaseRecord record;
  record.model = spec.model;
  record.device = spec.device;
  record.mode = spec.mode;
  record.batch = spec.batch;
  record.precision = spec.precision;
  record.exec = spec.exec;
  record.threads = torch::get_num_threads();
  record.notes = spec.notes;
  for (const auto& d : available_devices()) {
    if (d.device == spec.device) record.device_name = d.name;
  }
  return record;
}

CaseRecord run_case(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks) {
  CaseRecord record = begin_case_record(spec);
  const bool finished = run_case_guarded(record, [&] {
    reset_cuda_peak(spec.device);
    run_case_body(spec, options, hooks, record);
    read_cuda_peak(spec.device, record);
  });
  if (!finished) {
    record.throughput.reset();
    record.latency_ms.reset();
    record.achieved_tflops.reset();
    reset_cuda_peak(spec.device);  // release what the failed case held
  }
  return record;
}

int64_t configure_threads(int64_t threads) {
  const int64_t count = threads > 0 ? threads : default_cpu_threads();  // Note [CPU threads]
  torch::set_num_threads(static_cast<int>(count));
  describe_cpu_threads(count, threads > 0);
  return count;
}

RunRecord begin_run(const BenchmarkOptions& options, const std::vector<std::string>& command_line) {
  RunRecord run;
  run.system = read_host_info();
  fill_torch_info(run.system);
  run.run_id = make_run_id(run.system.hostname);
  run.started_at = utc_now_iso8601();
  run.status = RunStatus::kRunning;
  run.settings.warmup_s = options.warmup_s;
  run.settings.warmup_iterations = options.warmup_iterations;
  run.settings.min_time_s = options.min_time_s;
  run.settings.min_iterations = options.min_iterations;
  run.settings.repeats = options.repeats;
  run.settings.threads = torch::get_num_threads();
  run.settings.seed = options.seed;
  run.settings.data = "synthetic";
  run.settings.command_line = command_line;
  return run;
}

}  // namespace effbench
