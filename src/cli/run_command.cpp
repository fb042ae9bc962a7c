// `effbench run`: benchmarks models x devices x modes and prints the results
// and speedup tables. Finished cases are written after each case, so an
// interruption or a crash loses nothing already measured.

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <streambuf>

#include "analysis/catalog.h"
#include "analysis/speedup.h"
#include "cli/accuracy_run.h"
#include "cli/command.h"
#include "cli/distributed_run.h"
#include "cli/run_sink.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "meters/memory.h"
#include "meters/meter_set.h"
#include "report/console.h"
#include "report/html.h"
#include "results/json.h"
#include "runner/benchmark.h"
#include "runner/interrupt.h"

namespace effbench {
namespace {

struct RunCommandOptions {
  BenchmarkOptions bench;
  std::optional<int64_t> threads;
  std::string json_path;
  std::string db_path;      // --db (default: ResultStore::default_path())
  bool no_save = false;     // --no-save: no database
  bool no_meters = false;   // --no-meters: no energy sensors (bench/meters_overhead.sh)
  std::string report_path;  // --report (optional)
  std::optional<double> cpu_tdp_w;
  std::optional<double> idle_s;
  double budget_s = 240;
  std::optional<double> peak_tflops;  // --peak-tflops (optional): else the hardware catalog's
  bool cuda_graph = false;            // --cuda-graph: shorthand for --exec graph
};

// Model-FLOPs utilisation of a finished case: achieved TFLOP/s over the
// device's dense peak at the case's precision (--peak-tflops, else the
// hardware catalog; absent when neither knows it, e.g. for CPUs).
void fill_mfu(const RunCommandOptions& cli, CaseRecord& record) {
  if (!record.achieved_tflops) return;
  const std::optional<double> peak =
      cli.peak_tflops ? cli.peak_tflops : peak_tflops(record.device_name, record.precision);
  if (peak && *peak > 0) record.mfu = *record.achieved_tflops / *peak;
}

MeterOptions meter_options(const RunCommandOptions& cli, const RunRecord& run,
                           const std::vector<CaseSpec>& cases) {
  MeterOptions options;
  options.cpu_tdp_w = cli.cpu_tdp_w;
  options.cpu_model = run.system.cpu_model;
  options.logical_cores = run.system.logical_cores;
  for (const auto& spec : cases) {
    if (spec.device.rfind("cuda:", 0) != 0) continue;
    const int index = std::stoi(spec.device.substr(5));
    if (std::find(options.cuda_device_indices.begin(), options.cuda_device_indices.end(), index) ==
        options.cuda_device_indices.end()) {
      options.cuda_device_indices.push_back(index);
    }
  }
  return options;
}

void print_header(const RunRecord& run, const std::vector<CaseSpec>& cases, bool training_to_result) {
  const SystemInfo& s = run.system;
  std::cout << "effbench " << s.effbench_version << " run " << run.run_id << "\n"
            << "  host:    " << s.hostname << ", " << s.cpu_model << " (" << s.logical_cores << " logical / "
            << s.physical_cores << " physical cores), " << format_bytes(static_cast<double>(s.memory_bytes))
            << "\n"
            << "  torch:   LibTorch " << s.torch_version << ", " << run.settings.threads << " CPU threads"
            << (s.torch_cuda ? ", CUDA " + s.cuda_version : ", no CUDA") << "\n";
  for (const auto& gpu : s.gpus) {
    std::cout << "  gpu:     cuda:" << gpu.index << " " << gpu.name << ", "
              << format_bytes(static_cast<double>(gpu.memory_bytes)) << "\n";
  }
  if (!s.blas.empty()) std::cout << "  blas:    " << s.blas << "\n";
  if (!s.blas_threads.empty()) std::cout << "           " << s.blas_threads << "\n";
  if (!s.allocator.empty()) std::cout << "  malloc:  " << s.allocator << "\n";
  if (s.blas.find("/blas/libblas") != std::string::npos) {
    std::cout << "  warning: LibTorch uses the reference BLAS, several times slower for linear layers; "
                 "install libopenblas0-pthread\n";
  }
  if (s.build_type != "Release") {
    std::cout << "  warning: effbench was built as '" << s.build_type
              << "', not Release: timings are pessimistic\n";
  }
  if (training_to_result) return;  // its plan line comes with the training cases
  std::cout << "  plan:    " << cases.size() << " cases, " << run.settings.repeats
            << " timed windows of >= " << format_number(run.settings.min_time_s)
            << " s each, warm-up >= " << format_number(run.settings.warmup_s) << " s\n";
}

// Where the run went: the JSON, the database and the report (written here).
// Only rank 0 of a data-parallel job writes (`rank0` false: nothing).
void print_outputs(const RunCommandOptions& cli, const RunRecord& run, const RunSink& sink,
                   bool rank0 = true) {
  if (!rank0) return;
  if (!cli.json_path.empty()) std::cout << "\nResults written to " << cli.json_path << "\n";
  if (!sink.db_path().empty()) {
    std::cout << "Run " << run.run_id << " saved in " << sink.db_path() << " (effbench results show "
              << run.run_id << ")\n";
  }
  if (!cli.report_path.empty()) {
    write_html_report({run}, cli.report_path);
    std::cout << "Report written to " << cli.report_path << "\n";
  }
}

std::string progress_result(const CaseRecord& c) {
  if (c.status != "ok") return c.status + ": " + c.error;
  std::string text =
      format_number(c.throughput->median) + " samples/s (CV " + format_number(100 * c.throughput->cv) + "%)";
  if (c.latency_ms) text += ", batch-1 p50 " + format_number(c.latency_ms->p50) + " ms";
  return text;
}

// Ranks other than 0 of a data-parallel job print nothing: rank 0 speaks for
// the job (errors still go to stderr). Restores std::cout when it ends.
class QuietRank {
 public:
  explicit QuietRank(bool quiet) : saved_(quiet ? std::cout.rdbuf(&discard_) : nullptr) {}
  ~QuietRank() {
    if (saved_) std::cout.rdbuf(saved_);
  }
  QuietRank(const QuietRank&) = delete;
  QuietRank& operator=(const QuietRank&) = delete;

