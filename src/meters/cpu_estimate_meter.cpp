#include "meters/cpu_estimate_meter.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>

namespace effbench {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

const std::vector<CpuTdpEntry>& cpu_tdp_table() {
  // Manufacturer TDP (AMD) / base power (Intel) and threads per chip, from
  // the vendors' product pages (ark.intel.com, amd.com). Extend freely.
  static const std::vector<CpuTdpEntry> table = {
      {"EPYC 9654", 360, 192},
      {"EPYC 9554", 360, 128},
      {"EPYC 7763", 280, 128},
      {"EPYC 7742", 225, 128},
      {"EPYC 7543", 225, 64},
      {"Xeon(R) Platinum 8480", 350, 112},
      {"Xeon(R) Platinum 8468", 350, 96},
      {"Xeon(R) Platinum 8380", 270, 80},
      {"Xeon(R) Platinum 8358", 250, 64},
      {"Xeon(R) Platinum 8280", 205, 56},
      {"Xeon(R) Gold 6248R", 205, 48},
      {"Xeon(R) Gold 6248", 150, 40},
      {"i9-13900K", 125, 32},
      {"i7-12700K", 125, 20},
      {"Ryzen 9 7950X", 170, 32},
      {"Ryzen 9 5950X", 105, 32},
  };
  return table;
}

std::optional<CpuTdpEntry> lookup_cpu_tdp(const std::string& cpu_model) {
  std::optional<CpuTdpEntry> best;
  size_t best_length = 0;
  for (const auto& entry : cpu_tdp_table()) {
    const std::string key = entry.model_substring;
    if (cpu_model.find(key) != std::string::npos && key.size() > best_length) {
      best = entry;
      best_length = key.size();
    }
  }
  return best;
}

std::optional<CpuJiffies> parse_proc_stat(const std::string& text) {
  std::optional<CpuJiffies> j;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string label;
    fields >> label;
    if (label == "cpu" && !j) {
      // user nice system idle iowait irq softirq steal [guest guest_nice]
      uint64_t v[8] = {};
      int n = 0;
      while (n < 8 && fields >> v[n]) ++n;
      if (n < 4) return std::nullopt;
      j = CpuJiffies{};
      for (int i = 0; i < n; ++i) j->total += v[i];
      const uint64_t idle = v[3] + v[4];
      j->busy = j->total - idle;
      j->steal = v[7];
    } else if (label == "procs_running" && j) {
      fields >> j->procs_running;
    }
  }
  return j;
}

CpuEstimateMeter::CpuEstimateMeter(const MeterOptions& options, ClockFn clock, ClockFn process_cpu_s)
    : options_(options),
      clock_(std::move(clock)),
      process_cpu_s_(process_cpu_s ? std::move(process_cpu_s) : ClockFn(&effbench::process_cpu_s)) {
  cores_ = options_.logical_cores > 0 ? options_.logical_cores
                                      : std::max<int64_t>(1, std::thread::hardware_concurrency());
  // See Note [CPU energy estimate].
  if (options_.cpu_tdp_w) {
    power_w_ = *options_.cpu_tdp_w;
    power_text_ = number(*power_w_) + " W";
    power_origin_ = "P: --cpu-tdp";
  } else if (const auto entry = lookup_cpu_tdp(options_.cpu_model)) {
    const double share = static_cast<double>(cores_) / static_cast<double>(entry->threads);
    power_w_ = entry->tdp_w * share;
    power_text_ = "(" + number(entry->tdp_w) + " W x " + std::to_string(cores_) + "/" +
                  std::to_string(entry->threads) + " threads)";
    power_origin_ = std::string("P: TDP of '") + entry->model_substring +
                    "' from effbench's table x share of its threads";
  } else {
    reason_ = "no TDP known for CPU '" + options_.cpu_model +
              "' (not in effbench's table); pass --cpu-tdp W to estimate CPU energy";
  }
}

std::vector<MeterStatus> CpuEstimateMeter::status() const {
  return {{"estimate", "estimate", "cpu-package", "cpu", power_w_.has_value(), reason_,
           power_w_ ? "P = " + power_text_ + "; " + power_origin_ : ""}};
}

std::optional<CpuJiffies> CpuEstimateMeter::read_jiffies() const {
  const FileRead stat = read_small_file(options_.proc_root + "/stat");
  if (!stat.ok) return std::nullopt;
  return parse_proc_stat(stat.text);
}

void CpuEstimateMeter::start() {
  has_window_ = true;
  start_jiffies_ = read_jiffies();
  start_cpu_s_ = process_cpu_s_();
  start_s_ = clock_();
}

void CpuEstimateMeter::stop() {
  if (!has_window_) return;
  stop_s_ = clock_();
  stop_cpu_s_ = process_cpu_s_();
  stop_jiffies_ = read_jiffies();
}

std::vector<EnergyReading> CpuEstimateMeter::readings() const {
  EnergyReading r;
  r.source = EnergySource::kEstimate;
  r.scope = "cpu-package";
  r.device = "cpu";
  r.measured = false;
  if (!power_w_ || !has_window_) {
    r.unavailable_reason = power_w_ ? "no window was metered" : reason_;
    return {r};
  }
  r.available = true;
  r.duration_s = stop_s_ - start_s_;
  r.sensor_reads = 2;
  r.period_s = r.duration_s;
  double utilisation = 0;
  std::string utilisation_text;
  if (start_jiffies_ && stop_jiffies_ && stop_jiffies_->total > start_jiffies_->total) {
    utilisation = static_cast<double>(stop_jiffies_->busy - start_jiffies_->busy) /
                  static_cast<double>(stop_jiffies_->total - start_jiffies_->total);
    utilisation_text = "whole-system utilisation from " + options_.proc_root + "/stat";
  } else if (r.duration_s > 0) {
    utilisation = (stop_cpu_s_ - start_cpu_s_) / (r.duration_s * static_cast<double>(cores_));
    utilisation_text =
        "utilisation = this process's CPU time / (wall x " + std::to_string(cores_) + " cores)";
    r.warnings.push_back(options_.proc_root + "/stat gave no usable delta; used the process's CPU time");
  }
  utilisation = std::min(1.0, std::max(0.0, utilisation));
  r.joules = estimate_cpu_joules(*power_w_, utilisation, r.duration_s);
  r.avg_power_w = r.duration_s > 0 ? r.joules / r.duration_s : 0;
  r.formula = "E = P x utilisation x T = " + power_text_ + " x " + number(utilisation) + " x " +
              number(r.duration_s) + " s = " + number(r.joules) + " J; " + power_origin_ + "; " +
              utilisation_text;
  return {r};
}

}  // namespace effbench
