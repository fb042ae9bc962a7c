#include "report/prometheus.h"

#include <charconv>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "core/error.h"

namespace effbench {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

/// One metric family: HELP, TYPE gauge, then its samples.
struct Family {
  std::string name;
  std::string help;
  std::vector<Sample> samples;
};

// The labels every case family starts with (Note [Prometheus series]).
Labels case_labels(const CaseRecord& c) {
  const bool model_case = !c.command;
  return {{"model", c.model},
          {"device", c.device.str()},
          {"device_name", c.device_name},
          {"mode", model_case ? to_string(c.mode) : ""},
          {"precision", model_case ? to_string(c.precision) : ""},
          {"exec", model_case ? to_string(c.exec) : ""},
          {"batch", model_case ? std::to_string(c.batch) : ""}};
}

Labels with(Labels labels, const Labels& more) {
  labels.insert(labels.end(), more.begin(), more.end());
  return labels;
}

const char* yes_no(bool value) { return value ? "true" : "false"; }

// One reading's labels: the case's, then which sensor read what.
Labels reading_labels(const CaseRecord& c, const EnergyReading& r) {
  return with(case_labels(c), {{"source", to_string(r.source)},
                               {"scope", r.scope},
                               {"sensor", r.device},
                               {"basis", to_string(r.basis)},
                               {"measured", yes_no(r.measured)},
                               {"counted", yes_no(reading_counts(r))},  // Note [Which energy counts]
                               {"rank", r.rank ? std::to_string(*r.rank) : ""}});
}

std::vector<Family> run_families(const RunRecord& run) {
  Family info{"effbench_run_info", "The run these figures come from; always 1.", {}};
  info.samples.push_back({{{"run_id", run.run_id},
                           {"status", to_string(run.status)},
                           {"host", run.system.hostname},
                           {"effbench_version", run.system.effbench_version}},
                          1});
  Family ok{"effbench_case_ok", "1 when the case finished, 0 when it failed or was interrupted.", {}};
  Family throughput{"effbench_throughput_samples_per_second",
                    "Median throughput over the case's timed windows, samples per second.",
                    {}};
  Family latency{"effbench_latency_seconds", "Batch-1 inference latency per call, by quantile, seconds.", {}};
  Family duration{"effbench_case_duration_seconds",
                  "Seconds of the case's timed windows (a training case: its training time).",
                  {}};
  Family energy{
      "effbench_case_energy_joules",
      "The case's counted energy: the measured total, else the estimate (measured=\"false\"), joules.",
      {}};
  Family energy_u{
      "effbench_case_energy_uncertainty_joules", "Half-width of the counted energy's interval, joules.", {}};
  Family per_sample{
      "effbench_energy_per_sample_joules", "Counted energy per sample of the timed windows, joules.", {}};
  Family per_sample_u{"effbench_energy_per_sample_uncertainty_joules",
                      "Half-width of the energy per sample's interval, joules.",
                      {}};
  Family readings{
      "effbench_energy_joules",
      "Energy of one sensor reading over the case's timed windows, joules; counted=\"true\" where it "
      "is added to the case's total.",
      {}};
  Family readings_u{
      "effbench_energy_uncertainty_joules", "Half-width of one reading's interval, joules.", {}};
  Family memory{"effbench_peak_memory_bytes", "Peak memory of the case, by kind, bytes.", {}};
  Family accuracy{"effbench_accuracy_ratio", "Test accuracy a training case reached, a fraction.", {}};

  for (const CaseRecord& c : run.cases) {
    const Labels labels = case_labels(c);
    ok.samples.push_back({labels, c.status == CaseStatus::kOk ? 1.0 : 0.0});
    if (c.throughput) throughput.samples.push_back({labels, c.throughput->median});
    if (c.latency_ms && c.latency_ms->count > 0) {
      for (const auto& [quantile, ms] :
           {std::pair{"0.5", c.latency_ms->p50}, {"0.9", c.latency_ms->p90}, {"0.99", c.latency_ms->p99}})
        latency.samples.push_back({with(labels, {{"quantile", quantile}}), ms / 1000});
    }
    if (c.timed_s > 0) duration.samples.push_back({labels, c.timed_s});
    const CountedEnergy counted = counted_energy(c.energy);  // Note [Which energy counts]
    if (counted.available) {
      const Labels measured = with(labels, {{"measured", yes_no(counted.measured)}});
      energy.samples.push_back({measured, counted.energy_j});
      if (counted.uncertainty_j) energy_u.samples.push_back({measured, *counted.uncertainty_j});
      if (const auto e = energy_per_sample(c)) {
        per_sample.samples.push_back({measured, e->joules_per_sample.value});
        if (counted.uncertainty_j)
          per_sample_u.samples.push_back({measured, e->joules_per_sample.half_width});
      }
    }
    for (const EnergyReading& r : c.energy) {
      if (!r.available) continue;
      readings.samples.push_back({reading_labels(c, r), r.joules});
      if (r.uncertainty_j) readings_u.samples.push_back({reading_labels(c, r), *r.uncertainty_j});
    }
    const MemoryUsage& m = c.memory;
    for (const auto& [kind, bytes] : {std::pair{"rss", m.peak_rss_bytes},
                                      {"cuda_allocated", m.cuda_peak_allocated_bytes},
                                      {"cuda_reserved", m.cuda_peak_reserved_bytes},
                                      {"device_used", m.device_used_bytes}}) {
      if (bytes) memory.samples.push_back({with(labels, {{"kind", kind}}), static_cast<double>(*bytes)});
    }
    if (c.accuracy && c.accuracy->metric == "test_accuracy")
      accuracy.samples.push_back({with(labels, {{"dataset", c.accuracy->dataset}}), c.accuracy->value});
  }
  return {info,     ok,         throughput, latency,      duration, energy,  energy_u,
          readings, readings_u, per_sample, per_sample_u, memory,   accuracy};
}

// HELP text escapes backslash and line feed (not the double quote).
std::string help_text(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string series_text(const std::string& name, const Labels& labels) {
  std::string text = name;
  if (labels.empty()) return text;
  text += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    text += (i == 0 ? "" : ",") + labels[i].first + "=\"" + prometheus_label_value(labels[i].second) + "\"";
  }
  return text + '}';
}

}  // namespace

std::string prometheus_label_value(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string prometheus_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);  // shortest round trip
  return std::string(buffer, result.ptr);
}

std::string run_to_prometheus(const RunRecord& run) {
  std::string text;
  std::set<std::string> series_seen;
  for (const Family& family : run_families(run)) {
    if (family.samples.empty()) continue;
    text += "# HELP " + family.name + " " + help_text(family.help) + "\n";
    text += "# TYPE " + family.name + " gauge\n";
    for (const Sample& sample : family.samples) {
      const std::string series = series_text(family.name, sample.labels);
      EFFBENCH_CHECK(series_seen.insert(series).second, "run ", run.run_id,
                     ": two cases (or two readings of one case) have the same labels, ", series,
                     "; Prometheus would read them as one series");
      text += series + " " + prometheus_value(sample.value) + "\n";
    }
  }
  return text;
}

}  // namespace effbench
