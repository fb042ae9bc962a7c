#include "meters/meter_windows.h"

#include <algorithm>

#include "core/error.h"
#include "meters/energy_uncertainty.h"

namespace effbench {
namespace {

// The readings of one source are summed over the segments (Note [Named meter windows]).
using ReadingKey = std::tuple<EnergySource, std::string, std::string, EnergyBasis, bool>;

ReadingKey key_of(const EnergyReading& r) { return {r.source, r.scope, r.device, r.basis, r.cross_check}; }

// A window is below the sensor's resolution only when all of its segments
// are: windows that begin and end inside others (an epoch, a command's
// phases) leave segments of microseconds at their edges, and a segment
// below resolution reads 0 J for at most one sensor period, which the
// sum's interval already carries (Note [Energy uncertainty]).
void add_segment(EnergyReading& sum, const EnergyReading& segment) {
  sum.available = sum.available && segment.available;
  if (sum.unavailable_reason.empty()) sum.unavailable_reason = segment.unavailable_reason;
  sum.below_resolution = sum.below_resolution && segment.below_resolution;
  sum.joules += segment.joules;
  sum.duration_s += segment.duration_s;
  sum.sensor_reads += segment.sensor_reads;
  if (segment.state_end) sum.state_end = segment.state_end;
  for (const auto& warning : segment.warnings) {
    if (std::find(sum.warnings.begin(), sum.warnings.end(), warning) == sum.warnings.end())
      sum.warnings.push_back(warning);
  }
}

// Timelines stay bounded: every other point is dropped above this many.
constexpr size_t kMaxWindowTimelinePoints = 1024;

}  // namespace

void MeterWindows::cut() {
  if (running_) {
    meters_.stop();
    segments_.push_back({meters_.readings(0), meters_.timelines(), meters_.device_used_bytes()});
    running_ = false;
  }
  if (!open_.empty()) {
    meters_.start();
    running_ = true;
  }
}

void MeterWindows::begin_window(const std::string& name) {
  check(open_.count(name) == 0, "meter window '" + name + "' is open already");
  if (open_.empty()) segments_.clear();  // nothing open needs the old segments
  if (running_) cut();                   // the running segment ends where this window begins
  open_[name] = segments_.size();
  if (!running_) {
    meters_.start();
    running_ = true;
  }
}

WindowMeasurement MeterWindows::read_window(const std::string& name, int64_t samples_processed) {
  const auto found = open_.find(name);
  check(found != open_.end(), "meter window '" + name + "' is not open");
  cut();
  return sum_since(found->second, samples_processed);
}

WindowMeasurement MeterWindows::end_window(const std::string& name, int64_t samples_processed) {
  const auto found = open_.find(name);
  check(found != open_.end(), "meter window '" + name + "' is not open");
  const size_t first = found->second;
  open_.erase(found);
  cut();  // stops the meters when no window is left open
  return sum_since(first, samples_processed);
}

WindowMeasurement MeterWindows::sum_since(size_t first_segment, int64_t samples_processed) const {
  WindowMeasurement out;
  std::map<ReadingKey, size_t> index;  // reading key -> position in out.readings
  double offset_s = 0;                 // start of the segment within the window
  for (size_t s = first_segment; s < segments_.size(); ++s) {
    const Segment& segment = segments_[s];
    double segment_s = 0;
    for (const auto& r : segment.readings) {
      segment_s = std::max(segment_s, r.duration_s);
      const auto [position, fresh] = index.emplace(key_of(r), out.readings.size());
      if (fresh) {
        out.readings.push_back(r);
      } else {
        add_segment(out.readings[position->second], r);
      }
    }
    for (const auto& t : segment.timelines) {
      auto target = std::find_if(out.timelines.begin(), out.timelines.end(), [&](const PowerTimeline& e) {
        return e.source == t.source && e.device == t.device;
      });
      if (target == out.timelines.end()) {
        out.timelines.push_back({t.source, t.device, {}});
        target = out.timelines.end() - 1;
      }
      for (const auto& p : t.points) target->points.push_back({p.t_s + offset_s, p.watts});
      if (target->points.size() > kMaxWindowTimelinePoints) {
        std::vector<PowerPoint> halved;
        for (size_t i = 0; i < target->points.size(); i += 2) halved.push_back(target->points[i]);
        target->points = std::move(halved);
      }
    }
    if (segment.device_used_bytes) out.device_used_bytes = segment.device_used_bytes;
    offset_s += segment_s;
  }
  for (auto& r : out.readings) {
    r.avg_power_w = r.duration_s > 0 ? r.joules / r.duration_s : 0;
    r.joules_per_sample = samples_processed > 0 && r.available && !r.below_resolution
                              ? r.joules / static_cast<double>(samples_processed)
                              : 0;
    out.duration_s = std::max(out.duration_s, r.duration_s);
  }
  attach_uncertainty(out.readings);
  return out;
}

}  // namespace effbench
