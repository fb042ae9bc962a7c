#pragma once
// Data parallelism over LibTorch's c10d: a Communicator (one store and one
// process group per process: Gloo on cpu, NCCL on CUDA) and the gradient
// all-reduce that runs between backward and the optimiser step.
// See docs/distributed.md and Note [Gradient buckets] in communicator.cpp.
//
// The c10d headers stay inside communicator.cpp: they differ between LibTorch
// 1.13 (ProcessGroup) and 2.x (Backend), and they need the Gloo headers.

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <vector>
#include "core/vocabulary.h"

#include "runner/data_parallel_case.h"

namespace effbench {

/// One process's membership in a process group. Every collective blocks until
/// every rank has joined it, or throws effbench::Error after the timeout (or as
/// soon as a peer's connection closes) naming the ranks that fell behind and
/// the step (Note [Naming the failed rank] in communicator.cpp). Not
/// thread-safe: one thread per process drives it.
class Communicator {
 public:
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  /// Joins through a c10d::TCPStore at env.master_addr:env.master_port (rank 0
  /// hosts it), checks that every rank agrees on the world size and that no
  /// rank number is used twice, and creates the backend's process group.
  /// `backend`: "gloo" | "nccl" | "auto" (nccl for a CUDA device when built
  /// with NCCL, else gloo). Throws Error for a port in use, an unreachable
  /// master, mismatched world sizes or a backend missing from this build.
  static std::unique_ptr<Communicator> connect_tcp(const DistributedEnv& env, const Device& device,
                                                   const DistributedOptions& options);

  /// The same over a c10d::FileStore at `path` (one file shared by the
  /// ranks): for tests with one thread or process per rank.
  static std::unique_ptr<Communicator> connect_file(const std::string& path, int64_t rank, int64_t world_size,
                                                    const Device& device, const DistributedOptions& options);

  int64_t rank() const;
  int64_t world_size() const;
  const std::string& backend() const;
  const Device& device() const;

  /// Sets the step number that error messages and progress keys report.
  void set_step(int64_t step);
  int64_t step() const;

  /// Copies rank 0's parameters and buffers into every rank's `module`.
  void broadcast_module(torch::nn::Module& module);

  /// Sums `tensors` (same shapes and dtypes on every rank) in place over all
  /// ranks, one collective for all of them; waits for completion.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors);

  /// Every rank's `values` (same length everywhere), rank-major.
  std::vector<std::vector<double>> all_gather(const std::vector<double>& values);

  /// Every rank's `text`, rank-major (through the store: for small
  /// documents such as a case's energy readings, not for tensors).
  std::vector<std::string> all_gather_text(const std::string& text);

  /// Blocks until every rank reaches it.
  void barrier();

  struct Impl;  // the store and the process group; opaque outside communicator.cpp

 private:
  explicit Communicator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Per-step figures of a GradientAllReducer since the last reset.
struct AllReduceStats {
  int64_t calls = 0;   // steps reduced
  double seconds = 0;  // total time in flatten + all-reduce + wait + copy back
  int64_t bytes_per_step = 0;
  int64_t buckets = 0;  // per step
};

/// The gradient hook of data-parallel training (TrainOptions::gradient_hook):
/// averages gradients over the ranks in flattened buckets of at most
/// `bucket_cap_bytes`. The all-reduce starts after backward has finished (no
/// overlap; Note [Gradient buckets]).
class GradientAllReducer {
 public:
  GradientAllReducer(Communicator& communicator, int64_t bucket_cap_bytes);
  /// Replaces each gradient by its mean over the ranks.
  void operator()(std::vector<torch::Tensor>& grads);
  const AllReduceStats& stats() const { return stats_; }
  void reset_stats() { stats_ = AllReduceStats{}; }

 private:
  Communicator& communicator_;
  int64_t bucket_cap_bytes_;
  AllReduceStats stats_;
};

}  // namespace effbench
