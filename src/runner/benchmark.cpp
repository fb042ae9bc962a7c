#include "runner/benchmark.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/stats.h"
#include "core/units.h"
#include "data/synthetic.h"
#include "models/model.h"
#include "runner/devices.h"
#include "runner/interrupt.h"

#ifdef EFFBENCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace effbench {
namespace {

// CycleGAN on a cpu at the reference 256x256 takes tens of seconds per step;
// the default suite runs it at this size there (and says so).
constexpr int64_t kCpuCycleGanImageSize = 64;

bool is_cpu(const std::string& device) { return device == "cpu"; }

// Thrown inside a case when Ctrl-C arrived; the case is recorded "interrupted".
struct Interrupted {};

void check_finite(const torch::Tensor& loss, int64_t iteration) {
  const double value = loss.item<double>();
  if (!std::isfinite(value)) {
    throw Error("loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " by iteration " +
                std::to_string(iteration) + " (diverged training; try a lower learning rate)");
  }
}

// First line of a LibTorch error, without the C++ backtrace.
std::string short_error(const std::string& what) {
  const auto newline = what.find('\n');
  return newline == std::string::npos ? what : what.substr(0, newline);
}

struct WindowPlan {
  int64_t iterations = 1;  // per window
  int64_t repeats = 1;
};

// Note [Timed windows]
// Warm-up runs until both its minimum iteration count and its minimum time
// are reached; the seconds per iteration of the warm-up after its first
// (slowest: allocations, cuDNN autotuning) iteration fix the iterations per
// window, so that every window lasts at least min_time_s. Each window is
// bracketed by device synchronisations and nothing in it synchronises, so
// the window time covers exactly the queued work. The number of windows is
// reduced (never below 3) when the case would exceed max_case_s.
WindowPlan warm_up_and_plan(const std::function<torch::Tensor()>& step, const std::string& device,
                            const BenchmarkOptions& options, bool check_loss, CaseRecord& record) {
  torch::Tensor last = step();
  synchronize_device(device);
  int64_t iterations = 0;
  Stopwatch clock;
  while (iterations + 1 < std::max<int64_t>(options.warmup_iterations, 2) || clock.elapsed_s() < options.warmup_s) {
    if (interrupt_requested()) throw Interrupted{};
    last = step();
    ++iterations;
    if (iterations % 8 == 0) synchronize_device(device);  // keep the host from running far ahead
  }
  synchronize_device(device);
  const double seconds_per_iteration = clock.elapsed_s() / static_cast<double>(iterations);
  if (check_loss) check_finite(last, iterations + 1);
  record.warmup_iterations = iterations + 1;

  WindowPlan plan;
  plan.iterations = std::max(options.min_iterations,
                             static_cast<int64_t>(std::ceil(options.min_time_s / std::max(seconds_per_iteration, 1e-9))));
  const double window_s = static_cast<double>(plan.iterations) * seconds_per_iteration;
  plan.repeats = options.repeats;
  const auto fitting = static_cast<int64_t>(options.max_case_s / std::max(window_s, 1e-9));
  if (plan.repeats > 3 && fitting < plan.repeats) {
    plan.repeats = std::max<int64_t>(3, fitting);
    record.notes.push_back("repeats reduced from " + std::to_string(options.repeats) + " to " +
                           std::to_string(plan.repeats) + " (windows of " + format_number(window_s) +
                           " s; --max-case-s " + format_number(options.max_case_s) + ")");
  }
  return plan;
}

// Runs the timed windows; returns samples processed.
int64_t run_windows(const std::function<torch::Tensor()>& step, const std::string& device, int64_t batch,
                    const WindowPlan& plan, bool check_loss, const BenchmarkOptions& options,
                    const CaseHooks& hooks, CaseRecord& record) {
  synchronize_device(device);
  if (hooks.before_timed) hooks.before_timed();
  std::vector<double> throughputs;
  int64_t samples = 0;
  double total_s = 0;
  for (int64_t window = 0; window < plan.repeats; ++window) {
    torch::Tensor last;
    Stopwatch clock;
    for (int64_t i = 0; i < plan.iterations; ++i) {
      if (interrupt_requested()) throw Interrupted{};
      last = step();
    }
    synchronize_device(device);
    const double seconds = clock.elapsed_s();
    if (check_loss) check_finite(last, record.warmup_iterations + (window + 1) * plan.iterations);
    throughputs.push_back(static_cast<double>(plan.iterations * batch) / seconds);
    samples += plan.iterations * batch;
    total_s += seconds;
  }
  record.timed_iterations = plan.iterations * plan.repeats;
  record.timed_s = total_s;
  if (hooks.after_timed) hooks.after_timed(record, samples);

  const SampleSummary s = summarize(throughputs);
  ThroughputSummary t;
  t.median = s.median;
  t.iqr = s.iqr;
  t.min = s.min;
  t.max = s.max;
  t.cv = s.cv;
  t.samples = throughputs;
  record.throughput = t;
  if (s.cv > options.cv_warning) {
    record.warnings.push_back("throughput CV " + format_number(100 * s.cv) + "% > " +
                              format_number(100 * options.cv_warning) +
                              "%: noisy (other load, frequency scaling or throttling?); use more --repeats or "
                              "a longer --min-time-s");
  }
  return samples;
}

LatencyMs measure_latency(Model& model, const torch::Tensor& sample, const std::string& device,
                          const BenchmarkOptions& options, CaseRecord& record) {
  for (int i = 0; i < 3; ++i) model.forward(sample);
  synchronize_device(device);
  std::vector<double> latencies_ms;
  Stopwatch total;
  const double cap_s = std::max(options.latency_min_s, options.max_case_s / 2);
  while (true) {
    if (interrupt_requested()) throw Interrupted{};
    Stopwatch call;
    model.forward(sample);
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

void reset_cuda_peak(const std::string& device) {
#ifdef EFFBENCH_HAS_CUDA
  if (device.rfind("cuda", 0) == 0) {
    c10::cuda::CUDACachingAllocator::emptyCache();
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<int>(std::stoll(device.substr(5))));
  }
#else
  (void)device;
#endif
}

void read_cuda_peak(const std::string& device, CaseRecord& record) {
#ifdef EFFBENCH_HAS_CUDA
  if (device.rfind("cuda", 0) == 0) {
    using c10::cuda::CUDACachingAllocator::getDeviceStats;
    const auto stats = getDeviceStats(static_cast<int>(std::stoll(device.substr(5))));
    const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    record.memory.cuda_peak_allocated_bytes = stats.allocated_bytes[aggregate].peak;
    record.memory.cuda_peak_reserved_bytes = stats.reserved_bytes[aggregate].peak;
  }
#else
  (void)device;
  (void)record;
#endif
}

void run_case_body(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks,
                   CaseRecord& record) {
  const torch::Device device(spec.device);
  torch::manual_seed(static_cast<uint64_t>(options.seed));
  const ModelEntry& entry = find_model(spec.model);
  ModelConfig config = entry.default_config;
  config.image_size = spec.image_size;
  std::unique_ptr<Model> model = entry.create(config);
  model->to(device);
  record.params = model->parameter_count();
  record.flops_per_sample = model->forward_flops_per_sample();
  record.input_shape = {config.in_channels, config.image_size, config.image_size};
  SyntheticSource source(spec.batch, config.in_channels, config.image_size,
                         entry.task == ModelTask::kClassification ? config.num_classes : 0, device, options.seed);

  if (spec.mode == "train") {
    record.step_flops_per_sample = model->train_flops_per_sample();
    model->train(true);
    std::unique_ptr<Trainer> trainer = model->make_trainer(TrainOptions{});
    auto step = [&] {
      const Batch batch = source.next();
      return trainer->step(batch.input, batch.target);
    };
    const WindowPlan plan = warm_up_and_plan(step, spec.device, options, true, record);
    run_windows(step, spec.device, spec.batch, plan, true, options, hooks, record);
  } else {
    record.step_flops_per_sample = model->forward_flops_per_sample();
    model->train(false);
    c10::InferenceMode inference;
    auto step = [&] { return model->forward(source.next().input); };
    const WindowPlan plan = warm_up_and_plan(step, spec.device, options, false, record);
    run_windows(step, spec.device, spec.batch, plan, false, options, hooks, record);
    record.latency_ms = measure_latency(*model, source.next().input.slice(0, 0, 1).clone(), spec.device,
                                        options, record);
  }
  record.achieved_tflops = record.throughput->median * record.step_flops_per_sample / 1e12;
}

}  // namespace

int64_t default_batch(const std::string& model, const std::string& device) {
  if (find_model(model).task == ModelTask::kImageTranslation) return 1;
  return is_cpu(device) ? 64 : 256;
}

std::vector<CaseSpec> plan_cases(const BenchmarkOptions& options) {
  check(!options.batch || *options.batch > 0, "--batch: expected a positive batch size but got " +
                                                  std::to_string(options.batch.value_or(0)));
  check(!options.image_size || *options.image_size > 0,
        "--image-size: expected a positive size but got " + std::to_string(options.image_size.value_or(0)));
  check(options.threads >= 0, "--threads: expected a positive thread count but got " + std::to_string(options.threads));
  check(options.warmup_s >= 0, "--warmup-s: expected seconds >= 0 but got " + format_number(options.warmup_s));
  check(options.min_time_s > 0, "--min-time-s: expected seconds > 0 but got " + format_number(options.min_time_s));
  check(options.repeats > 0, "--repeats: expected a positive count but got " + std::to_string(options.repeats));
  check(options.max_case_s > 0, "--max-case-s: expected seconds > 0 but got " + format_number(options.max_case_s));
  check(options.precision == "fp32",
        "--precision: '" + options.precision + "' is not supported yet by this build; valid: fp32");
  for (const auto& mode : options.modes) {
    check(mode == "train" || mode == "infer", "--mode: unknown mode '" + mode + "'; valid modes: train, infer");
  }
  check(!options.modes.empty(), "--mode: expected at least one of train, infer");

  std::vector<std::string> models = options.models;
  if (models.empty()) {
    for (const auto& entry : model_table()) models.push_back(entry.name);
  }
  for (const auto& name : models) find_model(name);  // throws for unknown names
  const std::vector<std::string> devices = resolve_devices(options.devices);

  std::vector<CaseSpec> cases;
  for (const auto& model : models) {
    const ModelEntry& entry = find_model(model);
    for (const auto& device : devices) {
      for (const auto& mode : options.modes) {
        CaseSpec spec;
        spec.model = model;
        spec.device = device;
        spec.mode = mode;
        spec.batch = options.batch.value_or(default_batch(model, device));
        spec.image_size = entry.default_config.image_size;
        if (options.image_size) {
          spec.image_size = *options.image_size;
        } else if (entry.task == ModelTask::kImageTranslation && is_cpu(device)) {
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
  return cases;
}

CaseRecord run_case(const CaseSpec& spec, const BenchmarkOptions& options, const CaseHooks& hooks) {
  CaseRecord record;
  record.model = spec.model;
  record.device = spec.device;
  record.mode = spec.mode;
  record.batch = spec.batch;
  record.precision = options.precision;
  record.threads = torch::get_num_threads();
  record.notes = spec.notes;
  for (const auto& d : available_devices()) {
    if (d.id == spec.device) record.device_name = d.name;
  }
  try {
    if (hooks.before_case) hooks.before_case(spec);
    reset_cuda_peak(spec.device);
    run_case_body(spec, options, hooks, record);
    read_cuda_peak(spec.device, record);
  } catch (const Interrupted&) {
    record.status = "interrupted";
    record.error = "interrupted by the user before the case finished";
    record.throughput.reset();
  } catch (const c10::Error& e) {
    record.status = "failed";
    record.error = short_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    record.status = "failed";
    record.error = short_error(e.what());
  }
  if (record.status != "ok") {
    record.throughput.reset();
    record.latency_ms.reset();
    record.achieved_tflops.reset();
    reset_cuda_peak(spec.device);  // release what the failed case held
  }
  return record;
}

int64_t configure_threads(int64_t threads) {
  const int64_t count = threads > 0 ? threads : static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(static_cast<int>(count));
  return count;
}

RunRecord begin_run(const BenchmarkOptions& options, const std::vector<std::string>& command_line) {
  RunRecord run;
  run.system = read_host_info();
  fill_torch_info(run.system);
  run.run_id = make_run_id(run.system.hostname);
  run.started_at = utc_now_iso8601();
  run.status = "running";
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
