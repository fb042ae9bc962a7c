#include "core/units.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace effbench {

std::string format_bytes(double bytes) {
  static const std::array<const char*, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (std::fabs(bytes) >= 1024.0 && unit + 1 < kUnits.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), unit == 0 ? "%.0f %s" : "%.2f %s", bytes, kUnits[unit]);
  return buffer;
}

std::string format_si(double value, const std::string& unit) {
  static const std::array<const char*, 7> kPrefixes = {"", "k", "M", "G", "T", "P", "E"};
  size_t prefix = 0;
  while (std::fabs(value) >= 1000.0 && prefix + 1 < kPrefixes.size()) {
    value /= 1000.0;
    ++prefix;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.3g %s%s", value, kPrefixes[prefix], unit.c_str());
  return buffer;
}

std::string format_number(double value) {
  char buffer[64];
  const double magnitude = std::fabs(value);
  if (!std::isfinite(value)) {
    std::snprintf(buffer, sizeof(buffer), "%g", value);
  } else if (magnitude >= 1e9) {
    std::snprintf(buffer, sizeof(buffer), "%.3e", value);
  } else if (magnitude >= 1000 || value == 0) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else if (magnitude >= 100) {
    std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  } else if (magnitude >= 10) {
    std::snprintf(buffer, sizeof(buffer), "%.2f", value);
  } else if (magnitude >= 0.001) {
    std::snprintf(buffer, sizeof(buffer), "%.4g", value);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.3e", value);
  }
  return buffer;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace effbench
