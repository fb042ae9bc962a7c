#include "cli/distributed_run.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "report/console.h"
#include "results/json.h"
#include "runner/devices.h"
#include "runner/interrupt.h"

namespace effbench {
namespace {

// GPUs: every rank takes cuda:LOCAL_RANK, whatever cuda device was named.
std::vector<std::string> rank_devices(const std::vector<std::string>& requested, const DistributedEnv& env) {
  bool cuda = false;
  if (requested.empty()) {
    for (const auto& d : available_devices()) cuda = cuda || d.id.rfind("cuda", 0) == 0;
  } else {
    check(requested.size() == 1,
          "--distributed: expected one --device (cpu or cuda) but got " + std::to_string(requested.size()));
    cuda = requested.front().rfind("cuda", 0) == 0;
  }
  return {cuda ? "cuda:" + std::to_string(env.local_rank) : "cpu"};
}

std::string figures_text(const CaseRecord& c) {
  if (!c.throughput || !c.distributed) return c.status + ": " + c.error;
  const DistributedResult& d = *c.distributed;
  std::string text = format_number(c.throughput->median) + " samples/s on " + std::to_string(d.world_size) +
                     " ranks (CV " + format_number(100 * c.throughput->cv) + "%)";
  if (d.scaling_efficiency > 0) {
    text += ", 1 process " + format_number(d.single_process_samples_per_s) +
            " samples/s, scaling efficiency " + format_number(100 * d.scaling_efficiency) + "%";
  }
  text += "; per step: compute " + format_number(1000 * d.compute_s) + " ms, all-reduce " +
          format_number(1000 * d.allreduce_s) + " ms of " +
          format_bytes(static_cast<double>(d.bytes_per_step)) + " in " + std::to_string(d.buckets) +
          (d.buckets == 1 ? " bucket" : " buckets");
  if (c.status != "ok") text += " [" + c.status + ": " + c.error + "]";
  return text;
}

}  // namespace

std::shared_ptr<DistributedRunOptions> add_distributed_options(CLI::App* run_command) {
  auto cli = std::make_shared<DistributedRunOptions>();
  DistributedOptions& d = cli->dist;
  run_command->add_flag(
      "--distributed", cli->enabled,
      "Data-parallel training over c10d (Gloo on cpu, NCCL on CUDA) as one rank of a job: RANK, "
      "WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the environment (see `effbench launch`)");
  run_command->add_option("--dist-backend", d.backend, "auto | gloo | nccl")->capture_default_str();
  run_command
      ->add_option("--dist-timeout-s", d.timeout_s,
                   "Seconds a rank waits for the others (rendezvous, each collective) before failing")
      ->capture_default_str();
  run_command->add_option("--dist-bucket-mb", d.bucket_cap_mb, "Gradient bucket size in MiB")
      ->capture_default_str();
  run_command->add_option(
      "--dist-single-samples-per-s", cli->single_process_samples_per_s,
      "Single-process throughput for the scaling efficiency (default: rank 0 measures it first)");
  return cli;
}

DistributedEnv prepare_distributed(const DistributedRunOptions& cli, BenchmarkOptions& options,
                                   std::optional<int64_t> threads) {
  const DistributedEnv env = read_distributed_env();
  check(!threads || *threads > 0,
        "--threads: expected a positive thread count but got " + std::to_string(threads.value_or(0)));
  check(options.precision == "fp32" && options.execs == std::vector<std::string>{"eager"} &&
            !options.channels_last,
        "--distributed: data-parallel runs measure fp32 eager training only; drop --precision, --exec, "
        "--cuda-graph and --channels-last");
  check(!cli.single_process_samples_per_s || *cli.single_process_samples_per_s > 0,
        "--dist-single-samples-per-s: expected samples/s > 0 but got " +
            format_number(cli.single_process_samples_per_s.value_or(0)));
  // The ranks of one host share its cores (torchrun sets OMP_NUM_THREADS=1).
  const int64_t cores = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  options.threads = threads.value_or(std::max<int64_t>(1, cores / env.local_world_size));
  configure_threads(options.threads);
  options.devices = rank_devices(options.devices, env);
  options.modes = {"train"};
  return env;
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

void run_distributed_cases(const DistributedRunOptions& cli, const DistributedEnv& env, Communicator& comm,
                           const BenchmarkOptions& options, const std::vector<CaseSpec>& cases,
                           const CaseHooks& hooks, RunRecord& run, const std::function<void()>& save) {
  DistributedOptions dist = cli.dist;
  dist.single_process_samples_per_s = cli.single_process_samples_per_s;
  CaseHooks rank_hooks = hooks;
  rank_hooks.after_timed = [&](CaseRecord& record, int64_t samples) {
    if (hooks.after_timed) hooks.after_timed(record, samples);
    record.energy = gather_energy(comm, env, run.system.hostname, std::move(record.energy));
  };
  size_t done = 0;
  auto on_case_done = [&](const CaseRecord& record) {
    ++done;
    std::cout << "[" << done << "/" << cases.size() << "] " << record.model << " " << record.device
              << " train global batch " << record.batch << " ... " << figures_text(record) << std::endl;
    run.cases.push_back(record);
    save();
  };
  try {
    run_distributed(env, comm, cases, options, dist, rank_hooks, on_case_done);
  } catch (const Error&) {
    if (!run.cases.empty()) {
      run.finished_at = utc_now_iso8601();
      run.status = "incomplete";
      save();
      std::cout << "\nResults so far\n" << results_table(run.cases);
    }
    throw;
  }
  run.finished_at = utc_now_iso8601();
  run.status = interrupt_requested() ? "interrupted" : "complete";
  save();
  std::cout << "\nResults (throughput of the global batch; median over timed windows)\n"
            << results_table(run.cases);
  bool failed = false;
  for (const auto& c : run.cases) failed = failed || c.status == "failed";
  if (failed) request_exit_code(static_cast<int>(ExitCode::kCasesFailed));
}

}  // namespace effbench
