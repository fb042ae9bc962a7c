#include "core/cpu_threads.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

namespace effbench {

// Note [CPU threads]
// effbench computes on one thread per physical core this process may use
// (its affinity mask: taskset, a container's cpuset), not one per logical
// CPU. Two SMT siblings share one core's vector units, so for convolutions
// and matrix products a second thread on the sibling adds a share of the
// work and a synchronisation but no arithmetic; Intel's and PyTorch's CPU
// guidance says the same, and PyTorch's own launcher
// (python -m torch.backends.xeon.run_cpu) runs on physical cores unless told
// --use-logical-core. The build VM has no SMT (2 logical = 2 physical), so
// this choice is not measured here; --threads N overrides it and is recorded.
//
// The OpenMP runtime reads its variables (OMP_WAIT_POLICY, OMP_PROC_BIND,
// OMP_PLACES, GOMP_CPU_AFFINITY, GOMP_SPINCOUNT, KMP_*) once, when LibTorch
// loads it, before main(): effbench cannot change them, so it records those
// set. What each does to throughput here is measured by
// bench/cpu_settings.sh, defaults against each variant in the same run.
// Where one of them binds threads (OMP_PROC_BIND, OMP_PLACES,
// GOMP_CPU_AFFINITY, KMP_AFFINITY), the runtime has already bound the main
// thread to the first place, so this thread's affinity mask no longer says
// which CPUs the process may use (OMP_PROC_BIND=close OMP_PLACES=cores gave
// a mask of CPU 0 alone, and one thread, on the 2-core VM): the default then
// counts the physical cores of every online CPU and leaves placement to the
// runtime.

namespace {

std::string& setting() {
  static std::string value;
  return value;
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// The OpenMP variables set in the environment, "NAME=value" joined by spaces.
std::string openmp_variables() {
  static const char* const kNames[] = {"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OMP_PROC_BIND",
                                       "OMP_PLACES",      "OMP_DYNAMIC",     "GOMP_CPU_AFFINITY",
                                       "GOMP_SPINCOUNT",  "KMP_AFFINITY",    "KMP_BLOCKTIME"};
  std::string text;
  for (const char* name : kNames) {
    if (const char* value = std::getenv(name))
      text += (text.empty() ? "" : " ") + std::string(name) + "=" + value;
  }
  return text;
}

}  // namespace

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
    }
  }
  return cpus.empty() ? online_cpus() : cpus;
}

std::vector<int> online_cpus() {
  std::vector<int> online(static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
  std::iota(online.begin(), online.end(), 0);
  return online;
}

int64_t physical_cores_among(const std::string& cpuinfo_text, const std::vector<int>& cpus) {
  const std::set<int> wanted(cpus.begin(), cpus.end());
  std::set<std::pair<std::string, std::string>> cores;
  std::istringstream lines(cpuinfo_text);
  int processor = -1;
  std::string physical_id;
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "processor") {
      processor = std::atoi(value.c_str());
      physical_id.clear();
    } else if (key == "physical id") {
      physical_id = value;
    } else if (key == "core id" && wanted.count(processor) != 0) {
      cores.insert({physical_id, value});
    }
  }
  return cores.empty() ? static_cast<int64_t>(cpus.size()) : static_cast<int64_t>(cores.size());
}

std::string cpu_list_text(const std::vector<int>& cpus) {
  std::string text;
  for (size_t i = 0; i < cpus.size();) {
    size_t last = i;
    while (last + 1 < cpus.size() && cpus[last + 1] == cpus[last] + 1) ++last;
    text += (text.empty() ? "" : ",") + std::to_string(cpus[i]);
    if (last > i) text += "-" + std::to_string(cpus[last]);
    i = last + 1;
  }
  return text;
}

bool openmp_binds_threads() {
  const char* bind = std::getenv("OMP_PROC_BIND");
  const bool bind_off = bind != nullptr && (std::string(bind) == "false" || std::string(bind) == "FALSE");
  return !bind_off && (bind != nullptr || std::getenv("OMP_PLACES") != nullptr ||
                       std::getenv("GOMP_CPU_AFFINITY") != nullptr || std::getenv("KMP_AFFINITY") != nullptr);
}

std::vector<int> usable_cpus() { return openmp_binds_threads() ? online_cpus() : allowed_cpus(); }

int64_t default_cpu_threads() {
  std::ifstream in("/proc/cpuinfo");
  std::stringstream cpuinfo;
  cpuinfo << in.rdbuf();
  return physical_cores_among(cpuinfo.str(), usable_cpus());
}

std::string describe_cpu_threads(int64_t threads, bool chosen) {
  const std::vector<int> cpus = usable_cpus();
  const std::string count = std::to_string(threads) + (threads == 1 ? " thread" : " threads");
  std::string text = chosen ? count + " (--threads)"
                            : count + ", one per physical core (Note [CPU threads]; --threads N to choose)";
  text += (openmp_binds_threads() ? "; online CPUs " : "; may run on CPUs ") + cpu_list_text(cpus) + " (" +
          std::to_string(cpus.size()) + " logical)";
  const std::string variables = openmp_variables();
  text += variables.empty() ? "; OpenMP defaults (threads not pinned, idle threads spin, then sleep)"
                            : "; OpenMP: " + variables;
  setting() = text;
  return text;
}

const std::string& cpu_threads_setting() { return setting(); }

}  // namespace effbench
