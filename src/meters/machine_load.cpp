#include "meters/machine_load.h"

#include <sched.h>

#include <sys/stat.h>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "core/units.h"
#include "meters/cpu_estimate_meter.h"

namespace effbench {
namespace {}  // namespace

// The mean of the "cpu MHz" lines (x86 and some others; absent on many ARM kernels).
std::optional<double> mean_cpu_mhz(const std::string& cpuinfo) {
  std::istringstream lines(cpuinfo);
  double sum = 0;
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    try {
      sum += std::stod(line.substr(colon + 1));
      ++count;
    } catch (const std::exception&) {
    }
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

std::string first_word(const std::string& text) {
  std::istringstream words(text);
  std::string word;
  words >> word;
  return word;
}

LoadSnapshot take_load_snapshot(const std::string& proc_root, ClockFn clock, const std::string& sys_root) {
  LoadSnapshot s;
  s.wall_s = clock();
  s.own_cpu_s = process_cpu_s() + waited_children_cpu_s();  // Note [Busy machine]: a command's tree
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) s.affinity_cores = CPU_COUNT(&allowed);
  const std::string cpu_dir = sys_root + "/devices/system/cpu";
  if (const FileRead governor = read_small_file(cpu_dir + "/cpu0/cpufreq/scaling_governor"); governor.ok) {
    s.governor = first_word(governor.text);
  }
  if (const FileRead smt = read_small_file(cpu_dir + "/smt/active"); smt.ok) {
    const std::string value = first_word(smt.text);
    if (value == "0" || value == "1") s.smt_active = value == "1";
  }
  if (const FileRead cpuinfo = read_small_file(proc_root + "/cpuinfo"); cpuinfo.ok) {
    s.cpu_mhz = mean_cpu_mhz(cpuinfo.text);
  }
  const FileRead stat = read_small_file(proc_root + "/stat");
  if (!stat.ok) return s;
  if (const auto jiffies = parse_proc_stat(stat.text)) {
    s.busy_ticks = jiffies->busy - jiffies->steal;
    s.steal_ticks = jiffies->steal;
    s.procs_running = jiffies->procs_running;
  }
  return s;
}

std::optional<MachineLoad> machine_load_between(const LoadSnapshot& begin, const LoadSnapshot& end,
                                                int64_t cores_given, double ticks_per_s) {
  const double wall_s = end.wall_s - begin.wall_s;
  if (!begin.busy_ticks || !end.busy_ticks || wall_s <= 0 || ticks_per_s <= 0) return std::nullopt;
  MachineLoad load;
  load.wall_s = wall_s;
  load.cores_given = cores_given;
  load.host_busy_cores = static_cast<double>(*end.busy_ticks - *begin.busy_ticks) / ticks_per_s / wall_s;
  load.steal_cores = static_cast<double>(*end.steal_ticks - *begin.steal_ticks) / ticks_per_s / wall_s;
  load.own_cores = (end.own_cpu_s - begin.own_cpu_s) / wall_s;
  // The host's ticks are counted per tick, the process's time exactly: a
  // quiet host can read a little below the process, hence the floor at 0.
  load.others_cores = std::max(0.0, load.host_busy_cores - load.own_cores);
  load.procs_running_end = end.procs_running;
  load.cpu_mhz_begin = begin.cpu_mhz;
  load.cpu_mhz_end = end.cpu_mhz;
  load.governor = end.governor;
  load.smt_active = end.smt_active;
  load.affinity_cores = end.affinity_cores;
  const double allowed_cores = std::max(kBusyFloorCores, kBusyShare * static_cast<double>(cores_given));
  load.busy = load.others_cores > allowed_cores || load.steal_cores > allowed_cores;
  return load;
}

std::string busy_machine_warning(const MachineLoad& load) {
  const double given = static_cast<double>(std::max<int64_t>(1, load.cores_given));
  const std::string taken =
      load.others_cores >= load.steal_cores
          ? "other processes used " + format_number(load.others_cores) + " cores"
          : "the hypervisor gave " + format_number(load.steal_cores) + " cores to other guests (steal time)";
  const double share = std::max(load.others_cores, load.steal_cores) / given;
  return "busy machine: " + taken + " on average during this case, " + format_number(100 * share) +
         "% of the " + std::to_string(load.cores_given) + (load.cores_given == 1 ? " core" : " cores") +
         " effbench was given; its figures are likely too low, even if its windows agree. Stop the other "
         "jobs (top shows them) and run again, or give effbench fewer --threads than the free cores";
}

bool is_slowdown_reason(const std::string& name) {
  return name == "hw_slowdown" || name == "sw_thermal_slowdown" || name == "hw_thermal_slowdown" ||
         name == "hw_power_brake_slowdown";
}

void claim_command_gpu_processes(const std::set<int64_t>& tree_pids, std::vector<EnergyReading>& readings,
                                 std::vector<GpuProcess>& claimed) {
  const auto claim = [&](const GpuProcess& p) {
    for (auto& known : claimed) {
      if (known.pid != p.pid) continue;
      if (p.used_memory_bytes)
        known.used_memory_bytes = std::max(known.used_memory_bytes.value_or(0), *p.used_memory_bytes);
      return;
    }
    claimed.push_back(p);
  };
  for (auto& r : readings) {
    for (auto* state : {&r.state_start, &r.state_end}) {
      if (!*state || !(*state)->other_processes) continue;
      auto& listed = *(*state)->other_processes;
      for (const auto& p : listed) {
        if (tree_pids.count(p.pid) != 0) claim(p);
      }
      listed.erase(std::remove_if(listed.begin(), listed.end(),
                                  [&](const GpuProcess& p) { return tree_pids.count(p.pid) != 0; }),
                   listed.end());
    }
  }
}

std::vector<std::string> gpu_state_warnings(const CaseRecord& record, const std::string& proc_root) {
  std::vector<std::string> warnings;
  if (!record.device.is_cuda()) return warnings;
  const std::string device = record.device.str();
  std::map<int64_t, GpuProcess> others;  // by PID, over the start and end of every window
  std::optional<DeviceState> end;
  for (const auto& r : record.energy) {
    // Only this process's own reading of its GPU: in a data-parallel case rank 0 holds every rank's
    // readings (other hosts' cuda:0 among them), and a cross-check repeats one.
    if (r.scope != "gpu-board" || r.device != device || r.cross_check || r.rank.value_or(0) != 0) continue;
    for (const auto* state : {&r.state_start, &r.state_end}) {
      if (!*state || !(*state)->other_processes) continue;
      for (const auto& p : *(*state)->other_processes) others.emplace(p.pid, p);
    }
    if (r.state_end) end = r.state_end;
  }
  if (!others.empty()) {
    std::string listed;
    bool unseen = false;
    for (const auto& [pid, p] : others) {
      struct stat info {};
      const bool here = ::stat((proc_root + "/" + std::to_string(pid)).c_str(), &info) == 0;
      unseen = unseen || !here;
      listed +=
          (listed.empty() ? "" : ", ") + std::string("pid ") + std::to_string(pid) + " " + p.kind +
          (p.used_memory_bytes ? " (" + format_bytes(static_cast<double>(*p.used_memory_bytes)) + ")" : "") +
          (here ? "" : " [not in this PID namespace]");
    }
    warnings.push_back(
        "shared GPU: other processes used " + device + " during this case: " + listed +
        "; they share its time and memory, so its figures are likely too low, even if its windows agree. "
        "Stop "
        "them (nvidia-smi lists them) or run on a GPU no one else uses (--device cuda:N)" +
        (unseen ? "; a PID outside this PID namespace may be another container, or effbench itself when NVML "
                  "cannot map it"
                : ""));
  }
  if (end) {
    std::string slowed;
    for (const auto& name : end->throttle_reason_names) {
      if (is_slowdown_reason(name)) slowed += (slowed.empty() ? "" : ", ") + name;
    }
    if (!slowed.empty()) {
      warnings.push_back(
          "throttled GPU: " + device + " was slowed by " + slowed + " at the end of this case" +
          (end->temperature_c ? ", " + format_number(*end->temperature_c) + " C" : "") +
          (end->sm_clock_mhz ? ", SM clock " + format_number(*end->sm_clock_mhz) + " MHz" : "") +
          "; its figures are those of a throttled GPU. Check its cooling and power cables, or "
          "let it cool between runs");
    }
  }
  return warnings;
}

}  // namespace effbench
