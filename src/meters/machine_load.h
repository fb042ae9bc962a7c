#pragma once
// Whether the machine was quiet during a case: what other processes and the
// hypervisor took from the cores effbench was given (Note [Busy machine]).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "meters/sampling.h"
#include "results/record.h"

namespace effbench {

// Note [Busy machine]
// Another job on the machine lowers every figure, and the windows of a case
// agree with each other all the same: a compiler at nice 19 on both cores
// made conv6 7x slower with a CV under 2%. So each case is bracketed by two
// cheap snapshots of /proc: the host's busy time and steal time
// (/proc/stat, in USER_HZ ticks), this process's CPU time (all its threads)
// and the run queue. Between them, others' cores = host busy cores - own
// cores (average over the case's wall time), steal cores = steal / wall.
// The case is marked busy, and warned about on screen, in the JSON and in
// the report, when others took more than kBusyShare of the cores effbench
// was given (at least kBusyFloorCores, above the background noise of a
// quiet system's daemons), or the hypervisor stole as much. A data-parallel
// case is not judged: its other ranks are other processes on the same cores
// by design. A command case (effbench monitor) counts the command's process
// tree as its own: own CPU time adds the children effbench has waited for
// (RUSAGE_CHILDREN), and the end snapshot is taken after the command was
// reaped. (A descendant the command never waited for, a daemon it left
// running, is counted as another process.)
inline constexpr double kBusyShare = 0.10;
inline constexpr double kBusyFloorCores = 0.10;

/// What the machine was doing at one moment.
struct LoadSnapshot {
  double wall_s = 0;
  double own_cpu_s = 0;                 // this process and its waited-for children, user + system
  std::optional<uint64_t> busy_ticks;   // host: total - idle - iowait (steal excluded)
  std::optional<uint64_t> steal_ticks;  // host: stolen by the hypervisor
  int64_t procs_running = 0;
  std::optional<double> cpu_mhz;  // mean "cpu MHz" over /proc/cpuinfo's processors
  std::string governor;           // empty: no cpufreq
  std::optional<bool> smt_active;
  int64_t affinity_cores = 0;
};

/// Reads `proc_root`/stat and /cpuinfo, `sys_root`/devices/system/cpu and
/// this process's CPU time and affinity. A missing or unreadable /proc leaves
/// the host fields empty (no judgement then).
LoadSnapshot take_load_snapshot(const std::string& proc_root = "/proc", ClockFn clock = steady_now_s,
                                const std::string& sys_root = "/sys");

/// The load between two snapshots, judged against `cores_given` (Note [Busy
/// machine]); `ticks_per_s` is USER_HZ. Empty when the host fields are.
std::optional<MachineLoad> machine_load_between(const LoadSnapshot& begin, const LoadSnapshot& end,
                                                int64_t cores_given, double ticks_per_s);

/// The warning for a busy case, saying what was seen and what to do.
std::string busy_machine_warning(const MachineLoad& load);

/// Clock-throttle reasons that mean a GPU was slowed by heat or its
/// hardware, not by its ordinary power cap or idleness.
bool is_slowdown_reason(const std::string& throttle_reason_name);

/// A command case's own processes on the GPUs: moves every process whose PID
/// is in `tree_pids` out of the readings' NVML process lists (so that it is
/// not warned about as another user of the GPU) into `claimed`, once per PID
/// with the largest memory seen.
void claim_command_gpu_processes(const std::set<int64_t>& tree_pids, std::vector<EnergyReading>& readings,
                                 std::vector<GpuProcess>& claimed);

/// Warnings about a CUDA case's GPU, from its NVML readings' start and end
/// states: other processes on it (Note [Others on a GPU] in
/// meters/nvml_meter.h) and clocks slowed by heat or hardware at the end.
/// A listed PID with no `proc_root`/PID directory is said to be outside this
/// PID namespace. Empty for a cpu case or without NVML states.
std::vector<std::string> gpu_state_warnings(const CaseRecord& record, const std::string& proc_root = "/proc");

}  // namespace effbench
