#pragma once
// How many threads OpenBLAS runs its own work on (Note [One CPU thread pool]
// in blas_threads.cpp). Applied once at start-up by main(); recorded with
// every run (SystemInfo::blas_threads).

#include <string>

namespace effbench {

/// Applies the setting named by EFFBENCH_BLAS_THREADS: "one" (the default:
/// OpenBLAS runs single-threaded inside LibTorch's thread pool) or "own"
/// (OpenBLAS keeps its own pool). Returns the description recorded with runs;
/// a process without OpenBLAS is described as such. Throws effbench::Error
/// naming EFFBENCH_BLAS_THREADS and its value when it is neither.
std::string configure_blas_threads();

/// The description configure_blas_threads() returned (empty when it was not
/// called, e.g. in tests).
const std::string& blas_threads_setting();

}  // namespace effbench
