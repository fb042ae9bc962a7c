#pragma once
// Helpers shared by the runner's tests: the Fashion-MNIST check and ranks
// run as threads of the test process (one FileStore process group).

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "runner/accuracy.h"
#include "runner/benchmark.h"
#include "runner/communicator.h"

namespace effbench {
namespace testing_support {

/// `options` with windows short enough for a test: batch 4, no warm-up time,
/// three 20 ms windows, a few latency calls.
inline BenchmarkOptions quick_windows(BenchmarkOptions options) {
  options.batches = {4};
  options.warmup_s = 0;
  options.warmup_iterations = 1;
  options.min_time_s = 0.02;
  options.repeats = 3;
  options.latency_min_s = 0.01;
  options.latency_min_calls = 3;
  return options;
}

/// True when Debian's dataset-fashion-mnist is installed.
inline bool have_fashion_mnist() {
  std::ifstream f("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
  return f.good();
}

/// A short training run: 2 epochs at batch 32 on the first 1,024 training and
/// 500 test images of Fashion-MNIST.
inline AccuracyOptions fashion_mnist_subset() {
  AccuracyOptions o;
  o.dataset = "fashion-mnist";
  o.epochs = 2;
  o.batch = 32;
  o.train_samples = 1024;
  o.test_samples = 500;
  return o;
}

/// Runs `body(rank, communicator)` on `world` threads, each a rank of one
/// Gloo group over the FileStore at `store`; returns each rank's error
/// message ("" for a rank that finished).
inline std::vector<std::string> run_thread_ranks(int64_t world, const std::string& store, double timeout_s,
                                                 const std::function<void(int64_t, Communicator&)>& body) {
  std::vector<std::string> errors(static_cast<size_t>(world));
  std::vector<std::thread> ranks;
  for (int64_t r = 0; r < world; ++r) {
    ranks.emplace_back([&, r] {
      try {
        DistributedOptions options;
        options.timeout_s = timeout_s;
        auto comm = Communicator::connect_file(store, r, world, Device(), options);
        body(r, *comm);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : ranks) t.join();
  return errors;
}

}  // namespace testing_support
}  // namespace effbench
