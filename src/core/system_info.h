#pragma once
// What machine a run happened on. Plain data; the host part is read here
// (no torch), the LibTorch/GPU part is filled in by the runner.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace effbench {

struct GpuInfo {
  int64_t index = 0;
  std::string name;
  std::string uuid;  // empty when unknown
  int64_t memory_bytes = 0;
  std::string compute_capability;  // "9.0"
};

struct SystemInfo {
  std::string hostname;
  std::string cpu_model;
  int64_t logical_cores = 0;
  int64_t physical_cores = 0;
  int64_t memory_bytes = 0;
  std::string os;
  std::string kernel;
  std::string compiler;
  std::string build_type;
  std::string git_commit;
  std::string effbench_version;
  std::string torch_version;
  bool torch_cuda = false;   // LibTorch built with CUDA
  std::string cuda_version;  // CUDA runtime LibTorch was built with
  std::string cudnn_version;
  std::string gpu_driver_version;  // from NVML when available
  std::vector<GpuInfo> gpus;
  std::string blas;          // BLAS library LibTorch resolved to, when known
  std::string allocator;     // how malloc serves large blocks (core/allocator.h)
  std::string blas_threads;  // OpenBLAS's threads (core/blas_threads.h)
  std::string cpu_threads;   // compute threads, CPUs, OpenMP variables (core/cpu_threads.h)
};

/// Reads the host part of SystemInfo (CPU, cores, memory, OS, compiler, build).
/// `proc_root` is "/proc" except in tests.
SystemInfo read_host_info(const std::string& proc_root = "/proc");

/// Whether the CPU described by `cpuinfo_text` (/proc/cpuinfo) computes in
/// bfloat16 natively: its flags list avx512_bf16 or amx_bf16 (x86). Where it
/// does, bf16 autocast roughly doubles convolution throughput on the cpu, so
/// the default suite measures it too (Note [Default precisions] in
/// runner/benchmark.h).
bool cpu_has_native_bf16(const std::string& cpuinfo_text);

/// cpu_has_native_bf16() of this machine's /proc/cpuinfo.
bool this_cpu_has_native_bf16();

/// MemAvailable of /proc/meminfo (the kernel's estimate of what can be
/// allocated without swapping), bytes; nullopt when it cannot be read.
std::optional<int64_t> memory_available_bytes(const std::string& proc_root = "/proc");

}  // namespace effbench
