#pragma once
// Host memory of this process (no torch): peak resident set size.

#include <cstdint>
#include <optional>
#include <string>

namespace effbench {

// Note [Peak RSS reset]
// VmHWM is the process's peak RSS since start, unless "5" is written to
// /proc/self/clear_refs (Linux >= 4.0), which resets it to the current RSS.
// Without that permission the peak carries over from earlier cases, so a
// case's figure is then an upper bound.

/// Resets the peak RSS (VmHWM) to the current RSS; returns false (and does
/// nothing else) when not permitted. `proc_self` is "/proc/self" except in tests.
bool reset_peak_rss(const std::string& proc_self = "/proc/self");

/// Peak RSS (VmHWM) in bytes; nullopt when it cannot be read.
std::optional<int64_t> read_peak_rss_bytes(const std::string& proc_self = "/proc/self");

/// VmHWM of a /proc/<pid>/status text, bytes.
std::optional<int64_t> parse_vm_hwm_bytes(const std::string& status_text);

}  // namespace effbench
