#include "runner/session.h"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "analysis/batch_sweep.h"
#include "analysis/catalog.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/system_info.h"
#include "core/units.h"
#include "meters/machine_load.h"
#include "meters/memory.h"
#include "meters/meter_set.h"
#include "meters/meter_windows.h"
#include "results/run_sink.h"
#include "results/store.h"
#include "runner/command_case.h"
#include "runner/communicator.h"
#include "runner/devices.h"
#include "runner/interrupt.h"

namespace effbench {
namespace {

// The one window every case is metered in: the timed windows of a
// throughput case, the whole training of a training case.
const char* const kCaseWindow = "case";

MeterOptions meter_options(const SessionSettings& settings, const RunRecord& run,
                           const std::vector<CaseSpec>& cases) {
  std::vector<Device> devices;
  for (const auto& spec : cases) devices.push_back(spec.device);
  if (settings.command) devices = resolve_devices({});  // every device present
  MeterOptions options = meter_options_for(devices, run.system);
  options.cpu_tdp_w = settings.cpu_tdp_w;
  return options;
}

// The part of a window's measurement that belongs to the case (Note [Which
// readings belong to a case] in results/record.h): its readings, its power
// timelines (a cpu case leaves the GPUs' out) and the GPU memory in use.
void add_to_record(WindowMeasurement measurement, CaseRecord& record) {
  for (auto& reading : measurement.readings) {
    if (reading_belongs_to_case(reading, record.device)) record.energy.push_back(std::move(reading));
  }
  for (auto& timeline : measurement.timelines) {
    if (!record.device.is_cpu() || timeline.device.rfind("cuda", 0) != 0) {
      record.power_timeline.push_back(std::move(timeline));
    }
  }
  record.memory.device_used_bytes = measurement.device_used_bytes;
}

// A command case keeps every meter's readings and timelines: effbench cannot
// tell which devices the command used.
void add_all_to_record(WindowMeasurement measurement, CaseRecord& record) {
  for (auto& reading : measurement.readings) record.energy.push_back(std::move(reading));
  for (auto& timeline : measurement.timelines) record.power_timeline.push_back(std::move(timeline));
  record.memory.device_used_bytes = measurement.device_used_bytes;
}

// The shared-GPU and throttling warnings of every GPU a command case's
// readings name (a command case's device is the cpu).
std::vector<std::string> command_gpu_warnings(const CaseRecord& record) {
  std::vector<std::string> warnings;
  std::vector<std::string> devices;
  for (const auto& r : record.energy) {
    if (r.scope == "gpu-board" && std::find(devices.begin(), devices.end(), r.device) == devices.end())
      devices.push_back(r.device);
  }
  for (const auto& device : devices) {
    CaseRecord on_gpu = record;
    on_gpu.device = Device::parse(device, "energy.device");
    for (auto& warning : gpu_state_warnings(on_gpu)) warnings.push_back(std::move(warning));
  }
  return warnings;
}

// Model-FLOPs utilisation of a finished case: achieved TFLOP/s over the
// device's dense peak at the case's precision (given, else the hardware
// catalog's; absent when neither knows it, e.g. for CPUs).
void fill_mfu(const std::optional<double>& given_peak_tflops, CaseRecord& record) {
  if (!record.achieved_tflops) return;
  const std::optional<double> peak =
      given_peak_tflops ? given_peak_tflops : peak_tflops(record.device_name, to_string(record.precision));
  if (peak && *peak > 0) record.mfu = *record.achieved_tflops / *peak;
}

constexpr int64_t kMostThreadsPerCore = 16;

// Note [Busy machine] in meters/machine_load.h: what else used the machine
// during the case, recorded, and a warning when it was too much.
void judge_machine_load(const LoadSnapshot& before, int64_t cores_given, CaseRecord& record) {
  const auto load = machine_load_between(before, take_load_snapshot(), cores_given,
                                         static_cast<double>(sysconf(_SC_CLK_TCK)));
  if (!load) return;
  record.machine_load = load;
  if (load->busy) record.warnings.push_back(busy_machine_warning(*load));
}

void check_settings(const SessionSettings& settings) {
  EFFBENCH_CHECK(settings.budget_s > 0 && settings.budget_s <= kLongestSettingS,
                 "--budget-s: expected seconds in (0, ", format_number(kLongestSettingS), "] but got ",
                 format_number(settings.budget_s));
  check(!settings.cpu_tdp_w || *settings.cpu_tdp_w > 0,
        "--cpu-tdp: expected watts > 0 but got " + format_number(settings.cpu_tdp_w.value_or(0)));
  EFFBENCH_CHECK(!settings.idle_s || (*settings.idle_s > 0 && *settings.idle_s <= kLongestSettingS),
                 "--idle-s: expected seconds in (0, ", format_number(kLongestSettingS), "] but got ",
                 format_number(settings.idle_s.value_or(0)));
  check(!settings.peak_tflops || *settings.peak_tflops > 0,
        "--peak-tflops: expected TFLOP/s > 0 but got " + format_number(settings.peak_tflops.value_or(0)));
  // More threads than this is a typo: each would get a sliver of a core.
  const int64_t most_threads =
      kMostThreadsPerCore * std::max<int64_t>(1, std::thread::hardware_concurrency());
  EFFBENCH_CHECK(!settings.threads || (*settings.threads > 0 && *settings.threads <= most_threads),
                 "--threads: expected a thread count in [1, ", most_threads, "] (", kMostThreadsPerCore,
                 " per logical core) but got ", settings.threads.value_or(0));
}

class Session {
 public:
  Session(const SessionSettings& settings, RunObserver& observer)
      : settings_(settings), observer_(observer) {}
  int run();

