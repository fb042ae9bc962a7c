#include "meters/memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "meters/sampling.h"

namespace effbench {

bool reset_peak_rss(const std::string& proc_self) {
  // See Note [Peak RSS reset].
  const std::string path = proc_self + "/clear_refs";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

std::optional<int64_t> parse_vm_hwm_bytes(const std::string& status_text) {
  std::istringstream lines(status_text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    int64_t value = 0;
    std::string unit;
    if (!(fields >> value >> unit) || unit != "kB") return std::nullopt;
    return value * 1024;
  }
  return std::nullopt;
}

std::optional<int64_t> read_peak_rss_bytes(const std::string& proc_self) {
  const FileRead status = read_small_file(proc_self + "/status");
  if (!status.ok) return std::nullopt;
  return parse_vm_hwm_bytes(status.text);
}

}  // namespace effbench
