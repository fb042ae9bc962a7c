#include "meters/rapl_meter.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace effbench {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// "intel-rapl:0:2" -> "0"; "" when the name has no package index.
std::string package_index(const std::string& dir_name) {
  const auto first = dir_name.find(':');
  if (first == std::string::npos) return "";
  const auto second = dir_name.find(':', first + 1);
  return dir_name.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

// Note [RAPL permissions]
// Since Linux 5.10 (CVE-2020-8694, "Platypus") energy_uj is mode 0400 root on
// most distributions: an unprivileged read fails with EACCES. That is a setup
// matter, not an error: the reading is unavailable with the fix (docs/energy.md).
std::string read_failure_reason(const std::string& path, int error) {
  if (error == EACCES || error == EPERM) {
    return "permission denied reading " + path +
           " (root-only on most kernels); run as root, or make energy_uj readable with a udev rule or "
           "`sudo chmod a+r " +
           path + "` (see docs/energy.md)";
  }
  return "cannot read " + path + ": " + std::strerror(error);
}

}  // namespace

std::vector<RaplZone> find_rapl_zones(const std::string& powercap_root, const FileReader& reader) {
  std::vector<RaplZone> zones;
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(powercap_root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string dir_name = it->path().filename().string();
    // intel-rapl-mmio:* repeats the package zone through MMIO: drop it.
    if (dir_name.rfind("intel-rapl:", 0) == 0) names.push_back(dir_name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& dir_name : names) {
    const std::string path = powercap_root + "/" + dir_name;
    const FileRead name_file = reader(path + "/name");
    if (!name_file.ok) continue;
    RaplZone zone;
    zone.path = path;
    zone.name = trim(name_file.text);
    if (zone.name.rfind("package", 0) == 0) {
      zone.scope = "cpu-package";
      zone.device = zone.name;  // "package-0"
    } else if (zone.name == "dram") {
      zone.scope = "dram";
      zone.device = "dram-" + package_index(dir_name);
    } else if (zone.name == "psys") {
      zone.scope = "psys";  // whole platform: kept apart, it overlaps package and dram
      zone.device = "psys";
    } else {
      continue;  // core, uncore: already inside the package figure
    }
    zones.push_back(zone);
  }
  return zones;
}

RaplMeter::RaplMeter(const MeterOptions& options, FileReader reader, ClockFn clock)
    : options_(options), reader_(std::move(reader)), clock_(std::move(clock)) {
  double min_wrap_s = 0;
  for (const auto& zone : find_rapl_zones(options_.powercap_root, reader_)) {
    ZoneState state;
    state.zone = zone;
    const std::string energy_path = zone.path + "/energy_uj";
    const FileRead energy = reader_(energy_path);
    uint64_t raw = 0;
    if (!energy.ok) {
      state.reason = read_failure_reason(energy_path, energy.error);
    } else if (!parse_u64(energy.text, raw)) {
      state.reason = "unexpected content in " + energy_path + ": '" + trim(energy.text) + "'";
    } else {
      state.available = true;
    }
    const FileRead range = reader_(zone.path + "/max_energy_range_uj");
    if (range.ok) parse_u64(range.text, state.max_range_uj);
    state.counter = WrappingCounter(state.max_range_uj);
    if (state.available && state.max_range_uj > 0) {
      const double wrap_s = static_cast<double>(state.max_range_uj) * 1e-6 / kRaplMaxZonePowerW;
      min_wrap_s = min_wrap_s == 0 ? wrap_s : std::min(min_wrap_s, wrap_s);
    }
    zones_.push_back(std::move(state));
  }
  if (zones_.empty()) {
    no_zones_reason_ = "no RAPL package/dram zones under " + options_.powercap_root +
                       " (not exposed on this host: VM, container or no powercap driver)";
  }
  if (options_.sample_period_s > 0) {
    // See Note [Counter wrap]: two reads per shortest wrap period at the highest plausible power.
    thread_period_s_ = options_.sample_period_s;
    if (min_wrap_s > 0) thread_period_s_ = std::min(thread_period_s_, min_wrap_s / 2);
  }
}

RaplMeter::~RaplMeter() { thread_.stop(); }

bool RaplMeter::has_package() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& z : zones_) {
    if (z.available && z.zone.scope == "cpu-package") return true;
  }
  return false;
}

std::vector<MeterStatus> RaplMeter::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<MeterStatus> out;
  if (zones_.empty()) {
    out.push_back({"rapl", "rapl", "cpu-package", "", false, no_zones_reason_, ""});
  }
  for (const auto& z : zones_) {
    out.push_back({"rapl", "rapl", z.zone.scope, z.zone.device, z.available, z.reason,
                   z.available ? z.zone.path + "/energy_uj" : ""});
  }
  return out;
}

