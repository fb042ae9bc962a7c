#include "runner/data_parallel_case.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include <thread>
#include "core/clock.h"
#include "core/error.h"
#include "core/stats.h"
#include "core/units.h"
#include "data/synthetic.h"
#include "models/model.h"
#include "results/json.h"
#include "runner/case_model.h"
#include "runner/case_outcome.h"
#include "runner/communicator.h"
#include "runner/devices.h"
#include "runner/interrupt.h"
#include "runner/torch_device.h"
#include "runner/window_plan.h"

namespace effbench {
namespace {

int64_t parse_env_int(const char* name, const char* value, int64_t minimum, int64_t maximum) {
  const std::string text = value;
  size_t used = 0;
  int64_t parsed = 0;
  try {
    parsed = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used == text.size() && !text.empty() && parsed >= minimum && parsed <= maximum,
        std::string(name) + ": expected an integer in " + std::to_string(minimum) + ".." +
            std::to_string(maximum) + " but got '" + text + "'");
  return parsed;
}

struct Window {
  double seconds = 0;
  double allreduce_s = 0;
  int64_t steps = 0;
};

// Note [Agreeing on the plan]
// Every rank must run the same number of steps, or the last all-reduce of
// the longer rank waits for a partner that never comes. Warm-up therefore
// runs a fixed count of steps; the ranks then agree (all-gather, maximum) on
// the seconds per step, from which all derive the same extra warm-up, steps
// per window and window count.
struct Plan {
  int64_t extra_warmup = 0;
  int64_t iterations = 1;
  int64_t repeats = 1;
};

Plan agree_on_plan(Communicator& comm, double seconds_per_step, double warmup_done_s,
                   const BenchmarkOptions& options, CaseRecord& record) {
  double agreed = 0;
  for (const auto& values : comm.all_gather({seconds_per_step})) agreed = std::max(agreed, values.at(0));
  agreed = std::max(agreed, 1e-9);
  Plan plan;
  plan.extra_warmup =
      static_cast<int64_t>(std::ceil(std::max(0.0, options.warmup_s - warmup_done_s) / agreed));
  const WindowPlan windows = plan_windows(options, agreed, record);
  plan.iterations = windows.iterations;
  plan.repeats = windows.repeats;
  return plan;
}

// Throughput of one process alone with the per-process batch, every core of
// this process's host share... see Note [Single-process baseline].
double measure_single_process(const CaseSpec& spec, const BenchmarkOptions& options, int64_t threads) {
  const int previous_threads = torch::get_num_threads();
  if (spec.device.is_cpu()) torch::set_num_threads(static_cast<int>(threads));
  const ModelConfig config = model_config(spec.model, spec.image_size);
  std::unique_ptr<Model> model = build_model(spec.model, config, spec.device, options.seed);
  const torch::Device device = torch_device(spec.device);
  model->train(true);
  std::unique_ptr<Trainer> trainer = model->make_trainer(TrainOptions{});
  SyntheticSource source(spec.batch, sample_shape(config), config.num_classes, device, options.seed);
  auto step = [&] {
    const Batch batch = source.next();
    trainer->step(batch.input, batch.target);
  };
  // Warmed up and timed by the rules of every other case (Note [Timed windows]): one window.
  auto synchronize = [&] { synchronize_device(spec.device); };
  const Stopwatch warmup_clock;
  const WarmupOutcome warmup = warm_up(
      options, step, synchronize, [&] { return warmup_clock.elapsed_s(); }, throw_if_interrupted);
  const int64_t steps = iterations_per_window(options, warmup.seconds_per_iteration);
  synchronize();
  const Stopwatch clock;
  for (int64_t i = 0; i < steps; ++i) step();
  synchronize();
  const double seconds = clock.elapsed_s();
  torch::set_num_threads(previous_threads);
  return static_cast<double>(steps * spec.batch) / seconds;
}

struct CaseState {
  std::vector<Window> windows;
  std::vector<double> global_throughputs;  // samples/s of the global batch, one per window
  AllReduceStats reducer_stats;
};

void run_case_windows(const CaseSpec& spec, const BenchmarkOptions& options, Communicator& comm,
                      const DistributedOptions& dist, const CaseHooks& hooks, CaseRecord& record,
                      CaseState& state) {
  const torch::Device device = torch_device(spec.device);
  const int64_t world = comm.world_size();
  const int64_t rank = comm.rank();
  EFFBENCH_CHECK(find_model(spec.model).task == ModelTask::kClassification,
                 "--distributed: data-parallel runs support the classifiers only, not '", spec.model, "'");
  const ModelConfig config = model_config(spec.model, spec.image_size);
  std::unique_ptr<Model> model = build_model(spec.model, config, spec.device, options.seed);
  model->train(true);  // BatchNorm statistics stay per process, as in DDP's default
  describe_model(*model, Mode::kTrain, record);
  comm.set_step(0);
  comm.broadcast_module(model->module());

  GradientAllReducer reducer(comm, static_cast<int64_t>(dist.bucket_cap_mb * 1024 * 1024));
  TrainOptions train_options;
  train_options.gradient_hook = [&reducer](std::vector<torch::Tensor>& grads) { reducer(grads); };
  std::unique_ptr<Trainer> trainer = model->make_trainer(train_options);
  // Every rank generates the same global batches and trains on its shard.
  SyntheticSource source(spec.batch * world, sample_shape(config), config.num_classes, device, options.seed);
  int64_t step_number = 0;
  torch::Tensor last_loss;
  auto step = [&] {
    const Batch batch = source.next();
    comm.set_step(++step_number);
    last_loss = trainer->step(batch.input.narrow(0, rank * spec.batch, spec.batch),
                              batch.target.narrow(0, rank * spec.batch, spec.batch));
  };

  const int64_t warmup_steps = std::max<int64_t>(2, options.warmup_iterations);
  const Stopwatch warmup_clock;
  step();  // the first step is the slowest (allocations); not used for the plan
  synchronize_device(spec.device);
  const Stopwatch steady_clock;
  for (int64_t i = 1; i < warmup_steps; ++i) step();
  synchronize_device(spec.device);
  const double seconds_per_step = steady_clock.elapsed_s() / static_cast<double>(warmup_steps - 1);
  const Plan plan = agree_on_plan(comm, seconds_per_step, warmup_clock.elapsed_s(), options, record);
  for (int64_t i = 0; i < plan.extra_warmup; ++i) step();
  record.warmup_iterations = warmup_steps + plan.extra_warmup;
  check_finite_loss(last_loss.item<double>(), "by iteration " + std::to_string(record.warmup_iterations));

  synchronize_device(spec.device);
  if (hooks.before_timed) hooks.before_timed();
  for (int64_t w = 0; w < plan.repeats; ++w) {
    reducer.reset_stats();
    const Stopwatch clock;
    for (int64_t i = 0; i < plan.iterations; ++i) step();
    synchronize_device(spec.device);
    // Every rank sees a divergence within a step of the others: the gradients are averaged.
    check_finite_loss(last_loss.item<double>(),
                      "by iteration " + std::to_string(record.warmup_iterations + (w + 1) * plan.iterations));
    Window window;
    window.seconds = clock.elapsed_s();
    window.allreduce_s = reducer.stats().seconds;
    window.steps = plan.iterations;
    state.windows.push_back(window);
    state.global_throughputs.push_back(static_cast<double>(plan.iterations * spec.batch * world) /
                                       window.seconds);
    state.reducer_stats = reducer.stats();
  }
  record.timed_iterations = plan.iterations * plan.repeats;
  for (const auto& w : state.windows) record.timed_s += w.seconds;
  // Energy per sample is per sample of the global batch (every rank's share of the joules is in the case).
  if (hooks.after_timed) hooks.after_timed(record, record.timed_iterations * spec.batch * world);
}

// Note [Single-process baseline]
// Scaling efficiency needs throughput_1: one process training the same
// per-process batch. It comes from --dist-single-samples-per-s when given (e.g.
// from a world-size-1 run on the same machine); else rank 0 measures it
// first, alone, while the other ranks wait in a barrier: a fresh model, the
// warm-up of every case, then one window of at least --min-time-s (Note
// [Timed windows]). On a cpu rank 0 uses the threads of every local rank for
// it (the whole host share), so that the baseline is one process using what
// the N processes share. A world of one is its own baseline.
double single_process_throughput(const CaseSpec& spec, const BenchmarkOptions& options, Communicator& comm,
                                 const DistributedEnv& env, const DistributedOptions& dist,
                                 std::string& source) {
  if (comm.world_size() == 1) {
    source = "world-size-1";
    return 0;
  }
  if (dist.single_process_samples_per_s) {
    source = "given";
    return *dist.single_process_samples_per_s;
  }
  if (!dist.measure_single_process) {
    source = "none";
    return 0;
  }
  source = "measured-by-rank-0";
  double value = 0;
  if (comm.rank() == 0) {
    value = measure_single_process(spec, options, torch::get_num_threads() * env.local_world_size);
  }
  comm.barrier();
  return value;
}

}  // namespace

DistributedEnv read_distributed_env(const std::function<const char*(const char*)>& lookup) {
  auto get = [&](const char* name) -> const char* {
    const char* value = lookup ? lookup(name) : std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
  };
  DistributedEnv env;
  constexpr int64_t kMaxWorld = 1 << 20;
  if (const char* v = get("WORLD_SIZE")) env.world_size = parse_env_int("WORLD_SIZE", v, 1, kMaxWorld);
  if (const char* v = get("RANK")) env.rank = parse_env_int("RANK", v, 0, kMaxWorld);
  check(env.rank < env.world_size, "RANK: expected 0..WORLD_SIZE-1 = 0.." +
                                       std::to_string(env.world_size - 1) + " but got " +
                                       std::to_string(env.rank));
  env.local_world_size = env.world_size;
  if (const char* v = get("LOCAL_WORLD_SIZE"))
    env.local_world_size = parse_env_int("LOCAL_WORLD_SIZE", v, 1, kMaxWorld);
  env.local_rank = env.rank % env.local_world_size;
  if (const char* v = get("LOCAL_RANK")) env.local_rank = parse_env_int("LOCAL_RANK", v, 0, kMaxWorld);
  check(env.local_rank < env.local_world_size,
        "LOCAL_RANK: expected 0..LOCAL_WORLD_SIZE-1 but got " + std::to_string(env.local_rank));
  if (const char* v = get("MASTER_ADDR")) env.master_addr = v;
  if (const char* v = get("MASTER_PORT"))
    env.master_port = static_cast<int>(parse_env_int("MASTER_PORT", v, 1, 65535));
  check(env.world_size == 1 || get("MASTER_PORT") != nullptr,
        "MASTER_PORT is not set but WORLD_SIZE is " + std::to_string(env.world_size) +
            ": start the ranks with `effbench launch`, torchrun, or set MASTER_ADDR and MASTER_PORT");
  return env;
}

double scaling_efficiency(double throughput_n, int64_t world_size, double throughput_1) {
  if (throughput_1 <= 0 || world_size <= 0) return 0;
  return throughput_n / (static_cast<double>(world_size) * throughput_1);
}

std::shared_ptr<Communicator> join_job(const DistributedEnv& env, const Device& device,
                                       const DistributedOptions& options) {
  if (env.world_size > 1) return Communicator::connect_tcp(env, device, options);
  // A world of one needs no master: a private FileStore, so that a plain
  // `effbench run --distributed` works without MASTER_PORT.
  char path[] = "/tmp/effbench-store-XXXXXX";
  const int fd = mkstemp(path);
  check(fd >= 0, "--distributed: cannot create a temporary file in /tmp for the store");
  close(fd);
  std::shared_ptr<Communicator> comm = Communicator::connect_file(path, 0, 1, device, options);
  std::remove(path);
  return comm;
}

std::vector<std::string> gather_text(Communicator& communicator, const std::string& text) {
  return communicator.all_gather_text(text);
}

std::vector<std::string> rank_devices(const std::vector<std::string>& requested, const DistributedEnv& env) {
  check(requested.size() <= 1,
        "--distributed: expected one --device (cpu or cuda) but got " + std::to_string(requested.size()));
  bool cuda = false;
  for (const auto& device : resolve_devices(requested)) cuda = cuda || device.is_cuda();
  // GPUs: every rank takes cuda:LOCAL_RANK, whatever cuda device was named.
  return {cuda ? "cuda:" + std::to_string(env.local_rank) : "cpu"};
}

void prepare_rank(const DistributedEnv& env, const DistributedOptions& dist, BenchmarkOptions& options,
                  std::optional<int64_t> threads) {
  check((options.precisions.empty() || options.precisions == std::vector<Precision>{Precision::kFp32}) &&
            options.batches.size() <= 1 && !options.batch_auto &&
            options.execs == std::vector<Exec>{Exec::kEager} && !options.channels_last,
        "--distributed: data-parallel runs measure fp32 eager training at one batch size only; drop "
        "--precision, --exec, --cuda-graph, --channels-last and a --batch sweep");
  options.precisions = {Precision::kFp32};
  check(!dist.single_process_samples_per_s || *dist.single_process_samples_per_s > 0,
        "--dist-single-samples-per-s: expected samples/s > 0 but got " +
            format_number(dist.single_process_samples_per_s.value_or(0)));
  check(dist.bucket_cap_mb > 0,
        "--dist-bucket-mb: expected MiB > 0 but got " + format_number(dist.bucket_cap_mb));
  // The ranks of one host share its cores (torchrun sets OMP_NUM_THREADS=1).
  const int64_t cores = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  options.threads = threads.value_or(std::max<int64_t>(1, cores / env.local_world_size));
  options.devices = rank_devices(options.devices, env);
  options.modes = {Mode::kTrain};
}

std::vector<EnergyReading> gather_energy(Communicator& comm, const DistributedEnv& env,
                                         const std::string& host, std::vector<EnergyReading> mine) {
  CaseRecord carrier;  // the readings travel as a case document (one schema)
  carrier.energy = mine;
  const nlohmann::json document = {{"rank", env.rank}, {"host", host}, {"case", case_to_json(carrier)}};
  std::vector<std::string> texts;
  try {
    texts = gather_text(comm, document.dump());
  } catch (const Error& e) {
    for (auto& r : mine) {
      r.rank = env.rank;
      r.host = host;
      r.warnings.push_back("this rank's reading only: the other ranks' could not be gathered (" +
                           std::string(e.what()) + ")");
    }
    return mine;
  }
  if (env.rank != 0) return combine_rank_readings({{env.rank, host, std::move(mine)}});
  std::vector<RankReadings> ranks;
  for (const auto& text : texts) {
    const nlohmann::json j = nlohmann::json::parse(text);
    ranks.push_back(
        {j.at("rank").get<int64_t>(), j.at("host").get<std::string>(), case_from_json(j.at("case")).energy});
  }
  return combine_rank_readings(ranks);
}

void check_distributed_cases(const std::vector<CaseSpec>& cases, const DistributedOptions& dist) {
  check(dist.bucket_cap_mb > 0,
        "--dist-bucket-mb: expected MiB > 0 but got " + format_number(dist.bucket_cap_mb));
  check(!cases.empty(), "--distributed: no train case to run (add --mode train)");
  const Device device = cases.front().device;
  for (const auto& spec : cases) {
    check(spec.mode == Mode::kTrain,
          "--distributed: only --mode train runs data-parallel, not '" + to_string(spec.mode) + "'");
    EFFBENCH_CHECK(spec.device == device, "--distributed: one device per process; got '", device.str(),
                   "' and '", spec.device.str(), "' (each rank uses cuda:LOCAL_RANK on GPUs)");
  }
}

CaseRecord run_data_parallel_case(const CaseSpec& spec, const BenchmarkOptions& options, Communicator& comm,
                                  const DistributedEnv& env, const DistributedOptions& dist,
                                  const CaseHooks& hooks, bool& fault) {
  fault = false;
  const int64_t world = comm.world_size();
  CaseRecord record = begin_case_record(spec);
  record.batch = spec.batch * world;
  record.notes.push_back("data parallel: " + std::to_string(world) + " processes x batch " +
                         std::to_string(spec.batch) + " (" + comm.backend() + ")");
  DistributedResult result;
  result.backend = comm.backend();
  result.world_size = world;
  result.per_process_batch = spec.batch;
  result.bucket_cap_bytes = dist.bucket_cap_mb * 1024 * 1024;
  CaseState state;
  run_case_guarded(record, [&] {
    try {
      result.single_process_samples_per_s =
          single_process_throughput(spec, options, comm, env, dist, result.single_process_source);
      run_case_windows(spec, options, comm, dist, hooks, record, state);
    } catch (const Error& e) {
      fault = e.code() == ExitCode::kCasesFailed;  // a rank fault: the process group is unusable
      throw;
    }
  });
  // Finished windows are kept, even when a later one failed.
  record_throughput(state.global_throughputs, options.cv_warning, record);

  double steps = 0;
  double seconds = 0;
  double allreduce_s = 0;
  for (const auto& w : state.windows) {
    steps += static_cast<double>(w.steps);
    seconds += w.seconds;
    allreduce_s += w.allreduce_s;
  }
  RankFigures mine;
  mine.rank = comm.rank();
  mine.steps = static_cast<int64_t>(steps);
  if (steps > 0) {
    mine.samples_per_s = steps * static_cast<double>(spec.batch) / seconds;
    mine.allreduce_s = allreduce_s / steps;
    mine.compute_s = (seconds - allreduce_s) / steps;
  }
  result.bytes_per_step = state.reducer_stats.bytes_per_step;
  result.buckets = state.reducer_stats.buckets;
  if (!fault) {
    // Gathered even for a failed case (one that failed on every rank alike,
    // e.g. a bad option), so that the ranks stay in step.
    try {
      const auto gathered =
          comm.all_gather({static_cast<double>(mine.rank), mine.samples_per_s, mine.compute_s,
                           mine.allreduce_s, static_cast<double>(mine.steps)});
      for (const auto& v : gathered) {
        RankFigures r;
        r.rank = static_cast<int64_t>(v.at(0));
        r.samples_per_s = v.at(1);
        r.compute_s = v.at(2);
        r.allreduce_s = v.at(3);
        r.steps = static_cast<int64_t>(v.at(4));
        result.ranks.push_back(r);
      }
    } catch (const Error& e) {
      fault = true;
      if (record.status == CaseStatus::kOk) {
        record.status = CaseStatus::kFailed;
        record.error = e.what();
      }
    }
  }
  if (result.ranks.empty()) result.ranks.push_back(mine);  // only this rank's figures are known
  for (const auto& r : result.ranks) {
    result.compute_s += r.compute_s / static_cast<double>(result.ranks.size());
    result.allreduce_s += r.allreduce_s / static_cast<double>(result.ranks.size());
  }
  if (world == 1 && record.throughput) result.single_process_samples_per_s = record.throughput->median;
  if (record.throughput) {
    result.scaling_efficiency =
        scaling_efficiency(record.throughput->median, world, result.single_process_samples_per_s);
  }
  record.distributed = result;
  return record;
}

}  // namespace effbench
