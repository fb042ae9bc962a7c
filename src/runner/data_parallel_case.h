#pragma once
// Data-parallel training benchmarks (`effbench run --distributed`). Torch-free
// interface for the CLI; the c10d machinery is in runner/communicator.h.
// See docs/distributed.md.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/record.h"
#include "runner/benchmark.h"

namespace effbench {

/// Where this process sits in the job, read from torchrun's environment
/// variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
/// MASTER_PORT), so torchrun, srun with a wrapper, mpirun or
/// `effbench launch` can start it.
struct DistributedEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  int64_t local_world_size = 1;  // processes on this host (LOCAL_WORLD_SIZE, default WORLD_SIZE)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

/// Reads and validates the variables through `lookup` (getenv by default; a
/// null result = unset). Unset RANK and WORLD_SIZE mean a world of one.
/// Throws Error naming the variable and its value when one is malformed or
/// out of range (RANK >= WORLD_SIZE, a port outside 1..65535).
DistributedEnv read_distributed_env(const std::function<const char*(const char*)>& lookup = nullptr);

/// Settings of data-parallel runs; names carry their units.
struct DistributedOptions {
  std::string backend = "auto";                        // auto | gloo | nccl
  double timeout_s = 120;                              // collective and rendezvous timeout (--dist-timeout-s)
  double bucket_cap_mb = 25;                           // gradient bucket size, MiB (as DDP's bucket_cap_mb)
  std::optional<double> single_process_samples_per_s;  // throughput_1 given (optional)
  bool measure_single_process = true;                  // else: no scaling efficiency unless given
};

class Communicator;  // runner/communicator.h

/// Joins the job as rank env.rank with a process group for `device`: a
/// c10d::TCPStore at MASTER_ADDR:MASTER_PORT, or for a world of one a private
/// store (no master needed). Throws Error for a port in use, an unreachable
/// master, mismatched world sizes or a backend missing from this build.
std::shared_ptr<Communicator> join_job(const DistributedEnv& env, const Device& device,
                                       const DistributedOptions& options);

/// Every rank's `text`, rank-major (small documents such as energy readings).
/// Throws Error naming the rank behind when a rank is gone.
std::vector<std::string> gather_text(Communicator& communicator, const std::string& text);

/// Throws Error when `cases` cannot run data-parallel: none, not all train,
/// more than one device, a bucket size <= 0.
void check_distributed_cases(const std::vector<CaseSpec>& cases, const DistributedOptions& dist);

/// Adapts `options` to this rank: CPU threads (`threads` when given, which
/// the session has checked to be positive, else the host's cores /
/// LOCAL_WORLD_SIZE), the rank's device (cuda:LOCAL_RANK on GPUs, else cpu)
/// and training only. Throws Error for settings that
/// cannot run data-parallel (precision, exec modes, channels-last, a bucket
/// size <= 0, a given single-process throughput <= 0).
void prepare_rank(const DistributedEnv& env, const DistributedOptions& dist, BenchmarkOptions& options,
                  std::optional<int64_t> threads);

/// This rank's readings, gathered from every rank: rank 0 gets all of them
/// combined (Note [Energy of a data-parallel case] in results/record.h),
/// the other ranks their own, labelled. Every rank must call it at the same
/// point. When a rank is gone it keeps this rank's readings and says so in a
/// warning on each.
std::vector<EnergyReading> gather_energy(Communicator& comm, const DistributedEnv& env,
                                         const std::string& host, std::vector<EnergyReading> mine);

/// Runs one train case with data parallelism in this process as rank
/// env.rank of `communicator`'s job. `spec.batch` is the per-process batch
/// (the record's batch is the global batch = batch x world size). `hooks`
/// meter this rank's timed windows. A rank fault (a rank gone, a collective
/// timed out) sets `rank_fault`: the case is recorded "failed" with a message
/// naming the rank and the step, its finished windows kept, and the process
/// group is unusable for later cases.
CaseRecord run_data_parallel_case(const CaseSpec& spec, const BenchmarkOptions& options,
                                  Communicator& communicator, const DistributedEnv& env,
                                  const DistributedOptions& dist, const CaseHooks& hooks, bool& rank_fault);

/// Scaling efficiency throughput_N / (N x throughput_1); 0 when unknown.
double scaling_efficiency(double throughput_n, int64_t world_size, double throughput_1);

}  // namespace effbench