bool RaplMeter::read_counter(ZoneState& zone, uint64_t& raw) {
  const std::string path = zone.zone.path + "/energy_uj";
  const FileRead energy = reader_(path);
  if (energy.ok && parse_u64(energy.text, raw)) return true;
  ++zone.failed_reads;
  zone.last_error = energy.ok ? "unexpected content in " + path : read_failure_reason(path, energy.error);
  return false;
}

void RaplMeter::start() {
  thread_.stop();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const double t = clock_();
    window_start_s_ = t;
    window_stop_s_ = t;
    has_window_ = true;
    for (auto& z : zones_) {
      z.points.clear();
      z.samples = 0;
      z.failed_reads = 0;
      z.last_error.clear();
      z.last_total_uj = 0;
      z.start_t_s = t;
      z.last_t_s = t;
      uint64_t raw = 0;
      if (z.available && read_counter(z, raw)) {
        z.counter.reset(raw);
        z.samples = 1;
      } else if (z.available) {
        z.available = false;
        z.reason = z.last_error;
      }
    }
  }
  if (thread_period_s_ > 0) thread_.start(thread_period_s_, [this] { sample(); });
}

void RaplMeter::sample() {
  std::lock_guard<std::mutex> lock(mutex_);
  sample_locked(clock_());
}

void RaplMeter::sample_locked(double t_s) {
  for (auto& z : zones_) {
    uint64_t raw = 0;
    if (!z.available || z.samples == 0 || !read_counter(z, raw)) continue;
    z.counter.add(raw);
    const double dt = t_s - z.last_t_s;
    if (dt > 0) {
      const double joules = static_cast<double>(z.counter.total() - z.last_total_uj) * 1e-6;
      // The interval's mean power, placed at its midpoint.
      z.points.push_back({0.5 * (z.last_t_s + t_s) - window_start_s_, joules / dt});
    }
    z.last_total_uj = z.counter.total();
    z.last_t_s = t_s;
    ++z.samples;
  }
}

void RaplMeter::stop() {
  thread_.stop();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!has_window_) return;
  window_stop_s_ = clock_();
  sample_locked(window_stop_s_);
}

std::vector<EnergyReading> RaplMeter::readings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<EnergyReading> out;
  if (zones_.empty()) {
    EnergyReading r;
    r.source = EnergySource::kRapl;
    r.scope = "cpu-package";
    r.measured = true;
    r.unavailable_reason = no_zones_reason_;
    out.push_back(r);
  }
  for (const auto& z : zones_) {
    EnergyReading r;
    r.source = EnergySource::kRapl;
    r.scope = z.zone.scope;
    r.device = z.zone.device;
    r.measured = true;
    if (!z.available || !has_window_ || z.samples < 2) {
      r.unavailable_reason = !z.available   ? z.reason
                             : !has_window_ ? "no window was metered"
                                            : "no counter read succeeded after the start: " + z.last_error;
      out.push_back(r);
      continue;
    }
    r.available = true;
    r.duration_s = z.last_t_s - z.start_t_s;
    r.joules = static_cast<double>(z.counter.total()) * 1e-6;
    r.sensor_reads = z.samples;
    r.period_s = r.duration_s / static_cast<double>(z.samples - 1);
    if (r.duration_s < kRaplUpdatePeriodS) {
      // Never report a counter that had no time to tick as 0 J.
      r.below_resolution = true;
      r.joules = 0;
      r.warnings.push_back("window of " + std::to_string(r.duration_s) +
                           " s is shorter than RAPL's update period (about 1 ms): below resolution");
    } else {
      r.avg_power_w = r.joules / r.duration_s;
    }
    if (z.counter.wraps() > 0) {
      r.warnings.push_back("counter wrapped " + std::to_string(z.counter.wraps()) +
                           " time(s); corrected with max_energy_range_uj");
    }
    if (z.counter.unexplained_decreases() > 0) {
      r.warnings.push_back("counter decreased without a known max_energy_range_uj; " +
                           std::to_string(z.counter.unexplained_decreases()) +
                           " interval(s) not counted: energy is a lower bound");
    }
    if (z.failed_reads > 0) {
      r.warnings.push_back(std::to_string(z.failed_reads) + " counter read(s) failed (" + z.last_error +
                           "); the following read covered the gap");
    }
    if (window_stop_s_ - z.last_t_s > 0) {
      r.warnings.push_back("the final read failed: the reading ends " +
                           std::to_string(window_stop_s_ - z.last_t_s) + " s before the window");
    }
    out.push_back(r);
  }
  return out;
}

std::vector<PowerTimeline> RaplMeter::timelines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<PowerTimeline> out;
  for (const auto& z : zones_) {
    if (!z.available || z.points.empty()) continue;
    out.push_back({"rapl", z.zone.device, decimate(z.points, options_.max_timeline_points)});
  }
  return out;
}

}  // namespace effbench
