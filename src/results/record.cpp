#include "results/record.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <random>
#include <tuple>

#include "core/stats.h"

namespace effbench {

bool reading_counts(const EnergyReading& r) {
  const bool usable = r.available && !r.below_resolution && !r.cross_check && r.basis == EnergyBasis::kGross;
  return usable && !(r.measured && r.scope == "psys");
}

double measured_total_joules(const std::vector<EnergyReading>& readings) {
  double total = 0;
  for (const auto& r : readings) {
    if (r.measured && reading_counts(r)) total += r.joules;
  }
  return total;
}

double estimated_total_joules(const std::vector<EnergyReading>& readings) {
  double total = 0;
  for (const auto& r : readings) {
    if (!r.measured && reading_counts(r)) total += r.joules;
  }
  return total;
}

namespace {

// The half-widths of the readings a total adds, in quadrature (Note [Energy
// uncertainty] in meters/energy_uncertainty.h); nullopt when one has none.
std::optional<double> total_half_width_j(const std::vector<EnergyReading>& readings, bool measured) {
  double half_width = 0;
  for (const auto& r : readings) {
    if (r.measured != measured || !reading_counts(r)) continue;
    if (!r.uncertainty_j) return std::nullopt;
    half_width = in_quadrature(half_width, *r.uncertainty_j);
  }
  return half_width;
}

}  // namespace

CountedEnergy counted_energy(const std::vector<EnergyReading>& readings) {
  const double measured_j = measured_total_joules(readings);
  if (measured_j > 0) return {true, true, measured_j, total_half_width_j(readings, true)};
  const double estimated_j = estimated_total_joules(readings);
  if (estimated_j > 0) return {true, false, estimated_j, total_half_width_j(readings, false)};
  return {};
}

std::optional<EnergyPerSample> energy_per_sample(const CaseRecord& c) {
  const double samples = static_cast<double>(c.timed_iterations * c.batch);
  const CountedEnergy energy = counted_energy(c.energy);  // Note [Which energy counts]
  if (samples <= 0 || !energy.available) return std::nullopt;
  Uncertain per_sample = scaled(energy.interval(), 1 / samples);
  // Note [Energy uncertainty]: the run-to-run term of the timed windows.
  if (energy.uncertainty_j && c.throughput && c.throughput->window_samples_per_s.size() > 1) {
    const std::vector<double>& windows = c.throughput->window_samples_per_s;
    const Uncertain mean_throughput{summarize(windows).mean, mean_half_width_95(windows)};
    per_sample.half_width =
        in_quadrature(per_sample.half_width, per_sample.value * relative_half_width(mean_throughput));
  }
  return EnergyPerSample{energy.measured, per_sample};
}

bool reading_belongs_to_case(const EnergyReading& reading, const Device& case_device) {
  const bool gpu_reading = reading.scope == "gpu-board";
  if (case_device.is_cpu()) return !gpu_reading;
  return !gpu_reading || reading.device == case_device.str();
}

std::vector<EnergyReading> combine_rank_readings(const std::vector<RankReadings>& ranks) {
  std::vector<const RankReadings*> ordered;
  for (const auto& r : ranks) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const RankReadings* a, const RankReadings* b) { return a->rank < b->rank; });
  using Key = std::tuple<std::string, EnergySource, std::string, std::string, std::string, EnergyBasis>;
  std::map<Key, int64_t> first_reader;  // Note [Energy of a data-parallel case]
  std::vector<EnergyReading> combined;
  for (const RankReadings* rank : ordered) {
    for (EnergyReading reading : rank->readings) {
      reading.rank = rank->rank;
      reading.host = rank->host;
      const Key key{rank->host,     reading.source,      reading.scope,
                    reading.device, reading.device_uuid, reading.basis};
      // Only a reading that can count claims its sensor: an unavailable one
      // must not push a later rank's usable reading out of the totals.
      const bool usable = reading.available && !reading.below_resolution && !reading.cross_check;
      const auto found = first_reader.find(key);
      if (found == first_reader.end()) {
        if (usable) first_reader.emplace(key, rank->rank);
      } else if (usable) {
        reading.cross_check = true;
        reading.warnings.push_back(
            "the same sensor as rank " + std::to_string(found->second) + "'s reading on " +
            (rank->host.empty() ? std::string("this host") : rank->host) + ": shown, counted once");
      }
      combined.push_back(std::move(reading));
    }
  }
  return combined;
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

double command_cpu_s(const CommandResult& command) { return command.cpu_user_s + command.cpu_system_s; }

std::optional<MeanPower> command_mean_power(const CaseRecord& c) {
  const CountedEnergy energy = counted_energy(c.energy);
  if (!c.command || !energy.available || c.command->wall_s <= 0) return std::nullopt;
  return MeanPower{energy.energy_j / c.command->wall_s, energy.measured};
}

}  // namespace effbench
