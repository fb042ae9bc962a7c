#include "results/record.h"

#include <ctime>
#include <random>

namespace effbench {

namespace {
bool counts(const EnergyReading& r) {
  return r.available && !r.below_resolution && !r.cross_check && r.basis == "gross";
}
}  // namespace

double measured_total_joules(const std::vector<EnergyReading>& readings) {
  double total = 0;
  for (const auto& r : readings) {
    if (r.measured && counts(r) && r.scope != "psys") total += r.joules;
  }
  return total;
}

double estimated_total_joules(const std::vector<EnergyReading>& readings) {
  double total = 0;
  for (const auto& r : readings) {
    if (!r.measured && counts(r)) total += r.joules;
  }
  return total;
}

bool reading_belongs_to_case(const EnergyReading& reading, const std::string& case_device) {
  const bool gpu_reading = reading.scope == "gpu-board";
  if (case_device == "cpu") return !gpu_reading;
  return !gpu_reading || reading.device == case_device;
}

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
