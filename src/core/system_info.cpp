#include "core/system_info.h"

#include "core/allocator.h"
#include "core/blas_threads.h"
#include "core/cpu_threads.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#ifndef EFFBENCH_VERSION
#define EFFBENCH_VERSION "0.0.0"
#endif
#ifndef EFFBENCH_GIT_COMMIT
#define EFFBENCH_GIT_COMMIT ""
#endif
#ifndef EFFBENCH_BUILD_TYPE
#define EFFBENCH_BUILD_TYPE ""
#endif

namespace effbench {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\"");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\"\n");
  return s.substr(begin, end - begin + 1);
}

// Value of the first "key : value" line whose key equals `key`.
std::string field(const std::string& text, const std::string& key, char separator) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto pos = line.find(separator);
    if (pos == std::string::npos) continue;
    if (trim(line.substr(0, pos)) == key) return trim(line.substr(pos + 1));
  }
  return "";
}

}  // namespace

bool cpu_has_native_bf16(const std::string& cpuinfo_text) {
  std::istringstream lines(cpuinfo_text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(
        line.substr(line.find(':') == std::string::npos ? line.size() : line.find(':') + 1));
    for (std::string word; words >> word;) {
      if (word == "avx512_bf16" || word == "amx_bf16") return true;
    }
    return false;  // every processor lists the same flags
  }
  return false;
}

std::optional<int64_t> memory_available_bytes(const std::string& proc_root) {
  std::istringstream value(field(read_text(proc_root + "/meminfo"), "MemAvailable", ':'));
  int64_t kib = 0;
  if (!(value >> kib) || kib <= 0) return std::nullopt;
  return kib * 1024;
}

bool this_cpu_has_native_bf16() {
  static const bool has = cpu_has_native_bf16(read_text("/proc/cpuinfo"));
  return has;
}

SystemInfo read_host_info(const std::string& proc_root) {
  SystemInfo info;
  info.allocator = allocator_setting();
  info.blas_threads = blas_threads_setting();
  info.cpu_threads = cpu_threads_setting();
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) info.hostname = host;

  const std::string cpuinfo = read_text(proc_root + "/cpuinfo");
  info.cpu_model = field(cpuinfo, "model name", ':');
  if (info.cpu_model.empty()) info.cpu_model = field(cpuinfo, "Model", ':');  // arm64
  info.logical_cores = static_cast<int64_t>(std::thread::hardware_concurrency());
  info.physical_cores = physical_cores_among(cpuinfo, online_cpus());

  const std::string meminfo = read_text(proc_root + "/meminfo");
  std::istringstream total(field(meminfo, "MemTotal", ':'));
  int64_t kib = 0;
  total >> kib;
  info.memory_bytes = kib * 1024;

  info.os = field(read_text("/etc/os-release"), "PRETTY_NAME", '=');
  struct utsname uts {};
  if (uname(&uts) == 0) info.kernel = std::string(uts.sysname) + " " + uts.release + " " + uts.machine;

#if defined(__clang__)
  info.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  info.compiler = "gcc " __VERSION__;
#endif
  info.build_type = EFFBENCH_BUILD_TYPE;
  info.git_commit = EFFBENCH_GIT_COMMIT;
  info.effbench_version = EFFBENCH_VERSION;
  return info;
}

}  // namespace effbench
