#pragma once
// The result schema: one run of effbench = a RunRecord with its CaseRecords.
// Plain data, no torch. JSON (results/json.h) and the console table
// (report/console.h) are both driven by case_fields() in results/fields.h, so
// the formats cannot drift apart.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/system_info.h"
#include "core/uncertain.h"
#include "core/vocabulary.h"

namespace effbench {

/// Bumped whenever a field changes meaning or is removed (additions are fine).
inline constexpr int kSchemaVersion = 1;

/// Summary of repeated window measurements (one value per timed window).
struct ThroughputSummary {
  std::string unit = "samples/s";
  double median = 0;
  double iqr = 0;
  double min = 0;
  double max = 0;
  double cv = 0;
  std::vector<double> window_samples_per_s;  // one per timed window (JSON key "samples")
};

/// Batch-1 inference latency percentiles over individual calls.
struct LatencyMs {
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  int64_t count = 0;  // calls timed
};

/// A process other than effbench that NVML lists on a GPU.
struct GpuProcess {
  int64_t pid = 0;                           // as the driver sees it (Note [Others on a GPU])
  std::optional<int64_t> used_memory_bytes;  // absent when the driver does not say
  std::string kind;                          // "compute" | "graphics"
};

/// A GPU's state read through NVML at the start or end of a metered window.
/// Each value is absent when the driver does not report it.
struct DeviceState {
  std::optional<int64_t> memory_used_bytes;
  std::optional<double> temperature_c;
  std::optional<double> sm_clock_mhz;
  std::optional<double> power_limit_w;                     // enforced limit
  std::optional<uint64_t> throttle_reasons;                // NVML bitmask (0 = not throttled)
  std::vector<std::string> throttle_reason_names;          // decoded bits, e.g. "sw_power_cap"
  std::optional<std::vector<GpuProcess>> other_processes;  // absent: NVML cannot list them
};

/// One energy figure from one source over one case's measured windows.
/// Estimates (measured == false) are never added to measured totals.
struct EnergyReading {
  EnergySource source = EnergySource::kEstimate;
  std::string scope;   // gpu-board | cpu-package | dram | psys | ...
  std::string device;  // "cuda:0", "package-0", ...
  bool measured = false;
  bool available = false;
  std::string unavailable_reason;  // set when !available
  bool below_resolution = false;   // window shorter than the sensor's update period
  double joules = 0;
  double avg_power_w = 0;
  double duration_s = 0;
  double joules_per_sample = 0;
  int64_t sensor_reads = 0;  // sensor samples taken (JSON key "samples")
  double period_s = 0;       // sampling period
  std::string formula;       // how an estimate was computed (optional)
  std::vector<std::string> warnings;
  // Added with the meters (issue 4):
  EnergyBasis basis = EnergyBasis::kGross;  // net: idle power x duration subtracted
  std::optional<double> idle_power_w;       // the baseline subtracted when basis == "net" (optional)
  bool cross_check = false;  // repeats another reading of the same device (e.g. NVML power integral
                             // beside the counter): shown, never added to totals
  std::string device_uuid;   // GPU UUID (optional)
  std::optional<DeviceState> state_start;  // NVML device state at window start (optional)
  std::optional<DeviceState> state_end;    // NVML device state at window end (optional)
  // Added with data-parallel energy (issue 9): who read it, in a data-parallel case.
  std::optional<int64_t> rank;  // the rank whose meters read it (optional)
  std::string host;             // that rank's host name (optional)
  // Added with energy intervals (issue 15), Note [Energy uncertainty] in meters/energy_uncertainty.h:
  std::optional<double> uncertainty_j;                // half-width of joules' interval (absent in older runs)
  std::map<std::string, double> uncertainty_terms_j;  // each term's half-width, J, by term name
  std::optional<double> idle_power_uncertainty_w;     // half-width of idle_power_w (net readings, optional)
};

struct PowerPoint {
  double t_s = 0;  // seconds since the case's first window began
  double watts = 0;
};

/// Power over time from one sampling source (bounded size, decimated).
struct PowerTimeline {
  std::string source;
  std::string device;
  std::vector<PowerPoint> points;
};

/// Peak memory of a case; absent values were not available on that device.
struct MemoryUsage {
  std::optional<int64_t> peak_rss_bytes;
  std::optional<int64_t> cuda_peak_allocated_bytes;
  std::optional<int64_t> cuda_peak_reserved_bytes;
  std::optional<int64_t> device_used_bytes;  // NVML, whole device
};

/// What else used the machine during a case (Note [Busy machine] in
/// meters/machine_load.h). Cores are averages over the case's wall time.
struct MachineLoad {
  double wall_s = 0;
  double host_busy_cores = 0;     // every process on the host (/proc/stat)
  double own_cores = 0;           // effbench's process alone
  double others_cores = 0;        // host_busy_cores - own_cores, at least 0
  double steal_cores = 0;         // time the hypervisor ran other guests instead of this one
  int64_t cores_given = 0;        // the CPU threads effbench ran the case on
  int64_t procs_running_end = 0;  // runnable threads at the end, effbench's included (/proc/stat)
  bool busy = false;              // others or steal took more than the Note's share of cores_given
  // What else changes CPU figures, cheap to read (each absent where the system does not say):
  std::optional<double> cpu_mhz_begin, cpu_mhz_end;  // mean "cpu MHz" of /proc/cpuinfo
  std::string governor;                              // cpufreq scaling governor of cpu0
  std::optional<bool> smt_active;                    // /sys/devices/system/cpu/smt/active
  int64_t affinity_cores = 0;                        // CPUs this process may run on (sched_getaffinity)
};

/// The quality a training run reached on real data.
struct AccuracyResult {
  std::string dataset;
  std::string metric;  // "test_accuracy" (fraction) | "cycle_l1" (lower is better)
  bool higher_is_better = true;
  double value = 0;
  int64_t epochs = 0;
  double train_time_s = 0;
  std::optional<double> target;  // --target-accuracy
  std::optional<bool> reached_target;
  std::optional<double> time_to_target_s;
  std::optional<double> energy_to_target_j;
  std::string epoch_log;  // path of the JSON-lines log
  int64_t eval_images =
      0;  // test images per evaluation (JSON key "eval_samples") (both domains for cycle_l1); 0: unknown
};

/// One rank's figures over the timed windows of a data-parallel case.
struct RankFigures {
  int64_t rank = 0;
  double samples_per_s = 0;  // this rank's shard of the global batch
  double compute_s = 0;      // per step: forward, backward, optimiser (step time - allreduce_s)
  double allreduce_s = 0;    // per step: flatten, all-reduce, wait, copy back
  int64_t steps = 0;         // timed steps
};

/// A data-parallel training case (`effbench run --distributed`); see
/// docs/distributed.md. Throughput figures are in samples/s of the global batch.
struct DistributedResult {
  std::string backend;  // gloo | nccl
  int64_t world_size = 1;
  int64_t per_process_batch = 0;            // CaseRecord::batch is the global batch
  double single_process_samples_per_s = 0;  // throughput_1: one process, same per-process batch
  std::string single_process_source;        // measured-by-rank-0 | given | world-size-1
  double scaling_efficiency = 0;            // throughput_N / (N x throughput_1)
  double compute_s = 0;                     // per step, mean over ranks
  double allreduce_s = 0;                   // per step, mean over ranks
  int64_t bytes_per_step = 0;               // gradient bytes each rank all-reduces per step
  int64_t buckets = 0;                      // all-reduce calls per step
  double bucket_cap_bytes = 0;
  bool overlap_with_backward = false;  // all-reduce starts after backward (see docs)
  std::vector<RankFigures> ranks;      // gathered by rank 0, one per rank
};

/// A model loaded from a file (`--model file.pt`): where it was read and
/// what was in it.
struct ModelFile {
  std::string path;    // as given on the command line
  std::string sha256;  // lower-case hex of the file's bytes
};

/// A named phase of a command case, from its "EFFBENCH_PHASE <name>" line to
/// the next one or the command's exit (Note [Phase lines] in runner/command_case.h).
struct CommandPhase {
  std::string name;
  double start_s = 0;  // since the command started
  double duration_s = 0;
  std::vector<EnergyReading> energy;  // the phase's window, every meter
};

/// A command case (`effbench monitor -- COMMAND`); see docs/monitor.md. Its
/// CaseRecord has no model, batch or throughput: model is "command", timed_s
/// the wall time, memory.peak_rss_bytes the peak of the command's process
/// tree (Note [Peak memory of a process tree] in runner/command_case.h).
/// The environment is never recorded.
struct CommandResult {
  std::vector<std::string> argv;  // the command line as given after --
  int64_t exit_status = 0;        // the exit code, or 128 + the signal; effbench exits with it
  std::optional<int64_t> signal;  // the signal that ended it (optional)
  double wall_s = 0;
  double cpu_user_s = 0;    // user time of the process tree (wait4: the command and what it waited for)
  double cpu_system_s = 0;  // system time of the process tree
  int64_t rss_samples = 0;  // samples of the tree's resident memory
  std::vector<CommandPhase> phases;
  std::vector<GpuProcess> gpu_processes;  // the tree's processes that NVML listed on a GPU
};

struct CaseRecord {
  std::string model;
  std::optional<ModelFile> model_file;  // TorchScript models only (optional)
  Device device;                        // the cpu or a CUDA device
  std::string device_name;              // CPU model or GPU name
  Mode mode = Mode::kTrain;
  int64_t batch = 0;
  Precision precision = Precision::kFp32;
  Exec exec = Exec::kEager;
  std::vector<int64_t> input_shape;  // per sample: C, H, W for images
  int64_t params = 0;
  double flops_per_sample = 0;       // forward FLOPs per sample
  double step_flops_per_sample = 0;  // FLOPs per sample of the timed step (train ~ 3x forward)
  int64_t threads = 0;               // CPU threads used

