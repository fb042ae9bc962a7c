#pragma once
// Human-readable formatting of measured quantities. No torch.

#include <cstdint>
#include <string>

namespace effbench {

/// "1.23 GiB", "512 MiB", "900 B".
std::string format_bytes(double bytes);

/// Three significant digits with an SI prefix: format_si(1.5e9, "FLOP") = "1.5 GFLOP".
std::string format_si(double value, const std::string& unit);

/// A value with about four significant digits, no exponent below 1e9: "1234", "12.35", "0.1235".
std::string format_number(double value);

/// ISO-8601 UTC timestamp of the current time, e.g. "2026-11-22T22:28:46Z".
std::string utc_now_iso8601();

}  // namespace effbench