 private:
  struct Discard : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
  } discard_;
  std::streambuf* saved_;
};

void run(const RunCommandOptions& cli, const AccuracyCliOptions& accuracy,
         const DistributedRunOptions& distributed, const std::vector<std::string>& arguments) {
  BenchmarkOptions options = cli.bench;
  if (cli.cuda_graph) {
    check(options.execs == std::vector<std::string>{"eager"} ||
              options.execs == std::vector<std::string>{"graph"},
          "--cuda-graph: means --exec graph; drop one of the two");
    options.execs = {"graph"};
  }
  check(!cli.peak_tflops || *cli.peak_tflops > 0,
        "--peak-tflops: expected TFLOP/s > 0 but got " + format_number(cli.peak_tflops.value_or(0)));
  std::optional<DistributedEnv> env;  // --distributed: this rank's place in the job
  if (distributed.enabled) {
    env = prepare_distributed(distributed, options, cli.threads);
  } else {
    options.threads = cli.threads.value_or(0);
    check(!cli.threads || *cli.threads > 0,
          "--threads: expected a positive thread count but got " + std::to_string(cli.threads.value_or(0)));
    configure_threads(options.threads);
  }
  const bool rank0 = !env || env->rank == 0;
  QuietRank quiet(!rank0);
  const std::vector<CaseSpec> cases = plan_cases(options);
  if (env && !accuracy.enabled()) check_distributed_cases(cases, distributed.dist);
  check(!env || distributed.dist.bucket_cap_mb > 0,
        "--dist-bucket-mb: expected MiB > 0 but got " + format_number(distributed.dist.bucket_cap_mb));
  RunRecord run = begin_run(options, arguments);
  print_header(run, cases, accuracy.enabled());
  if (env) {
    std::cout << "  ranks:   " << env->world_size << " (data parallel), rendezvous " << env->master_addr
              << ":" << env->master_port << ", " << options.threads << " threads per rank, "
              << options.devices.front() << "; only training runs data-parallel\n";
  }
  // Data-parallel ranks cannot stop together at one step (each sees Ctrl-C
  // at its own step, and a lone rank would leave the others waiting in a
  // collective): Ctrl-C ends every rank at once; rank 0 has saved the cases
  // finished so far.
  if (!env) install_interrupt_handler();

  check(cli.budget_s > 0, "--budget-s: expected seconds > 0 but got " + format_number(cli.budget_s));
  check(!cli.cpu_tdp_w || *cli.cpu_tdp_w > 0,
        "--cpu-tdp: expected watts > 0 but got " + format_number(cli.cpu_tdp_w.value_or(0)));
  MeterSet meters = cli.no_meters ? MeterSet(std::vector<std::unique_ptr<Meter>>{})
                                  : MeterSet::create(meter_options(cli, run, cases));
  for (const auto& status : meters.status()) {
    std::cout << "  meter:   " << status.name << " " << status.scope << " " << status.device << ": "
              << (status.available ? "available" + (status.detail.empty() ? "" : " (" + status.detail + ")")
                                   : "unavailable: " + status.reason)
              << "\n";
  }
  if (cli.idle_s) {
    std::cout << "  idle:    measuring idle power for " << format_number(*cli.idle_s) << " s ..."
              << std::flush;
    meters.measure_idle(*cli.idle_s);
    std::cout << " done\n";
  }
  std::cout << "\n";
  CaseHooks hooks;
  hooks.before_case = [](const CaseSpec&) { reset_peak_rss(); };
  hooks.before_timed = [&meters] { meters.start(); };
  hooks.after_timed = [&meters](CaseRecord& record, int64_t samples) {
    meters.stop();
    for (auto& reading : meters.readings(samples)) {
      if (reading_belongs_to_case(reading, record.device)) record.energy.push_back(std::move(reading));
    }
    for (auto& timeline : meters.timelines()) {
      if (record.device != "cpu" || timeline.device.rfind("cuda", 0) != 0) {
        record.power_timeline.push_back(std::move(timeline));
      }
    }
    record.memory.device_used_bytes = meters.device_used_bytes();
  };

  // Only rank 0 writes the run (JSON and database).
  RunSink sink(
      rank0 ? cli.json_path : "",
      !rank0 || cli.no_save ? "" : (cli.db_path.empty() ? ResultStore::default_path() : cli.db_path));
  auto save = [&] { sink.save(run); };
  save();
  std::shared_ptr<Communicator> comm;
  if (env) comm = join_job(*env, options.devices.front(), distributed.dist);
  if (accuracy.enabled() || env) {
    // Training to a result and data-parallel runs finish the run, save it and
    // set the exit code themselves.
    if (accuracy.enabled()) {
      AccuracyParallel parallel;
      if (env) {
        parallel.communicator = comm.get();
        parallel.rank = env->rank;
        parallel.bucket_cap_mb = distributed.dist.bucket_cap_mb;
        parallel.combine_energy = [&](std::vector<EnergyReading> mine) {
          return gather_energy(*comm, *env, run.system.hostname, std::move(mine));
        };
      }
      run_accuracy_cases(accuracy, options, meters, run, save, parallel);
    } else {
      run_distributed_cases(distributed, *env, *comm, options, cases, hooks, run, save);
    }
    print_outputs(cli, run, sink, rank0);
    return;
  }
  const Stopwatch run_clock;
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaseSpec& spec = cases[i];
    std::cout << "[" << i + 1 << "/" << cases.size() << "] " << spec.model << " " << spec.device << " "
              << spec.mode << (spec.exec == "eager" ? "" : " " + spec.exec) << " batch " << spec.batch << " "
              << spec.image_size << "x" << spec.image_size << " ... " << std::flush;
    // Each case gets at most its share of what is left of --budget-s.
    BenchmarkOptions case_options = options;
    const double left_s = cli.budget_s - run_clock.elapsed_s();
    case_options.max_case_s =
        std::min(options.max_case_s, std::max(1.0, left_s / static_cast<double>(cases.size() - i)));
    CaseRecord record = run_case(spec, case_options, hooks);
    record.memory.peak_rss_bytes = read_peak_rss_bytes();
    fill_mfu(cli, record);
    std::cout << progress_result(record) << std::endl;
    run.cases.push_back(std::move(record));
    save();
    if (interrupt_requested()) break;
  }
  disarm_interrupt_grace();  // the steps have returned (Note [Interrupt grace])
  run.finished_at = utc_now_iso8601();
  run.status = interrupt_requested() ? "interrupted" : "complete";
  save();

