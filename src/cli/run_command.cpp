// `effbench run`: benchmarks models x devices x modes and prints the results
// and speedup tables. Finished cases are written after each case, so an
// interruption or a crash loses nothing already measured.

#include <iostream>
#include <memory>

#include "analysis/speedup.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/units.h"
#include "report/console.h"
#include "results/json.h"
#include "runner/benchmark.h"
#include "runner/interrupt.h"

namespace effbench {
namespace {

struct RunCommandOptions {
  BenchmarkOptions bench;
  std::optional<int64_t> threads;
  std::string json_path;
};

void print_header(const RunRecord& run, const std::vector<CaseSpec>& cases) {
  const SystemInfo& s = run.system;
  std::cout << "effbench " << s.effbench_version << " run " << run.run_id << "\n"
            << "  host:    " << s.hostname << ", " << s.cpu_model << " (" << s.logical_cores << " logical / "
            << s.physical_cores << " physical cores), " << format_bytes(static_cast<double>(s.memory_bytes)) << "\n"
            << "  torch:   LibTorch " << s.torch_version << ", " << run.settings.threads << " CPU threads"
            << (s.torch_cuda ? ", CUDA " + s.cuda_version : ", no CUDA") << "\n";
  for (const auto& gpu : s.gpus) {
    std::cout << "  gpu:     cuda:" << gpu.index << " " << gpu.name << ", "
              << format_bytes(static_cast<double>(gpu.memory_bytes)) << "\n";
  }
  if (!s.blas.empty()) std::cout << "  blas:    " << s.blas << "\n";
  if (s.blas.find("/blas/libblas") != std::string::npos) {
    std::cout << "  warning: LibTorch uses the reference BLAS, several times slower for linear layers; "
                 "install libopenblas0-pthread\n";
  }
  if (s.build_type != "Release") {
    std::cout << "  warning: effbench was built as '" << s.build_type << "', not Release: timings are pessimistic\n";
  }
  std::cout << "  plan:    " << cases.size() << " cases, " << run.settings.repeats << " timed windows of >= "
            << format_number(run.settings.min_time_s) << " s each, warm-up >= " << format_number(run.settings.warmup_s)
            << " s\n\n";
}

std::string progress_result(const CaseRecord& c) {
  if (c.status != "ok") return c.status + ": " + c.error;
  std::string text = format_number(c.throughput->median) + " samples/s (CV " + format_number(100 * c.throughput->cv) + "%)";
  if (c.latency_ms) text += ", batch-1 p50 " + format_number(c.latency_ms->p50) + " ms";
  return text;
}

void run(const RunCommandOptions& cli, const std::vector<std::string>& arguments) {
  BenchmarkOptions options = cli.bench;
  options.threads = cli.threads.value_or(0);
  check(!cli.threads || *cli.threads > 0, "--threads: expected a positive thread count but got " +
                                              std::to_string(cli.threads.value_or(0)));
  configure_threads(options.threads);
  const std::vector<CaseSpec> cases = plan_cases(options);
  RunRecord run = begin_run(options, arguments);
  print_header(run, cases);
  install_interrupt_handler();

  auto save = [&] {
    if (!cli.json_path.empty()) write_run_json(run, cli.json_path);
  };
  save();
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaseSpec& spec = cases[i];
    std::cout << "[" << i + 1 << "/" << cases.size() << "] " << spec.model << " " << spec.device << " " << spec.mode
              << " batch " << spec.batch << " " << spec.image_size << "x" << spec.image_size << " ... " << std::flush;
    CaseRecord record = run_case(spec, options);
    std::cout << progress_result(record) << std::endl;
    run.cases.push_back(std::move(record));
    save();
    if (interrupt_requested()) break;
  }
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
  if (!cli.json_path.empty()) std::cout << "\nResults written to " << cli.json_path << "\n";

  bool failed = false;
  for (const auto& c : run.cases) failed = failed || c.status == "failed";
  if (interrupt_requested()) request_exit_code(static_cast<int>(ExitCode::kInterrupted));
  if (failed) request_exit_code(static_cast<int>(ExitCode::kCasesFailed));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto cli = std::make_shared<RunCommandOptions>();
  auto* cmd = app.add_subcommand("run", "Benchmark training and inference of the models on the devices present");
  BenchmarkOptions& b = cli->bench;
  cmd->add_option("--model", b.models, "Models, comma-separated (default: all; see `effbench list models`)")
      ->delimiter(',');
  cmd->add_option("--device", b.devices, "Devices: cpu, cuda, cuda:N, comma-separated (default: every device present)")
      ->delimiter(',');
  cmd->add_option("--mode", b.modes, "Modes: train, infer (default: both)")->delimiter(',');
  cmd->add_option("--batch", b.batch, "Batch size (default: 64 on cpu and 256 on GPUs for classifiers; 1 for cyclegan)");
  cmd->add_option("--image-size", b.image_size, "Input size in pixels (default: the model's; cyclegan 64 on cpu)");
  cmd->add_option("--threads", cli->threads, "CPU threads (default: all logical cores)");
  cmd->add_option("--warmup-s", b.warmup_s, "Minimum warm-up seconds per case")->capture_default_str();
  cmd->add_option("--min-time-s", b.min_time_s, "Minimum seconds per timed window")->capture_default_str();
  cmd->add_option("--repeats", b.repeats, "Timed windows per case")->capture_default_str();
  cmd->add_option("--max-case-s", b.max_case_s, "Time budget per case: windows are reduced (never below 3) to fit")
      ->capture_default_str();
  cmd->add_option("--seed", b.seed, "Random seed for weights and synthetic data")->capture_default_str();
  cmd->add_option("--precision", b.precision, "Numeric precision")->capture_default_str();
  cmd->add_option("--json", cli->json_path, "Write the run as a JSON document (rewritten after each case)");
  cmd->callback([cli] { run(*cli, command_line()); });
}

}  // namespace effbench
