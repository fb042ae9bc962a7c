#include "core/allocator.h"

#include <malloc.h>

#include <limits>

#include "core/error.h"

namespace effbench {

// Note [Heap-only malloc]
// glibc serves an allocation above its mmap threshold (which never exceeds
// 32 MiB) with a fresh mmap and gives it back with munmap on free. A CPU
// training step allocates and frees activation tensors of tens to hundreds of
// MiB every step, so every step page-faults them in again, zero-filled by the
// kernel. On the 2-core build machine ResNet18 training at batch 128 spent
// two thirds of its CPU time in the kernel: 17.9 samples/s with glibc's
// defaults, 83.8 samples/s with mmap off and no trimming
// (`effbench run --model resnet18 --device cpu --mode train --batch 128`,
// 2026-11-23). So effbench turns mmap off (M_MMAP_MAX 0) and never trims the
// heap (M_TRIM_THRESHOLD at its maximum) before anything is allocated: freed
// blocks are reused without faults. The cost is that the process keeps its
// peak heap (RSS stays at the peak). PyTorch users get the same with
// MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=<large>, or with jemalloc or
// tcmalloc. EFFBENCH_MALLOC=system keeps glibc's defaults; the setting is
// recorded with every run and shown in its header and report.

namespace {
std::string& setting() {
  static std::string value = "glibc defaults";
  return value;
}
}  // namespace

std::string configure_allocator() {
  const std::string choice = env_choice("EFFBENCH_MALLOC", "heap", "system");
  if (choice == "system") {
    setting() = "glibc defaults (EFFBENCH_MALLOC=system)";
  } else if (mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max()) == 1) {
    setting() = "glibc, heap only: M_MMAP_MAX 0, no trimming (EFFBENCH_MALLOC=system for glibc defaults)";
  } else {
    setting() = "glibc defaults (mallopt refused the heap-only setting)";
  }
  return setting();
}

const std::string& allocator_setting() { return setting(); }

}  // namespace effbench