  std::optional<ThroughputSummary> throughput;
  std::optional<LatencyMs> latency_ms;  // inference only
  std::optional<double> achieved_tflops;
  std::optional<double> mfu;  // achieved / peak, when the peak is known

  int64_t warmup_iterations = 0;
  int64_t timed_iterations = 0;
  double timed_s = 0;

  std::vector<EnergyReading> energy;
  std::vector<PowerTimeline> power_timeline;
  MemoryUsage memory;
  std::optional<MachineLoad> machine_load;  // absent for data-parallel cases (other ranks share the host)
  std::optional<AccuracyResult> accuracy;

  std::vector<std::string> notes;     // what was reduced or changed, shown on screen
  std::vector<std::string> warnings;  // e.g. CV > 10%
  CaseStatus status = CaseStatus::kOk;
  std::string error;
  std::optional<DistributedResult> distributed;  // data-parallel runs only (optional)
  std::optional<CommandResult> command;          // set: a command case, `effbench monitor` (optional)
};

/// Settings a run was made with (all that is needed to repeat it).
struct RunSettings {
  double warmup_s = 0;
  int64_t warmup_iterations = 0;
  double min_time_s = 0;
  int64_t min_iterations = 0;
  int64_t repeats = 0;
  int64_t threads = 0;
  int64_t seed = 0;
  std::string data = "synthetic";
  std::vector<std::string> command_line;
};

struct RunRecord {
  int schema_version = kSchemaVersion;
  std::string run_id;       // unique: host-time-random
  std::string started_at;   // ISO-8601 UTC
  std::string finished_at;  // empty while running
  RunStatus status = RunStatus::kRunning;
  SystemInfo system;
  RunSettings settings;
  std::vector<CaseRecord> cases;
};

// Note [Which energy counts]
// One rule, here and nowhere else (the console, the HTML report, the
// efficiency figures and bench/effbench_results.py all use it):
//   - a reading is added to a total when it is available, gross, not below
//     the sensor's resolution, not a cross-check (a repeat of another reading
//     of the same device), and, for a measurement, not psys (which contains
//     the package and dram zones already): reading_counts();
//   - a case's energy is its measured total when that is above zero, else
//     its estimated total when that is above zero, else unavailable; an
//     estimate is never added to a measurement: counted_energy().

/// Whether `reading` is added to its case's measured or estimated total
/// (Note [Which energy counts]).
bool reading_counts(const EnergyReading& reading);

/// Sum of the measured readings that count (Note [Which energy counts]).
double measured_total_joules(const std::vector<EnergyReading>& readings);

/// Sum of the estimates that count; never mixed into the measured total.
double estimated_total_joules(const std::vector<EnergyReading>& readings);

/// A case's energy as every figure uses it (Note [Which energy counts]).
struct CountedEnergy {
  bool available = false;  // false: no reading counts, energy_j is 0
  bool measured = false;   // true: the measured total; false: the estimated total
  double energy_j = 0;
  std::optional<double> uncertainty_j;  // the counted readings' half-widths in quadrature; absent when
                                        // one of them has none (runs stored before intervals existed)
  /// energy_j ± uncertainty_j (half-width 0 when unknown).
  Uncertain interval() const { return {energy_j, uncertainty_j.value_or(0)}; }
};

/// The measured total when above zero, else the estimated total when above
/// zero, else unavailable (Note [Which energy counts]).
CountedEnergy counted_energy(const std::vector<EnergyReading>& readings);

/// Energy per sample of a case's timed windows, with its interval.
struct EnergyPerSample {
  bool measured = false;  // false: from the estimate
  Uncertain joules_per_sample;
};

/// The counted energy over timed_iterations x batch samples; the half-width
/// adds the run-to-run term of the throughput windows (Note [Energy
/// uncertainty]). nullopt without counted energy or samples.
std::optional<EnergyPerSample> energy_per_sample(const CaseRecord& c);

// Note [Which readings belong to a case]
// A cpu case keeps the host's readings (RAPL package/dram, or the estimate):
// an idle GPU in the same box is not part of what the CPU spent. A GPU case
// keeps its own GPU's board energy and the host CPU's, since the host drives
// the GPU and a user pays for both.
bool reading_belongs_to_case(const EnergyReading& reading, const Device& case_device);

/// One rank's readings over a data-parallel case's timed span.
struct RankReadings {
  int64_t rank = 0;
  std::string host;
  std::vector<EnergyReading> readings;
};

// Note [Energy of a data-parallel case]
// Every rank meters its own timed windows; rank 0 gathers the readings and
// keeps them all, each labelled with its rank and host. A sensor can be seen
// by several ranks: the host-wide ones (RAPL package and dram, the CPU
// estimate, which uses whole-system utilisation) by every rank on that host,
// and one GPU by every rank that drives it. Such a sensor counts once: the
// lowest rank's reading is added to the totals, the others are marked
// cross_check (shown, never added) with a warning naming the rank they
// repeat. A sensor is identified by host, source, scope, device, GPU UUID and
// basis. The ranks run in lockstep, so their windows cover the same span
// within the skew of one step.
std::vector<EnergyReading> combine_rank_readings(const std::vector<RankReadings>& ranks);

/// A fresh run id: "<yyyymmddThhmmss>-<host>-<6 hex>".
std::string make_run_id(const std::string& hostname);

/// CPU seconds of a command's process tree: user + system.
double command_cpu_s(const CommandResult& command);

/// A command case's mean power, watts: its counted energy over its wall
/// time (Note [Which energy counts]); nullopt without either. `measured`
/// says whether the energy was measured or estimated.
struct MeanPower {
  double watts = 0;
  bool measured = false;
};
std::optional<MeanPower> command_mean_power(const CaseRecord& c);

}  // namespace effbench
