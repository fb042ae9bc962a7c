// `effbench run`: the run command's flags fill one SessionSettings; the
// session (runner/session.h) runs the cases, and ConsoleRunObserver shows
// them. Nothing is measured here.

#include <algorithm>
#include <memory>
#include <optional>

#include "analysis/gpu_projection.h"
#include "cli/command.h"
#include "cli/run_console.h"
#include "cli/session_flags.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "report/prometheus.h"
#include "results/store.h"
#include "runner/session.h"

namespace effbench {
namespace {

/// The run command's flags: the session's settings and what only the
/// console and the outputs need.
struct RunFlags {
  SessionSettings session;
  std::vector<std::string> modes = {"train", "infer"};  // --mode, parsed into session.bench.modes
  std::vector<std::string> precisions;  // --precision, parsed into session.bench.precisions (empty: default)
  std::vector<std::string> batches;     // --batch: sizes, or "auto"; parsed into session.bench
  std::vector<std::string> execs = {"eager"};  // --exec, parsed into session.bench.execs
  std::optional<std::string> dataset;          // --dataset: train to a result instead of throughput cases
  AccuracyOptions training;                    // the training flags, used with --dataset
  bool distributed = false;                    // --distributed
  DistributedOptions data_parallel;            // the --dist-* flags, used with --distributed
  bool cuda_graph = false;                     // --cuda-graph: shorthand for --exec graph
  bool no_save = false;                        // --no-save: no database
  bool no_meters = false;                      // --no-meters
  std::string report_path;                     // --report (optional)
  std::string prometheus_path;                 // --prometheus (optional)
  double gqi_alpha = 5;
  double gqi_beta = 10;
  std::string gqi_unit = "kWh";
  std::vector<std::string> project_to;  // --project-to: GPUs projected onto besides the defaults
  std::optional<std::string> input;     // --input, parsed into session.bench.input_shape
};

// The words of the command line become the vocabulary's values here, once.
template <typename E>
std::vector<E> parse_words(const std::vector<std::string>& words, const std::string& flag) {
  std::vector<E> values;
  for (const auto& word : words) {
    const E value = parse_word<E>(word, flag);
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return values;
}

// "3x224x224" -> {3, 224, 224}: one sample's shape, sizes > 0.
// `text` is a whole number of 1 to `most_digits` decimal digits (no sign, no spaces).
bool is_decimal(const std::string& text, size_t most_digits) {
  return !text.empty() && text.size() <= most_digits &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<int64_t> parse_sample_shape(const std::string& text) {
  std::vector<int64_t> shape;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('x', start);
    const std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    check(is_decimal(part, 9) && std::stoll(part) > 0,
          "--input: expected one sample's shape as sizes > 0 joined by 'x' (3x224x224, 128) but got '" +
              text + "'");
    shape.push_back(std::stoll(part));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  check(shape.size() <= 8, "--input: expected at most 8 dimensions but got '" + text + "'");
  return shape;
}

void run(RunFlags flags) {
  SessionSettings& settings = flags.session;
  if (flags.input) settings.bench.input_shape = parse_sample_shape(*flags.input);
  settings.bench.modes = parse_words<Mode>(flags.modes, "--mode");
  settings.bench.precisions = parse_words<Precision>(flags.precisions, "--precision");
  for (const auto& word : flags.batches) {
    if (word == "auto") {
      settings.bench.batch_auto = true;
      continue;
    }
    check(is_decimal(word, 18),
          "--batch: expected batch sizes (64, or 16,32,64) or auto but got '" + word + "'");
    settings.bench.batches.push_back(std::stoll(word));
  }
  settings.bench.execs = parse_words<Exec>(flags.execs, "--exec");
  if (flags.cuda_graph) {
    check(settings.bench.execs == std::vector<Exec>{Exec::kEager} ||
              settings.bench.execs == std::vector<Exec>{Exec::kGraph},
          "--cuda-graph: means --exec graph; drop one of the two");
    settings.bench.execs = {Exec::kGraph};
  }
  if (flags.dataset) {
    settings.training = flags.training;
    settings.training->dataset = *flags.dataset;
  }
  if (flags.distributed) {
    settings.data_parallel = flags.data_parallel;
  }
  settings.meters = !flags.no_meters;
  if (!flags.no_save && settings.db_path.empty()) settings.db_path = ResultStore::default_path();
  if (flags.no_save) settings.db_path.clear();
  settings.command_line = command_line();
  GqiSettings gqi;
  gqi.alpha = flags.gqi_alpha;
  gqi.beta = flags.gqi_beta;
  gqi.unit = parse_energy_unit(flags.gqi_unit);
  validate(gqi);
  // Checked before anything is measured; shown at the end on a machine without a GPU.
  std::vector<std::string> projection_gpus = default_projection_gpus();
  for (const auto& id : flags.project_to) {
    const HardwareSpec& gpu = require_gpu(default_catalog(), id);
    if (std::find(projection_gpus.begin(), projection_gpus.end(), gpu.id) == projection_gpus.end())
      projection_gpus.push_back(gpu.id);
  }
  check_outputs_apart({{"--db", settings.db_path},
                       {"--json", settings.json_path},
                       {"--report", flags.report_path},
                       {"--prometheus", flags.prometheus_path},
                       {"--epoch-log", settings.training ? settings.training->epoch_log_path : ""}});
  // Rewritten after each case, like --json (Note [Prometheus series] in report/prometheus.h).
  if (!flags.prometheus_path.empty())
    settings.documents.push_back({"--prometheus", flags.prometheus_path, run_to_prometheus});
  ConsoleRunObserver console({settings.json_path, settings.db_path, flags.report_path, flags.prometheus_path},
                             gqi, projection_gpus);
  request_exit_code(run_session(settings, console));
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  SessionSettings& s = flags->session;
  auto* cmd =
      app.add_subcommand("run", "Benchmark training and inference of the models on the devices present");
  BenchmarkOptions& b = s.bench;
  cmd->add_option("--model", b.models,
                  "Models, comma-separated (default: all; see `effbench list models`), or TorchScript files "
                  "(with --input)")
      ->delimiter(',');
  cmd->add_option(
      "--input", flags->input,
      "A TorchScript --model file's input: one sample's shape, e.g. 3x224x224 (docs/own_model.md)");
  cmd->add_option("--classes", b.classes,
                  "A TorchScript --model file's class count: train with cross-entropy on N classes (default: "
                  "the mean squared output)");
  cmd->add_option("--device", b.devices,
                  "Devices: cpu, cuda, cuda:N, comma-separated (default: every device present)")
      ->delimiter(',');
  cmd->add_option("--mode", flags->modes, "Modes: train, infer (default: both)")->delimiter(',');
  cmd->add_option(
         "--batch", flags->batches,
         "Batch sizes, comma-separated, or auto: a sweep for the throughput-best batch (default: 64 on cpu "
         "and 256 on GPUs for classifiers; 1 for cyclegan)")
      ->delimiter(',');
  cmd->add_option("--image-size", b.image_size,
                  "Input size in pixels (default: the model's; cyclegan 128 on cpu)");
  cmd->add_option("--threads", s.threads,
                  "CPU threads (default: one per physical core this process may use)");
  cmd->add_option("--warmup-s", b.warmup_s, "Minimum warm-up seconds per case")->capture_default_str();
  cmd->add_option("--min-time-s", b.min_time_s, "Minimum seconds per timed window")->capture_default_str();
  cmd->add_option("--repeats", b.repeats, "Timed windows per case")->capture_default_str();
  cmd->add_option("--max-case-s", b.max_case_s,
                  "Time budget per case: windows are reduced (never below 3) to fit")
      ->capture_default_str();
  cmd->add_option("--budget-s", s.budget_s,
                  "Time budget for the whole run: each case gets at most its share of what is left")
      ->capture_default_str();
  cmd->add_option("--seed", b.seed, "Random seed for weights and synthetic data")->capture_default_str();
  cmd->add_option(
         "--precision", flags->precisions,
         "Numeric precisions, comma-separated: fp32, tf32 (CUDA), bf16 (autocast), fp16 (CUDA autocast) "
         "(default: fp32, and bf16 too on a cpu with native bf16)")
      ->delimiter(',');
  cmd->add_option("--exec", flags->execs,
                  "Execution modes, comma-separated: eager, fused (frozen TorchScript, inference), graph "
                  "(CUDA graphs)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_flag("--cuda-graph", flags->cuda_graph,
                "Capture and replay each step as a CUDA graph (= --exec graph)");
  cmd->add_flag("--channels-last", b.channels_last, "Model and inputs in channels-last memory format");
  cmd->add_flag("!--no-cudnn-benchmark", b.cudnn_benchmark,
                "Turn cuDNN autotuning off (on by default on CUDA)");
  cmd->add_option("--peak-tflops", s.peak_tflops,
                  "Device peak TFLOP/s at the run's precision, for MFU (default: the hardware catalog's)");
  add_session_output_flags(*cmd, s, flags->no_save, flags->report_path);
  cmd->add_flag("--no-meters", flags->no_meters, "Run without energy meters (to measure their overhead)");
  cmd->add_option("--prometheus", flags->prometheus_path,
                  "Write the run's figures in Prometheus text format, for node_exporter's textfile collector "
                  "(a *.prom file; rewritten atomically after each case; docs/exports.md)");
  // Training to a result on real data (--dataset).
  AccuracyOptions& a = flags->training;
  cmd->add_option("--dataset", flags->dataset,
                  "Train to a result on real data: fashion-mnist, mnist, cifar10, or folders (cyclegan's "
                  "trainA/trainB/testA/testB under --data-dir)");
  cmd->add_option(
      "--data-dir", a.data_dir,
      "Dataset folder (default: /usr/share/datasets/<dataset>); cyclegan uses unpaired folders when "
      "it has trainA/ trainB/ testA/ testB/");
  cmd->add_option("--epochs", a.epochs,
                  "Training epochs and the length of the learning-rate schedule "
                  "(default: the model's recipe, docs/recipes.md)");
  cmd->add_option("--target-accuracy", a.target,
                  "Time to accuracy: stop at the first evaluation >= X, a fraction in (0, 1]");
  cmd->add_option("--max-epochs", a.max_epochs,
                  "With --target-accuracy: give up after N epochs (default: the recipe's or --epochs)");
  cmd->add_option("--epoch-log", a.epoch_log_path, "Append per-epoch events to this JSON-lines file");
  cmd->add_flag("--deterministic", a.deterministic, "Use LibTorch's deterministic algorithms");
  cmd->add_option("--train-samples", a.train_samples,
                  "Train on the first N training images only (0: all; quick checks, not full results)")
      ->capture_default_str();
  cmd->add_option("--test-samples", a.test_samples, "Evaluate on the first N test images only (0: all)")
      ->capture_default_str();
  cmd->add_option("--gqi-alpha", flags->gqi_alpha, "Green Quotient Index: accuracy exponent")
      ->capture_default_str();
  cmd->add_option("--gqi-beta", flags->gqi_beta, "Green Quotient Index: scale")->capture_default_str();
  cmd->add_option("--gqi-unit", flags->gqi_unit, "Green Quotient Index: unit of E (J, Wh, kWh)")
      ->capture_default_str();
  cmd->add_option(
         "--project-to", flags->project_to,
         "Without a GPU here: GPUs (catalog ids, `effbench list hardware`) to project the speedup onto, "
         "besides t4, l4, a100-sxm4-80gb, h100-sxm")
      ->delimiter(',');
  // Data-parallel runs (--distributed).
  DistributedOptions& d = flags->data_parallel;
  cmd->add_flag("--distributed", flags->distributed,
                "Data-parallel training over c10d (Gloo on cpu, NCCL on CUDA) as one rank of a job: RANK, "
                "WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the environment (see `effbench launch`)");
  cmd->add_option("--dist-backend", d.backend, "auto | gloo | nccl")->capture_default_str();
  cmd->add_option("--dist-timeout-s", d.timeout_s,
                  "Seconds a rank waits for the others (rendezvous, each collective) before failing")
      ->capture_default_str();
  cmd->add_option("--dist-bucket-mb", d.bucket_cap_mb, "Gradient bucket size in MiB")->capture_default_str();
  cmd->add_option("--dist-single-samples-per-s", d.single_process_samples_per_s,
                  "Single-process throughput for the scaling efficiency (default: rank 0 measures it first)");
  // A flag of one kind of run is refused with the other instead of being ignored.
  CLI::Option* dataset = cmd->get_option("--dataset");
  for (const char* name : {"--data-dir", "--epochs", "--target-accuracy", "--max-epochs", "--epoch-log",
                           "--deterministic", "--train-samples", "--test-samples"}) {
    cmd->get_option(name)->needs(dataset);
  }
  // Training to a result runs fp32 eager steps for whole epochs: no windows, modes or precisions.
  for (const char* name :
       {"--mode", "--exec", "--cuda-graph", "--precision", "--channels-last", "--warmup-s", "--min-time-s",
        "--repeats", "--max-case-s", "--project-to", "--input", "--classes"}) {
    cmd->get_option(name)->excludes(dataset);
  }
  CLI::Option* distributed = cmd->get_option("--distributed");
  for (const char* name :
       {"--dist-backend", "--dist-timeout-s", "--dist-bucket-mb", "--dist-single-samples-per-s"}) {
    cmd->get_option(name)->needs(distributed);
  }
  cmd->callback([flags] { run(*flags); });
}

}  // namespace effbench
