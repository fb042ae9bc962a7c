#include "core/blas_threads.h"

#include <dlfcn.h>

#include "core/error.h"

namespace effbench {

// Note [One CPU thread pool]
// On Debian, LibTorch does its parallel CPU work (oneDNN convolutions,
// elementwise kernels) on its OpenMP pool, and its matrix products through
// OpenBLAS (libopenblas0-pthread), which keeps a pthread pool of its own. Each
// pool's threads spin for a while after their work, so with both at the core
// count a forward pass that alternates between them has every pool waiting
// for cores the other one spins on. LibTorch 2.6 runs convolutions in oneDNN
// and linear layers in OpenBLAS, alternating at every layer; LibTorch 1.13
// ran both through OpenBLAS (oneDNN's verbose log shows 62 convolutions in a
// short conv6 batch-1 run on 2.6, none on 1.13). On the 2-core build VM the
// batch-1 latency p50 of fp32 inference was (2026-11-30, `effbench run --mode
// infer`, LibTorch 2.6 / 1.13):
//   OpenBLAS's own pool:  conv6 41.2 / 3.9 ms, resnet18 114.0 / 14.1 ms, vgg16 (64 px) 90.0 / 23.8 ms
//   OpenBLAS 1 thread:    conv6  3.7 / 3.6 ms, resnet18  12.8 / 15.5 ms, vgg16 (64 px) 22.7 / 19.2 ms
// and throughputs rose or stayed level (conv6 inference 358 -> 611 samples/s
// on 2.6; cyclegan at batch 1 lost about 5% on 2.6 and gained 23-62% on 1.13).
// So effbench gives OpenBLAS one thread: the parallel work runs on LibTorch's
// pool alone, sized by --threads. PyTorch users get the same with
// OPENBLAS_NUM_THREADS=1. EFFBENCH_BLAS_THREADS=own keeps OpenBLAS's pool;
// the setting is recorded with every run and shown in its header.

namespace {

std::string& setting() {
  static std::string value;
  return value;
}

template <typename Fn>
Fn find_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

std::string configure_blas_threads() {
  const std::string choice = env_choice("EFFBENCH_BLAS_THREADS", "one", "own");
  const auto set_threads = find_symbol<void (*)(int)>("openblas_set_num_threads");
  const auto get_threads = find_symbol<int (*)()>("openblas_get_num_threads");
  if (set_threads == nullptr || get_threads == nullptr) {
    setting() = "no OpenBLAS in this process (its BLAS threads as the library sets them)";
  } else if (choice == "own") {
    setting() =
        "OpenBLAS's own pool of " + std::to_string(get_threads()) + " threads (EFFBENCH_BLAS_THREADS=own)";
  } else {
    set_threads(1);
    setting() = "OpenBLAS on 1 thread, inside LibTorch's pool (EFFBENCH_BLAS_THREADS=own for its own pool)";
  }
  return setting();
}

const std::string& blas_threads_setting() { return setting(); }

}  // namespace effbench
