// Note [One CPU thread pool]: configure_blas_threads() leaves OpenBLAS on one
// thread, as OpenBLAS's own getter reports. The test loads OpenBLAS itself
// (core_tests does not link LibTorch), as LibTorch would.

#include "core/blas_threads.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace effbench {
namespace {

// OpenBLAS's thread-count getter, after loading Debian's OpenBLAS into the
// process's global namespace; nullptr where none is installed.
int (*openblas_get_threads())() {
  static void* library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_GLOBAL);
  if (library == nullptr) return nullptr;
  return reinterpret_cast<int (*)()>(dlsym(library, "openblas_get_num_threads"));
}

TEST(BlasThreads, UnknownSettingNamesTheVariable) {
  ::setenv("EFFBENCH_BLAS_THREADS", "4", 1);
  try {
    configure_blas_threads();
    FAIL() << "expected effbench::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("EFFBENCH_BLAS_THREADS: expected one or own but got '4'"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("EFFBENCH_BLAS_THREADS");
}

TEST(BlasThreads, OpenBlasRunsOnOneThread) {
  const auto get_threads = openblas_get_threads();
  if (get_threads == nullptr) GTEST_SKIP() << "no libopenblas.so.0 on this machine";
  ::setenv("EFFBENCH_BLAS_THREADS", "own", 1);
  const int own_threads = get_threads();
  EXPECT_NE(configure_blas_threads().find("own pool of " + std::to_string(own_threads) + " threads"),
            std::string::npos)
      << blas_threads_setting();
  EXPECT_EQ(get_threads(), own_threads);  // "own" changes nothing
  ::unsetenv("EFFBENCH_BLAS_THREADS");
  EXPECT_NE(configure_blas_threads().find("OpenBLAS on 1 thread"), std::string::npos)
      << blas_threads_setting();
  EXPECT_EQ(get_threads(), 1);
}

}  // namespace
}  // namespace effbench
