#include "meters/meter_set.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "meters/cpu_estimate_meter.h"
#include "meters/energy_uncertainty.h"
#include "meters/nvml_meter.h"
#include "meters/rapl_meter.h"

namespace effbench {

MeterOptions meter_options_for(const std::vector<Device>& devices, const SystemInfo& host) {
  MeterOptions options;
  options.cpu_model = host.cpu_model;
  options.logical_cores = host.logical_cores;
  for (const auto& device : devices) {
    if (!device.is_cuda()) continue;
    const auto index = static_cast<int>(device.index());
    auto& indices = options.cuda_device_indices;
    if (std::find(indices.begin(), indices.end(), index) == indices.end()) indices.push_back(index);
  }
  return options;
}

namespace {

// The sampled power of `reading`'s sensor in `timelines` (RaplMeter and
// NvmlMeter name their timelines "rapl" and "nvml-power"); empty when none.
std::vector<double> sampled_watts(const std::vector<PowerTimeline>& timelines, const EnergyReading& reading) {
  const bool nvml = reading.source == EnergySource::kNvmlEnergyCounter ||
                    reading.source == EnergySource::kNvmlPowerIntegral;
  const std::string source = reading.source == EnergySource::kRapl ? "rapl" : nvml ? "nvml-power" : "";
  std::vector<double> watts;
  for (const auto& t : timelines) {
    if (source.empty() || t.source != source || t.device != reading.device) continue;
    for (const auto& p : t.points) watts.push_back(p.watts);
  }
  return watts;
}

}  // namespace

MeterSet::MeterSet(std::vector<std::unique_ptr<Meter>> meters) : meters_(std::move(meters)) {}

MeterSet MeterSet::create(const MeterOptions& options) {
  std::vector<std::unique_ptr<Meter>> meters;
  auto rapl = std::make_unique<RaplMeter>(options);
  const bool cpu_measured = rapl->has_package();
  meters.push_back(std::move(rapl));
  if (!options.cuda_device_indices.empty()) meters.push_back(std::make_unique<NvmlMeter>(options));
  // Estimates only stand in for a missing sensor.
  if (!cpu_measured) meters.push_back(std::make_unique<CpuEstimateMeter>(options));
  return MeterSet(std::move(meters));
}

std::vector<MeterStatus> MeterSet::probe(const MeterOptions& options) {
  std::vector<MeterStatus> out = RaplMeter(options).status();
  for (auto& line : probe_nvml(options.nvml_library)) out.push_back(std::move(line));
  for (auto& line : CpuEstimateMeter(options).status()) out.push_back(std::move(line));
  return out;
}

void MeterSet::start() {
  for (auto& meter : meters_) meter->start();
}

void MeterSet::stop() {
  // Reverse order: the meter started first (closest to its window's start) stops last.
  for (auto it = meters_.rbegin(); it != meters_.rend(); ++it) (*it)->stop();
}

std::vector<EnergyReading> MeterSet::readings(int64_t samples_processed) const {
  std::vector<EnergyReading> out;
  for (const auto& meter : meters_) {
    for (auto& r : meter->readings()) {
      if (r.available && !r.below_resolution && samples_processed > 0) {
        r.joules_per_sample = r.joules / static_cast<double>(samples_processed);
      }
      out.push_back(r);
      const auto idle = idle_power_w_.find({r.source, r.scope, r.device});
      if (!r.measured || !r.available || r.below_resolution || idle == idle_power_w_.end()) continue;
      EnergyReading net = r;
      net.basis = EnergyBasis::kNet;
      net.idle_power_w = idle->second.value;
      net.idle_power_uncertainty_w = idle->second.half_width;
      net.joules = r.joules - idle->second.value * r.duration_s;
      net.avg_power_w = r.duration_s > 0 ? net.joules / r.duration_s : 0;
      net.joules_per_sample = samples_processed > 0 ? net.joules / static_cast<double>(samples_processed) : 0;
      if (net.joules < 0) {
        net.warnings.push_back(
            "net energy is negative: the window drew less than the idle baseline (noise, "
            "or the baseline was taken under load)");
      }
      out.push_back(net);
    }
  }
  return out;
}

std::vector<PowerTimeline> MeterSet::timelines() const {
  std::vector<PowerTimeline> out;
  for (const auto& meter : meters_) {
    for (auto& t : meter->timelines()) out.push_back(std::move(t));
  }
  return out;
}

std::optional<int64_t> MeterSet::device_used_bytes() const {
  std::optional<int64_t> total;
  for (const auto& meter : meters_) {
    if (const auto used = meter->device_used_bytes()) total = total.value_or(0) + *used;
  }
  return total;
}

void MeterSet::measure_idle(double seconds) {
  check(seconds > 0, "--idle-s: expected a positive number of seconds but got " + std::to_string(seconds));
  idle_power_w_.clear();
  start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop();
  std::vector<EnergyReading> idle;
  for (const auto& meter : meters_) {
    for (auto& r : meter->readings()) idle.push_back(std::move(r));
  }
  attach_uncertainty(idle);
  const std::vector<PowerTimeline> idle_timelines = timelines();
  for (const auto& r : idle) {
    if (r.measured && r.available && !r.below_resolution && r.duration_s > 0) {
      idle_power_w_[{r.source, r.scope, r.device}] = {
          r.joules / r.duration_s, idle_power_half_width_w(r, sampled_watts(idle_timelines, r))};
    }
  }
}

std::optional<double> MeterSet::idle_power_w(EnergySource source, const std::string& scope,
                                             const std::string& device) const {
  const auto it = idle_power_w_.find({source, scope, device});
  if (it == idle_power_w_.end()) return std::nullopt;
  return it->second.value;
}

std::vector<MeterStatus> MeterSet::status() const {
  std::vector<MeterStatus> out;
  for (const auto& meter : meters_) {
    for (auto& line : meter->status()) out.push_back(std::move(line));
  }
  return out;
}

}  // namespace effbench
