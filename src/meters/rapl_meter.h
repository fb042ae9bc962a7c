#pragma once
// CPU package, DRAM and platform (psys) energy from Linux powercap (RAPL), the
// same sysfs interface on Intel and AMD.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "meters/meter.h"
#include "meters/sampling.h"

namespace effbench {

/// One powercap zone effbench meters.
struct RaplZone {
  std::string path;    // zone directory
  std::string name;    // its `name` file: "package-0", "dram", "psys"
  std::string scope;   // cpu-package | dram | psys
  std::string device;  // package-0 | dram-0 | psys
};

/// Package, dram and psys zones under `powercap_root` (intel-rapl:N and
/// intel-rapl:N:M); core/uncore (inside the package) and intel-rapl-mmio
/// duplicates are skipped. Sorted by directory name.
std::vector<RaplZone> find_rapl_zones(const std::string& powercap_root, const FileReader& reader);

/// Meters every RAPL zone through energy_uj, with a sampling thread that reads
/// often enough for at most one counter wrap between reads.
class RaplMeter : public Meter {
 public:
  /// Probes the zones under options.powercap_root; never throws.
  explicit RaplMeter(const MeterOptions& options, FileReader reader = read_small_file,
                     ClockFn clock = steady_now_s);
  ~RaplMeter() override;

  std::string name() const override { return "rapl"; }
  std::vector<MeterStatus> status() const override;
  void start() override;
  void stop() override;
  std::vector<EnergyReading> readings() const override;
  std::vector<PowerTimeline> timelines() const override;

  /// Reads every zone once now. The sampling thread calls it; tests call it to
  /// play a scripted counter sequence. Thread-safe.
  void sample();
  /// True when at least one package zone can be read.
  bool has_package() const;
  /// The sampling thread's period after the wrap clamp, seconds (0: no thread).
  double thread_period_s() const { return thread_period_s_; }

 private:
  struct ZoneState {
    RaplZone zone;
    bool available = false;
    std::string reason;
    uint64_t max_range_uj = 0;
    WrappingCounter counter;
    double start_t_s = 0;
    double last_t_s = 0;  // time of the last successful read
    uint64_t last_total_uj = 0;
    int64_t samples = 0;
    int64_t failed_reads = 0;
    std::string last_error;
    std::vector<PowerPoint> points;
  };
  bool read_counter(ZoneState& zone, uint64_t& raw);
  void sample_locked(double t_s);

  MeterOptions options_;
  FileReader reader_;
  ClockFn clock_;
  std::string no_zones_reason_;
  double thread_period_s_ = 0;
  mutable std::mutex mutex_;
  std::vector<ZoneState> zones_;
  double window_start_s_ = 0;
  double window_stop_s_ = 0;
  bool has_window_ = false;
  PeriodicThread thread_;
};

/// Seconds between two RAPL updates (Intel: about 1 ms); a shorter window is
/// below resolution.
inline constexpr double kRaplUpdatePeriodS = 0.001;

/// Upper bound on one zone's power used to size the sampling period against
/// counter wrap (see Note [Counter wrap]).
inline constexpr double kRaplMaxZonePowerW = 1000.0;

}  // namespace effbench
