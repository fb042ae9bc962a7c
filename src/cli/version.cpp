#include "cli/version.h"

#include "core/system_info.h"
#include "runner/devices.h"

namespace effbench {

std::string version_text() {
  const SystemInfo host = read_host_info();
  std::string text = "effbench " + host.effbench_version;
  if (!host.git_commit.empty()) text += " (commit " + host.git_commit + ")";
  text += "\n" + torch_build_text();
  return text;
}

}  // namespace effbench
