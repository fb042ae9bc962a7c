#include "results/record.h"

#include <ctime>
#include <random>

namespace effbench {

std::string make_run_id(const std::string& hostname) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &utc);
  std::random_device device;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06x", device() & 0xffffffu);
  std::string host;
  for (char c : hostname.substr(0, 24)) host += (std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  if (host.empty()) host = "host";
  return std::string(stamp) + "-" + host + "-" + suffix;
}

}  // namespace effbench