  std::cout << "\nResults (throughput = median over timed windows; IQR and CV of the windows)\n"
            << results_table(run.cases);
  for (const std::string mode : {"train", "infer"}) {
    const SpeedupTable table = speedup_table(run.cases, mode);
    if (table.models.empty()) continue;
    std::cout << "\nSpeedup over cpu, " << (mode == std::string("train") ? "training" : "inference")
              << " (ratio of median throughputs)\n"
              << speedup_text(table);
    if (table.devices.size() == 1) std::cout << "  (no GPU present: only the cpu column)\n";
  }
  const std::string exec_table = exec_mode_text(run.cases);
  if (!exec_table.empty()) std::cout << "\nExecution modes, inference (--exec)\n" << exec_table;
  print_outputs(cli, run, sink);

  bool failed = false;
  for (const auto& c : run.cases) failed = failed || c.status == "failed";
  if (interrupt_requested()) request_exit_code(static_cast<int>(ExitCode::kInterrupted));
  if (failed) request_exit_code(static_cast<int>(ExitCode::kCasesFailed));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto cli = std::make_shared<RunCommandOptions>();
  auto* cmd =
      app.add_subcommand("run", "Benchmark training and inference of the models on the devices present");
  BenchmarkOptions& b = cli->bench;
  cmd->add_option("--model", b.models, "Models, comma-separated (default: all; see `effbench list models`)")
      ->delimiter(',');
  cmd->add_option("--device", b.devices,
                  "Devices: cpu, cuda, cuda:N, comma-separated (default: every device present)")
      ->delimiter(',');
  cmd->add_option("--mode", b.modes, "Modes: train, infer (default: both)")->delimiter(',');
  cmd->add_option("--batch", b.batch,
                  "Batch size (default: 64 on cpu and 256 on GPUs for classifiers; 1 for cyclegan)");
  cmd->add_option("--image-size", b.image_size,
                  "Input size in pixels (default: the model's; cyclegan 128 on cpu)");
  cmd->add_option("--threads", cli->threads, "CPU threads (default: all logical cores)");
  cmd->add_option("--warmup-s", b.warmup_s, "Minimum warm-up seconds per case")->capture_default_str();
  cmd->add_option("--min-time-s", b.min_time_s, "Minimum seconds per timed window")->capture_default_str();
  cmd->add_option("--repeats", b.repeats, "Timed windows per case")->capture_default_str();
  cmd->add_option("--max-case-s", b.max_case_s,
                  "Time budget per case: windows are reduced (never below 3) to fit")
      ->capture_default_str();
  cmd->add_option("--budget-s", cli->budget_s,
                  "Time budget for the whole run: each case gets at most its share of what is left")
      ->capture_default_str();
  cmd->add_option("--seed", b.seed, "Random seed for weights and synthetic data")->capture_default_str();
  cmd->add_option("--precision", b.precision,
                  "Numeric precision: fp32, tf32 (CUDA), bf16 (autocast), fp16 (CUDA autocast)")
      ->capture_default_str();
  cmd->add_option("--exec", b.execs,
                  "Execution modes, comma-separated: eager, fused (frozen TorchScript, inference), graph "
                  "(CUDA graphs)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_flag("--cuda-graph", cli->cuda_graph,
                "Capture and replay each step as a CUDA graph (= --exec graph)");
  cmd->add_flag("--channels-last", b.channels_last, "Model and inputs in channels-last memory format");
  cmd->add_flag("!--no-cudnn-benchmark", b.cudnn_benchmark,
                "Turn cuDNN autotuning off (on by default on CUDA)");
  cmd->add_option("--peak-tflops", cli->peak_tflops,
                  "Device peak TFLOP/s at the run's precision, for MFU (default: the hardware catalog's)");
  cmd->add_option("--cpu-tdp", cli->cpu_tdp_w,
                  "CPU power at full load in watts, for the energy estimate where no sensor can be read");
  cmd->add_option("--idle-s", cli->idle_s, "Measure idle power for S seconds first; report net energy too");
  cmd->add_option("--db", cli->db_path,
                  "Results database (default: $EFFBENCH_DB or ~/.local/share/effbench/results.db)");
  cmd->add_flag("--no-save", cli->no_save, "Do not save the run in the results database");
  cmd->add_flag("--no-meters", cli->no_meters, "Run without energy meters (to measure their overhead)");
  cmd->add_option("--report", cli->report_path, "Write a self-contained HTML report of the run to this file");
  cmd->add_option("--json", cli->json_path, "Write the run as a JSON document (rewritten after each case)");
  auto accuracy = add_accuracy_options(cmd);
  auto distributed = add_distributed_options(cmd);
  cmd->callback([cli, accuracy, distributed] { run(*cli, *accuracy, *distributed, command_line()); });
}

}  // namespace effbench