 private:
  bool speaks() const { return !job_ || job_->rank == 0; }  // rank 0 speaks and writes for the job
  void prepare();
  std::vector<CaseSpec> plan_training_cases() const;
  CaseRecord run_one(const CaseSpec& spec, size_t index, size_t total, bool& rank_fault);
  CaseRecord run_throughput_case(const CaseSpec& spec, size_t index, size_t total);
  CaseRecord run_data_parallel_case(const CaseSpec& spec, bool& rank_fault);
  CaseRecord run_training_case(const CaseSpec& spec, bool& rank_fault);
  CaseRecord run_command_case(const CaseSpec& spec);
  std::optional<std::string> sweep_stopped_before(const CaseSpec& spec) const;
  void close_case_window(CaseRecord& record, int64_t samples_processed);
  std::vector<EnergyReading> combined(std::vector<EnergyReading> readings);
  int finish_run(bool rank_fault);

  const SessionSettings& settings_;
  RunObserver& observer_;
  int64_t cores_given_ = 1;  // the CPU threads every case runs on
  BenchmarkOptions bench_;
  std::optional<AccuracyOptions> training_;
  std::optional<DistributedEnv> job_;
  std::shared_ptr<Communicator> communicator_;
  SessionPlan plan_;
  RunRecord run_;
  std::unique_ptr<RunSink> sink_;
  std::unique_ptr<MeterSet> meters_;
  std::unique_ptr<MeterWindows> windows_;
  Stopwatch run_clock_;
};

// Settings are checked, the rank placed and the cases planned before
// anything is measured or written.
void Session::prepare() {
  check_settings(settings_);
  bench_ = settings_.bench;
  if (settings_.data_parallel) {
    job_ = read_distributed_env();
    prepare_rank(*job_, *settings_.data_parallel, bench_, settings_.threads);
  } else {
    bench_.threads = settings_.threads.value_or(0);
  }
  cores_given_ = configure_threads(bench_.threads);
  if (settings_.command) {
    check_program_exists(settings_.command->empty() ? "" : settings_.command->front());
    // The command may use every core and every GPU: all are metered.
    cores_given_ = std::max<int64_t>(1, std::thread::hardware_concurrency());
    plan_.kind = CaseKind::kCommand;
    CaseSpec spec;
    spec.model = "command";
    spec.device = Device();
    plan_.cases = {spec};
    return;
  }
  plan_.cases = plan_cases(bench_);  // validates the throughput settings for every kind
  plan_.job = job_;
  if (settings_.training) {
    training_ = *settings_.training;
    training_->seed = bench_.seed;
    check(bench_.batches.size() <= 1 && !bench_.batch_auto,
          "--batch: training to a result takes one batch size, not a sweep");
    if (!bench_.batches.empty()) training_->batch = bench_.batches.front();
    training_->image_size = bench_.image_size;
    if (settings_.data_parallel) training_->bucket_cap_mb = settings_.data_parallel->bucket_cap_mb;
    if (!speaks()) training_->epoch_log_path.clear();  // rank 0 writes the job's log
    validate(*training_);
    plan_.kind = CaseKind::kTrainingToResult;
    plan_.cases = plan_training_cases();
    plan_.training = training_;
  } else if (settings_.data_parallel) {
    check_distributed_cases(plan_.cases, *settings_.data_parallel);
  }
}

std::vector<CaseSpec> Session::plan_training_cases() const {
  std::vector<std::string> models = bench_.models;
  if (models.empty()) models = trainable_models();
  for (const auto& model : models) default_recipe(model);  // throws for a model without a recipe
  std::vector<CaseSpec> cases;
  for (const auto& model : models) {
    for (const auto& device : resolve_devices(bench_.devices)) {
      TrainingRecipe recipe = default_recipe(model);
      recipe.batch = training_->batch.value_or(recipe.batch);
      recipe.epochs = training_->epochs.value_or(recipe.epochs);
      CaseSpec spec;
      spec.model = model;
      spec.device = device;
      spec.mode = Mode::kTrain;
      spec.batch = recipe.batch;
      spec.recipe = recipe.describe();
      cases.push_back(spec);
    }
  }
  return cases;
}

// Note [Batch sweep] in analysis/batch_sweep.h: the cases of the sweep run
// so far decide whether this one runs.
std::optional<std::string> Session::sweep_stopped_before(const CaseSpec& spec) const {
  if (!spec.batch_sweep) return std::nullopt;
  const CaseRecord next = begin_case_record(spec);
  std::vector<CaseRecord> earlier;
  for (const auto& c : run_.cases) {
    if (same_sweep(c, next) && c.batch < spec.batch) earlier.push_back(c);
  }
  return sweep_stop_reason(earlier, spec.batch, memory_available_bytes());
}

int Session::run() {
  prepare();
  run_ = begin_run(bench_, settings_.command_line);
  if (training_) run_.settings.data = training_->dataset;
  // Only rank 0 writes the run (JSON, other documents, database); a bad --db fails here, before anything
  // is measured.
  sink_ = std::make_unique<RunSink>(speaks() ? settings_.json_path : "", speaks() ? settings_.db_path : "",
                                    speaks() ? settings_.documents : std::vector<RunDocument>{});
  meters_ = std::make_unique<MeterSet>(settings_.meters
                                           ? MeterSet::create(meter_options(settings_, run_, plan_.cases))
                                           : MeterSet(std::vector<std::unique_ptr<Meter>>{}));
  windows_ = std::make_unique<MeterWindows>(*meters_);
  plan_.meters = meters_->status();
  if (speaks()) observer_.run_begun(run_, plan_);
  if (settings_.idle_s) {
    if (speaks()) observer_.idle_measurement(*settings_.idle_s, false);
    meters_->measure_idle(*settings_.idle_s);
    if (speaks()) observer_.idle_measurement(*settings_.idle_s, true);
  }
  // Data-parallel ranks cannot stop together at one step (each would see
  // Ctrl-C at its own step, and a lone rank would leave the others waiting in
  // a collective): Ctrl-C ends every rank at once; rank 0 has saved the cases
  // finished so far.
  if (!job_) install_interrupt_handler();
  sink_->save(run_);
  if (const auto error = sink_->document_error()) throw Error(*error);  // nothing measured yet: stop at once
  if (job_) communicator_ = join_job(*job_, plan_.cases.front().device, *settings_.data_parallel);

  bool rank_fault = false;
  const size_t total = plan_.cases.size();
  run_clock_.restart();  // the budget is for the cases
  for (size_t i = 0; i < total && !rank_fault && !interrupt_requested(); ++i) {
    const CaseSpec& spec = plan_.cases[i];
    if (const auto reason = sweep_stopped_before(spec)) {
      if (speaks()) observer_.case_skipped(i, total, spec, *reason);
      continue;
    }
    if (speaks()) observer_.case_begun(i, total, spec);
    reset_peak_rss();
    const LoadSnapshot load_before = take_load_snapshot();
    CaseRecord record;
    try {
      record = run_one(spec, i, total, rank_fault);
    } catch (const Error&) {
      // Data that cannot be loaded fails every case alike: the run ends, and
      // what was measured stays saved.
      run_.finished_at = utc_now_iso8601();
      run_.status = RunStatus::kIncomplete;
      sink_->save(run_);
      throw;
    }
    if (!record.command) record.memory.peak_rss_bytes = read_peak_rss_bytes();
    if (!job_) judge_machine_load(load_before, cores_given_, record);
    for (auto& warning : record.command ? command_gpu_warnings(record) : gpu_state_warnings(record))
      record.warnings.push_back(std::move(warning));
    fill_mfu(settings_.peak_tflops, record);
    if (speaks()) observer_.case_done(i, total, record);
    if (speaks()) run_.cases.push_back(std::move(record));
    sink_->save(run_);
  }
  return finish_run(rank_fault);
}

// The case's window closes right after its device was synchronised; a
// data-parallel case's readings are combined over the ranks (every rank
// closes its window at the same point).
void Session::close_case_window(CaseRecord& record, int64_t samples_processed) {
  add_to_record(windows_->end_window(kCaseWindow, samples_processed), record);
  record.energy = combined(std::move(record.energy));
}

CaseRecord Session::run_one(const CaseSpec& spec, size_t index, size_t total, bool& rank_fault) {
  if (settings_.command) return run_command_case(spec);
  if (training_) return run_training_case(spec, rank_fault);
  if (job_) return run_data_parallel_case(spec, rank_fault);
  return run_throughput_case(spec, index, total);
}

// Each throughput case gets at most its share of what is left of the budget.
CaseRecord Session::run_throughput_case(const CaseSpec& spec, size_t index, size_t total) {
  BenchmarkOptions options = bench_;
  const double left_s = settings_.budget_s - run_clock_.elapsed_s();
  options.max_case_s =
      std::min(bench_.max_case_s, std::max(1.0, left_s / static_cast<double>(total - index)));
  CaseHooks hooks;
  hooks.before_timed = [this] { windows_->begin_window(kCaseWindow); };
  hooks.after_timed = [this](CaseRecord& record, int64_t samples_processed) {
    close_case_window(record, samples_processed);
  };
  hooks.progress = [this](double done_fraction) { observer_.case_progress(done_fraction); };
  return run_case(spec, options, hooks);
}

CaseRecord Session::run_data_parallel_case(const CaseSpec& spec, bool& rank_fault) {
  CaseHooks hooks;
  hooks.before_timed = [this] { windows_->begin_window(kCaseWindow); };
  hooks.after_timed = [this](CaseRecord& record, int64_t samples_processed) {
    close_case_window(record, samples_processed);
  };
  return effbench::run_data_parallel_case(spec, bench_, *communicator_, *job_, *settings_.data_parallel,
                                          hooks, rank_fault);
}

// A data-parallel case's readings are combined over the ranks (every rank
// calls this at the same points); one process's are its own.
std::vector<EnergyReading> Session::combined(std::vector<EnergyReading> readings) {
  if (!job_) return readings;
  return gather_energy(*communicator_, *job_, run_.system.hostname, std::move(readings));
}

CaseRecord Session::run_training_case(const CaseSpec& spec, bool& rank_fault) {
  AccuracyOptions options = *training_;
  options.communicator = communicator_.get();
  AccuracyHooks hooks;
  hooks.start = [this] { windows_->begin_window(kCaseWindow); };
  hooks.energy_so_far = [this, &spec] {
    CaseRecord so_far;
    so_far.device = spec.device;
    add_to_record(windows_->read_window(kCaseWindow), so_far);
    return counted_energy(combined(std::move(so_far.energy)));
  };
  hooks.finish = [this](CaseRecord& record, int64_t samples_processed) {
    close_case_window(record, samples_processed);
  };
  if (speaks()) {
    hooks.on_message = [this](const std::string& line) { observer_.case_message(line); };
    hooks.on_epoch = [this](const EpochEvent& event) { observer_.epoch_done(event); };
    hooks.progress = [this](double done_fraction) { observer_.case_progress(done_fraction); };
  }
  CaseRecord record = run_accuracy_case(spec.model, spec.device, options, hooks);
  // A failed data-parallel case may have left the process group broken (a
  // rank gone): every rank stops here rather than wait out a timeout per
  // later case.
  rank_fault = job_ && record.status == CaseStatus::kFailed;
  return record;
}

// The command runs in the case window; each phase in a window of its own,
// from its line to the next phase or the exit (Note [Phase lines]).
CaseRecord Session::run_command_case(const CaseSpec& spec) {
  CaseRecord record;
  record.model = spec.model;
  record.device = spec.device;
  record.device_name = run_.system.cpu_model;
  record.batch = 0;  // a command has no batch
  record.threads = cores_given_;
  CommandResult command;
  command.argv = *settings_.command;
  std::optional<CommandPhase> open_phase;
  const auto end_phase = [&](double t_s) {
    if (!open_phase) return;
    open_phase->duration_s = std::max(0.0, t_s - open_phase->start_s);
    CaseRecord phase_record;
    add_all_to_record(windows_->end_window("phase:" + open_phase->name), phase_record);
    open_phase->energy = std::move(phase_record.energy);
    command.phases.push_back(std::move(*open_phase));
    open_phase.reset();
  };
  CommandHooks hooks;
  hooks.started = [this] { windows_->begin_window(kCaseWindow); };
  bool phases_capped = false;
  hooks.phase = [&](const std::string& name, double t_s) {
    if (command.phases.size() + 1 >= kMostPhases) {  // Note [Phase lines]: phases are coarse
      if (!phases_capped) {
        record.warnings.push_back("more than " + std::to_string(kMostPhases) +
                                  " phases: later phase lines were ignored (a phase per step costs a meter "
                                  "restart each; mark phases of seconds or more)");
        if (speaks()) observer_.case_message("warning: " + record.warnings.back());
      }
      phases_capped = true;
      return;
    }
    end_phase(t_s);
    windows_->begin_window("phase:" + name);
    open_phase = CommandPhase{name, t_s, 0, {}};
    if (speaks()) observer_.case_message("phase " + name + " at " + format_number(t_s) + " s");
  };
  hooks.exited = [&](double wall_s) {
    end_phase(wall_s);
    add_all_to_record(windows_->end_window(kCaseWindow), record);
  };
  hooks.on_message = [this](const std::string& line) {
    if (speaks()) observer_.case_message(line);
  };
  const CommandOutcome outcome = run_command(command.argv, hooks);
  command.exit_status = outcome.exit_status;
  if (outcome.signal) command.signal = *outcome.signal;
  command.wall_s = outcome.wall_s;
  command.cpu_user_s = outcome.cpu_user_s;
  command.cpu_system_s = outcome.cpu_system_s;
  command.rss_samples = outcome.rss_samples;
  record.timed_s = outcome.wall_s;
  record.memory.peak_rss_bytes = outcome.peak_rss_bytes;
  for (const auto& warning : outcome.warnings) record.warnings.push_back(warning);
  claim_command_gpu_processes(outcome.tree_pids, record.energy, command.gpu_processes);
  for (auto& phase : command.phases) {
    std::vector<GpuProcess> ignored;
    claim_command_gpu_processes(outcome.tree_pids, phase.energy, ignored);
  }
  if (outcome.exit_status != 0) {
    record.status = outcome.interrupted ? CaseStatus::kInterrupted : CaseStatus::kFailed;
    record.error = outcome.signal ? "the command was ended by signal " + std::to_string(*outcome.signal)
                                  : "the command exited with status " + std::to_string(outcome.exit_status);
  }
  record.command = std::move(command);
  return record;
}

int Session::finish_run(bool rank_fault) {
  disarm_interrupt_grace();  // the steps have returned (Note [Interrupt grace])
  run_.finished_at = utc_now_iso8601();
  run_.status = interrupt_requested() ? RunStatus::kInterrupted
                : rank_fault          ? RunStatus::kIncomplete
                                      : RunStatus::kComplete;
  sink_->save(run_);
  if (speaks()) observer_.run_done(run_, plan_);
  if (const auto error = sink_->document_error()) {  // Note [Outputs apart]
    throw Error(*error + (sink_->db_path().empty()
                              ? std::string("")
                              : "; every case is saved in " + sink_->db_path() +
                                    " (effbench results export " + run_.run_id + " --json -o FILE)"));
  }
  if (plan_.kind == CaseKind::kCommand) {  // the command's exit status passes through
    if (!run_.cases.empty() && run_.cases.front().command)
      return static_cast<int>(run_.cases.front().command->exit_status);
    return static_cast<int>(ExitCode::kInterrupted);  // interrupted before it started
  }
  bool failed = rank_fault;
  for (const auto& c : run_.cases) failed = failed || c.status == CaseStatus::kFailed;
  if (interrupt_requested()) return static_cast<int>(ExitCode::kInterrupted);
  return failed ? static_cast<int>(ExitCode::kCasesFailed) : 0;
}

}  // namespace

int run_session(const SessionSettings& settings, RunObserver& observer) {
  Session session(settings, observer);
  return session.run();
}

}  // namespace effbench
