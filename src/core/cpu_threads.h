#pragma once
// How many CPU threads effbench computes on, and where they may run (Note
// [CPU threads] in cpu_threads.cpp). Chosen once per run by the runner
// (configure_threads); recorded with every run (SystemInfo::cpu_threads).

#include <cstdint>
#include <string>
#include <vector>

namespace effbench {

/// The CPUs this process may run on (sched_getaffinity: taskset, cgroup
/// cpusets), ascending; every online CPU when the call fails.
std::vector<int> allowed_cpus();

/// CPUs 0 .. std::thread::hardware_concurrency() - 1 (the online ones).
std::vector<int> online_cpus();

/// Physical cores among `cpus`, from /proc/cpuinfo text: the distinct
/// (physical id, core id) pairs of those processors. cpus.size() when the
/// text has no topology (e.g. arm64, or a VM that hides it).
int64_t physical_cores_among(const std::string& cpuinfo_text, const std::vector<int>& cpus);

/// "0-3,8,10-11": a CPU list in the kernel's own notation (taskset -c).
std::string cpu_list_text(const std::vector<int>& cpus);

/// Whether the OpenMP variables bind threads to CPUs (OMP_PROC_BIND other
/// than false, OMP_PLACES, GOMP_CPU_AFFINITY or KMP_AFFINITY set).
bool openmp_binds_threads();

/// The CPUs effbench may compute on: allowed_cpus(), or every online CPU
/// where the OpenMP runtime binds threads (Note [CPU threads]).
std::vector<int> usable_cpus();

/// The default thread count: one per physical core of usable_cpus().
int64_t default_cpu_threads();

/// Describes the thread count `threads` (`chosen` when --threads gave it),
/// the CPUs it may run on and the OpenMP variables that move CPU figures;
/// stores the text for cpu_threads_setting() and returns it.
std::string describe_cpu_threads(int64_t threads, bool chosen);

/// The text describe_cpu_threads() stored (empty before, e.g. in tests).
const std::string& cpu_threads_setting();

}  // namespace effbench
