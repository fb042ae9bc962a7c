#pragma once
// CPU energy estimated where no sensor can be read (VMs, containers, locked
// RAPL): E = P x utilisation x T, with P from the CPU's TDP. Labelled
// measured: false, source "estimate", with its formula in the reading.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meters/meter.h"
#include "meters/sampling.h"

namespace effbench {

/// One row of the shipped TDP table: manufacturer figures per chip.
struct CpuTdpEntry {
  const char* model_substring;  // matched against the CPU model name
  double tdp_w;                 // TDP / base power of one chip
  int64_t threads;              // hardware threads of one chip
};

/// The shipped table (a few common server and desktop CPUs).
const std::vector<CpuTdpEntry>& cpu_tdp_table();

/// The table row whose model_substring is the longest one contained in
/// `cpu_model` (so "6248R" wins over "6248"); nullopt when none matches.
std::optional<CpuTdpEntry> lookup_cpu_tdp(const std::string& cpu_model);

/// Busy and total jiffies of the aggregate "cpu" line of /proc/stat, and
/// its run queue.
struct CpuJiffies {
  uint64_t busy = 0;          // total - idle - iowait
  uint64_t total = 0;         // user+nice+system+idle+iowait+irq+softirq+steal (guest is inside user)
  uint64_t steal = 0;         // given by the hypervisor to other guests (inside busy)
  int64_t procs_running = 0;  // the "procs_running" line: runnable threads now
};
std::optional<CpuJiffies> parse_proc_stat(const std::string& text);

// Note [CPU energy estimate]
// P is the TDP of the chips the process can see: with the table, TDP x share,
// share = logical cores / threads per chip (a VM with 8 of a 128-thread chip's
// threads gets 1/16 of it; two sockets get 2); with --cpu-tdp, the given watts
// as they are. TDP is a thermal design figure, not a measurement: real package
// power at full load can be above it, and idle power is not zero, so the
// estimate is a rough guide and never added to measured totals.
/// E = power_w x utilisation x duration_s, joules.
inline double estimate_cpu_joules(double power_w, double utilisation, double duration_s) {
  return power_w * utilisation * duration_s;
}

/// The estimate meter: TDP from options (cpu_tdp_w, or the table by
/// cpu_model), utilisation from /proc/stat deltas over the window, or the
/// process's CPU time / (wall x cores) when /proc/stat cannot be read.
class CpuEstimateMeter : public Meter {
 public:
  /// `process_cpu_s` returns this process's CPU seconds (user + system).
  explicit CpuEstimateMeter(const MeterOptions& options, ClockFn clock = steady_now_s,
                            ClockFn process_cpu_s = nullptr);

  std::string name() const override { return "estimate"; }
  std::vector<MeterStatus> status() const override;
  void start() override;
  void stop() override;
  std::vector<EnergyReading> readings() const override;

  /// Watts used for the estimate (nullopt when no TDP is known).
  std::optional<double> power_w() const { return power_w_; }

 private:
  std::optional<CpuJiffies> read_jiffies() const;

  MeterOptions options_;
  ClockFn clock_;
  ClockFn process_cpu_s_;
  int64_t cores_ = 1;
  std::optional<double> power_w_;
  std::string power_text_;    // "(280 W x 16/128 threads)"
  std::string power_origin_;  // where P came from
  std::string reason_;        // why no estimate
  bool has_window_ = false;
  double start_s_ = 0, stop_s_ = 0;
  double start_cpu_s_ = 0, stop_cpu_s_ = 0;
  std::optional<CpuJiffies> start_jiffies_, stop_jiffies_;
};

}  // namespace effbench
