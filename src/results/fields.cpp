#include "results/fields.h"

#include "core/error.h"
#include "core/units.h"
#include "results/vocabulary_json.h"

namespace effbench {

using nlohmann::json;

// nlohmann conversions for the nested records (found by ADL).
void to_json(json& j, const ThroughputSummary& t) {
  j = json{{"unit", t.unit},
           {"median", t.median},
           {"iqr", t.iqr},
           {"min", t.min},
           {"max", t.max},
           {"cv", t.cv},
           {"samples", t.window_samples_per_s}};
}
void from_json(const json& j, ThroughputSummary& t) {
  j.at("unit").get_to(t.unit);
  j.at("median").get_to(t.median);
  j.at("iqr").get_to(t.iqr);
  j.at("min").get_to(t.min);
  j.at("max").get_to(t.max);
  j.at("cv").get_to(t.cv);
  t.window_samples_per_s = j.value("samples", std::vector<double>{});
}
void to_json(json& j, const LatencyMs& l) {
  j = json{{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"count", l.count}};
}
void from_json(const json& j, LatencyMs& l) {
  j.at("p50").get_to(l.p50);
  j.at("p90").get_to(l.p90);
  j.at("p99").get_to(l.p99);
  l.count = j.value("count", int64_t{0});
}
void to_json(json& j, const DeviceState& d);
void from_json(const json& j, DeviceState& d);
void to_json(json& j, const EnergyReading& e) {
  j = json{{"source", e.source},
           {"scope", e.scope},
           {"device", e.device},
           {"measured", e.measured},
           {"available", e.available}};
  if (!e.available) {
    j["unavailable"] = e.unavailable_reason;
  } else {
    j["below_resolution"] = e.below_resolution;
    j["joules"] = e.joules;
    j["avg_power_w"] = e.avg_power_w;
    j["duration_s"] = e.duration_s;
    j["joules_per_sample"] = e.joules_per_sample;
    j["samples"] = e.sensor_reads;
    j["period_s"] = e.period_s;
  }
  if (!e.formula.empty()) j["formula"] = e.formula;
  j["warnings"] = e.warnings;
  j["basis"] = e.basis;
  if (e.idle_power_w) j["idle_power_w"] = *e.idle_power_w;
  if (e.cross_check) j["cross_check"] = true;
  if (!e.device_uuid.empty()) j["device_uuid"] = e.device_uuid;
  if (e.state_start) j["state_start"] = *e.state_start;
  if (e.state_end) j["state_end"] = *e.state_end;
  if (e.rank) j["rank"] = *e.rank;
  if (!e.host.empty()) j["host"] = e.host;
  if (e.uncertainty_j) {
    j["uncertainty_j"] = *e.uncertainty_j;
    j["uncertainty_terms_j"] = e.uncertainty_terms_j;
  }
  if (e.idle_power_uncertainty_w) j["idle_power_uncertainty_w"] = *e.idle_power_uncertainty_w;
}
void from_json(const json& j, EnergyReading& e) {
  j.at("source").get_to(e.source);
  e.scope = j.value("scope", "");
  e.device = j.value("device", "");
  e.measured = j.value("measured", false);
  e.available = j.value("available", false);
  e.unavailable_reason = j.value("unavailable", "");
  e.below_resolution = j.value("below_resolution", false);
  e.joules = j.value("joules", 0.0);
  e.avg_power_w = j.value("avg_power_w", 0.0);
  e.duration_s = j.value("duration_s", 0.0);
  e.joules_per_sample = j.value("joules_per_sample", 0.0);
  e.sensor_reads = j.value("samples", int64_t{0});
  e.period_s = j.value("period_s", 0.0);
  e.formula = j.value("formula", "");
  e.warnings = j.value("warnings", std::vector<std::string>{});
  e.basis = j.value("basis", EnergyBasis::kGross);
  if (j.contains("idle_power_w")) e.idle_power_w = j.at("idle_power_w").get<double>();
  e.cross_check = j.value("cross_check", false);
  e.device_uuid = j.value("device_uuid", "");
  if (j.contains("state_start")) e.state_start = j.at("state_start").get<DeviceState>();
  if (j.contains("state_end")) e.state_end = j.at("state_end").get<DeviceState>();
  if (j.contains("rank")) e.rank = j.at("rank").get<int64_t>();
  e.host = j.value("host", "");
  if (j.contains("uncertainty_j")) e.uncertainty_j = j.at("uncertainty_j").get<double>();
  e.uncertainty_terms_j = j.value("uncertainty_terms_j", std::map<std::string, double>{});
  if (j.contains("idle_power_uncertainty_w"))
    e.idle_power_uncertainty_w = j.at("idle_power_uncertainty_w").get<double>();
}
void to_json(json& j, const PowerTimeline& p) {
  json t = json::array(), w = json::array();
  for (const auto& point : p.points) {
    t.push_back(point.t_s);
    w.push_back(point.watts);
  }
  j = json{{"source", p.source}, {"device", p.device}, {"t_s", t}, {"watts", w}};
}
void from_json(const json& j, PowerTimeline& p) {
  p.source = j.value("source", "");
  p.device = j.value("device", "");
  const auto t = j.value("t_s", std::vector<double>{});
  const auto w = j.value("watts", std::vector<double>{});
  check(t.size() == w.size(), "power_timeline: expected t_s and watts of equal length but got " +
                                  std::to_string(t.size()) + " and " + std::to_string(w.size()));
  for (size_t i = 0; i < t.size(); ++i) p.points.push_back({t[i], w[i]});
}
template <typename T>
void optional_to(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}
template <typename T>
void optional_from(const json& j, const char* key, std::optional<T>& value) {
  if (j.contains(key) && !j.at(key).is_null()) value = j.at(key).get<T>();
}
void to_json(json& j, const MachineLoad& m) {
  j = json{{"wall_s", m.wall_s},
           {"host_busy_cores", m.host_busy_cores},
           {"own_cores", m.own_cores},
           {"others_cores", m.others_cores},
           {"steal_cores", m.steal_cores},
           {"cores_given", m.cores_given},
           {"procs_running_end", m.procs_running_end},
           {"busy", m.busy},
           {"governor", m.governor},
           {"affinity_cores", m.affinity_cores}};
  optional_to(j, "cpu_mhz_begin", m.cpu_mhz_begin);
  optional_to(j, "cpu_mhz_end", m.cpu_mhz_end);
  optional_to(j, "smt_active", m.smt_active);
}
void from_json(const json& j, MachineLoad& m) {
  j.at("wall_s").get_to(m.wall_s);
  j.at("host_busy_cores").get_to(m.host_busy_cores);
  j.at("own_cores").get_to(m.own_cores);
  j.at("others_cores").get_to(m.others_cores);
  m.steal_cores = j.value("steal_cores", 0.0);
  j.at("cores_given").get_to(m.cores_given);
  m.procs_running_end = j.value("procs_running_end", int64_t{0});
  j.at("busy").get_to(m.busy);
  m.governor = j.value("governor", "");
  m.affinity_cores = j.value("affinity_cores", int64_t{0});
  optional_from(j, "cpu_mhz_begin", m.cpu_mhz_begin);
  optional_from(j, "cpu_mhz_end", m.cpu_mhz_end);
  optional_from(j, "smt_active", m.smt_active);
}
void to_json(json& j, const ModelFile& f) { j = json{{"path", f.path}, {"sha256", f.sha256}}; }
void from_json(const json& j, ModelFile& f) {
  j.at("path").get_to(f.path);
  j.at("sha256").get_to(f.sha256);
}
void to_json(json& j, const GpuProcess& p) {
  j = json{{"pid", p.pid}, {"kind", p.kind}};
  optional_to(j, "used_memory_bytes", p.used_memory_bytes);
}
void from_json(const json& j, GpuProcess& p) {
  j.at("pid").get_to(p.pid);
  p.kind = j.value("kind", "");
  optional_from(j, "used_memory_bytes", p.used_memory_bytes);
}
void to_json(json& j, const DeviceState& d) {
  j = json::object();
  optional_to(j, "memory_used_bytes", d.memory_used_bytes);
  optional_to(j, "temperature_c", d.temperature_c);
  optional_to(j, "sm_clock_mhz", d.sm_clock_mhz);
  optional_to(j, "power_limit_w", d.power_limit_w);
  optional_to(j, "throttle_reasons", d.throttle_reasons);
  if (!d.throttle_reason_names.empty()) j["throttle_reason_names"] = d.throttle_reason_names;
  optional_to(j, "other_processes", d.other_processes);
}
void from_json(const json& j, DeviceState& d) {
  optional_from(j, "memory_used_bytes", d.memory_used_bytes);
  optional_from(j, "temperature_c", d.temperature_c);
  optional_from(j, "sm_clock_mhz", d.sm_clock_mhz);
  optional_from(j, "power_limit_w", d.power_limit_w);
  optional_from(j, "throttle_reasons", d.throttle_reasons);
  d.throttle_reason_names = j.value("throttle_reason_names", std::vector<std::string>{});
  optional_from(j, "other_processes", d.other_processes);
}
void to_json(json& j, const MemoryUsage& m) {
  j = json::object();
  optional_to(j, "peak_rss_bytes", m.peak_rss_bytes);
  optional_to(j, "cuda_peak_allocated_bytes", m.cuda_peak_allocated_bytes);
  optional_to(j, "cuda_peak_reserved_bytes", m.cuda_peak_reserved_bytes);
  optional_to(j, "device_used_bytes", m.device_used_bytes);
}
void from_json(const json& j, MemoryUsage& m) {
  optional_from(j, "peak_rss_bytes", m.peak_rss_bytes);
  optional_from(j, "cuda_peak_allocated_bytes", m.cuda_peak_allocated_bytes);
  optional_from(j, "cuda_peak_reserved_bytes", m.cuda_peak_reserved_bytes);
  optional_from(j, "device_used_bytes", m.device_used_bytes);
}
void to_json(json& j, const AccuracyResult& a) {
  j = json{{"dataset", a.dataset},    {"metric", a.metric}, {"higher_is_better", a.higher_is_better},
           {"value", a.value},        {"epochs", a.epochs}, {"train_time_s", a.train_time_s},
           {"epoch_log", a.epoch_log}};
  optional_to(j, "target", a.target);
  optional_to(j, "reached_target", a.reached_target);
  optional_to(j, "time_to_target_s", a.time_to_target_s);
  optional_to(j, "energy_to_target_j", a.energy_to_target_j);
  j["eval_samples"] = a.eval_images;
}
void from_json(const json& j, AccuracyResult& a) {
  a.dataset = j.value("dataset", "");
  j.at("metric").get_to(a.metric);
  a.higher_is_better = j.value("higher_is_better", true);
  j.at("value").get_to(a.value);
  a.epochs = j.value("epochs", int64_t{0});
  a.train_time_s = j.value("train_time_s", 0.0);
  a.epoch_log = j.value("epoch_log", "");
  optional_from(j, "target", a.target);
  optional_from(j, "reached_target", a.reached_target);
  optional_from(j, "time_to_target_s", a.time_to_target_s);
  optional_from(j, "energy_to_target_j", a.energy_to_target_j);
  a.eval_images = j.value("eval_samples", int64_t{0});
}
void to_json(json& j, const RankFigures& r) {
  j = json{{"rank", r.rank},
           {"samples_per_s", r.samples_per_s},
           {"compute_s", r.compute_s},
           {"allreduce_s", r.allreduce_s},
           {"steps", r.steps}};
}
void from_json(const json& j, RankFigures& r) {
  j.at("rank").get_to(r.rank);
  r.samples_per_s = j.value("samples_per_s", 0.0);
  r.compute_s = j.value("compute_s", 0.0);
  r.allreduce_s = j.value("allreduce_s", 0.0);
  r.steps = j.value("steps", int64_t{0});
}
void to_json(json& j, const DistributedResult& d) {
  j = json{{"backend", d.backend},
           {"world_size", d.world_size},
           {"per_process_batch", d.per_process_batch},
           {"single_process_samples_per_s", d.single_process_samples_per_s},
           {"single_process_source", d.single_process_source},
           {"scaling_efficiency", d.scaling_efficiency},
           {"compute_s", d.compute_s},
           {"allreduce_s", d.allreduce_s},
           {"bytes_per_step", d.bytes_per_step},
           {"buckets", d.buckets},
           {"bucket_cap_bytes", d.bucket_cap_bytes},
           {"overlap_with_backward", d.overlap_with_backward},
           {"ranks", d.ranks}};
}
void from_json(const json& j, DistributedResult& d) {
  d.backend = j.value("backend", "");
  j.at("world_size").get_to(d.world_size);
  d.per_process_batch = j.value("per_process_batch", int64_t{0});
  d.single_process_samples_per_s = j.value("single_process_samples_per_s", 0.0);
  d.single_process_source = j.value("single_process_source", "");
  d.scaling_efficiency = j.value("scaling_efficiency", 0.0);
  d.compute_s = j.value("compute_s", 0.0);
  d.allreduce_s = j.value("allreduce_s", 0.0);
  d.bytes_per_step = j.value("bytes_per_step", int64_t{0});
  d.buckets = j.value("buckets", int64_t{0});
  d.bucket_cap_bytes = j.value("bucket_cap_bytes", 0.0);
  d.overlap_with_backward = j.value("overlap_with_backward", false);
  d.ranks = j.value("ranks", std::vector<RankFigures>{});
}

void to_json(json& j, const CommandPhase& p) {
  j = json{{"name", p.name}, {"start_s", p.start_s}, {"duration_s", p.duration_s}, {"energy", p.energy}};
  const CountedEnergy counted = counted_energy(p.energy);  // derived, never read back
  if (counted.available) {
    json c{{"joules", counted.energy_j}, {"measured", counted.measured}};
    if (counted.uncertainty_j) c["uncertainty_j"] = *counted.uncertainty_j;
    j["counted_energy"] = c;
  }
}
void from_json(const json& j, CommandPhase& p) {
  j.at("name").get_to(p.name);
  p.start_s = j.value("start_s", 0.0);
  p.duration_s = j.value("duration_s", 0.0);
  p.energy = j.value("energy", std::vector<EnergyReading>{});
}
void to_json(json& j, const CommandResult& c) {
  j = json{{"argv", c.argv},
           {"exit_status", c.exit_status},
           {"wall_s", c.wall_s},
           {"cpu_user_s", c.cpu_user_s},
           {"cpu_system_s", c.cpu_system_s},
           {"rss_samples", c.rss_samples},
           {"phases", c.phases},
           {"gpu_processes", c.gpu_processes}};
  optional_to(j, "signal", c.signal);
}
void from_json(const json& j, CommandResult& c) {
  j.at("argv").get_to(c.argv);
  j.at("exit_status").get_to(c.exit_status);
  optional_from(j, "signal", c.signal);
  c.wall_s = j.value("wall_s", 0.0);
  c.cpu_user_s = j.value("cpu_user_s", 0.0);
  c.cpu_system_s = j.value("cpu_system_s", 0.0);
  c.rss_samples = j.value("rss_samples", int64_t{0});
  c.phases = j.value("phases", std::vector<CommandPhase>{});
  c.gpu_processes = j.value("gpu_processes", std::vector<GpuProcess>{});
}

namespace {

// A field stored as-is under `key`; `member` points into CaseRecord.
template <typename T>
CaseField plain(const std::string& key, const std::string& header, T CaseRecord::*member,
                std::function<std::string(const CaseRecord&)> cell = nullptr) {
  return CaseField{key, header, [key, member](const CaseRecord& c, json& j) { j[key] = c.*member; },
                   [key, member](const json& j, CaseRecord& c) { j.at(key).get_to(c.*member); },
                   std::move(cell)};
}

// A std::optional field, absent from the document when empty.
template <typename T>
CaseField optional(const std::string& key, const std::string& header, std::optional<T> CaseRecord::*member,
                   std::function<std::string(const CaseRecord&)> cell = nullptr) {
  return CaseField{key, header,
                   [key, member](const CaseRecord& c, json& j) {
                     if (c.*member) j[key] = *(c.*member);
                   },
                   [key, member](const json& j, CaseRecord& c) {
                     if (!j.at(key).is_null()) c.*member = j.at(key).get<T>();
                   },
                   std::move(cell)};
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

}  // namespace

std::string energy_per_sample_text(const CaseRecord& c) {
  const std::optional<EnergyPerSample> energy = energy_per_sample(c);
  if (!energy) return "-";
  return (energy->measured ? "" : "~") + format_plus_minus(energy->joules_per_sample);
}

namespace {

std::vector<CaseField> make_fields() {
  std::vector<CaseField> f;
  f.push_back(plain("model", "model", &CaseRecord::model, [](const CaseRecord& c) { return c.model; }));
  f.push_back(
      plain("device", "device", &CaseRecord::device, [](const CaseRecord& c) { return c.device.str(); }));
  f.push_back(plain("device_name", "", &CaseRecord::device_name));
  // A command case has no mode, batch, precision or execution mode of its own: "-".
  f.push_back(plain("mode", "mode", &CaseRecord::mode,
                    [](const CaseRecord& c) { return c.command ? "-" : to_string(c.mode); }));
  f.push_back(plain("batch", "batch", &CaseRecord::batch,
                    [](const CaseRecord& c) { return c.command ? "-" : std::to_string(c.batch); }));
  f.push_back(plain("input_shape", "input", &CaseRecord::input_shape,
                    [](const CaseRecord& c) { return shape_text(c.input_shape); }));
  f.push_back(plain("precision", "prec", &CaseRecord::precision,
                    [](const CaseRecord& c) { return c.command ? "-" : to_string(c.precision); }));
  f.push_back(plain("exec", "exec", &CaseRecord::exec,
                    [](const CaseRecord& c) { return c.command ? "-" : to_string(c.exec); }));
  f.push_back(plain("params", "", &CaseRecord::params));
  f.push_back(plain("flops_per_sample", "", &CaseRecord::flops_per_sample));
  f.push_back(plain("step_flops_per_sample", "", &CaseRecord::step_flops_per_sample));
  f.push_back(plain("threads", "", &CaseRecord::threads));
  f.push_back(optional("model_file", "", &CaseRecord::model_file));
  f.push_back(optional("throughput", "samples/s (median)", &CaseRecord::throughput, [](const CaseRecord& c) {
    return c.throughput ? format_number(c.throughput->median) : std::string("-");
  }));
  f.push_back(CaseField{"throughput_iqr_display", "IQR", nullptr, nullptr, [](const CaseRecord& c) {
                          return c.throughput ? format_number(c.throughput->iqr) : std::string("-");
                        }});
  f.push_back(CaseField{"throughput_cv_display", "CV", nullptr, nullptr, [](const CaseRecord& c) {
                          if (!c.throughput) return std::string("-");
                          char buffer[32];
                          std::snprintf(buffer, sizeof(buffer), "%.1f%%%s", 100.0 * c.throughput->cv,
                                        c.throughput->cv > 0.10 ? "!" : "");
                          return std::string(buffer);
                        }});
  f.push_back(optional("latency_ms", "b1 p50/p99 ms", &CaseRecord::latency_ms, [](const CaseRecord& c) {
    return c.latency_ms ? format_number(c.latency_ms->p50) + "/" + format_number(c.latency_ms->p99)
                        : std::string("-");
  }));
  f.push_back(optional("achieved_tflops", "TFLOP/s", &CaseRecord::achieved_tflops, [](const CaseRecord& c) {
    return c.achieved_tflops ? format_number(*c.achieved_tflops) : std::string("-");
  }));
  f.push_back(optional("mfu", "", &CaseRecord::mfu));
  f.push_back(CaseField{"energy_per_sample_display", "J/sample", nullptr, nullptr,
                        [](const CaseRecord& c) { return energy_per_sample_text(c); }});
  f.push_back(CaseField{"peak_memory_display", "peak mem", nullptr, nullptr, [](const CaseRecord& c) {
                          const auto& m = c.memory;
                          if (m.cuda_peak_allocated_bytes)
                            return format_bytes(static_cast<double>(*m.cuda_peak_allocated_bytes));
                          if (m.peak_rss_bytes)
                            return format_bytes(static_cast<double>(*m.peak_rss_bytes)) + " rss";
                          return std::string("-");
                        }});
  f.push_back(plain("warmup_iterations", "", &CaseRecord::warmup_iterations));
  f.push_back(plain("timed_iterations", "", &CaseRecord::timed_iterations));
  f.push_back(plain("timed_s", "", &CaseRecord::timed_s));
  f.push_back(plain("energy", "", &CaseRecord::energy));
  // Derived when written, for readers of the JSON; never read back (Note [Which energy counts]).
  f.push_back(CaseField{"counted_energy", "",
                        [](const CaseRecord& c, json& j) {
                          const CountedEnergy energy = counted_energy(c.energy);
                          if (!energy.available) return;
                          json counted{{"joules", energy.energy_j}, {"measured", energy.measured}};
                          if (energy.uncertainty_j) counted["uncertainty_j"] = *energy.uncertainty_j;
                          if (const auto per_sample = energy_per_sample(c)) {
                            counted["joules_per_sample"] = per_sample->joules_per_sample.value;
                            if (energy.uncertainty_j)
                              counted["joules_per_sample_uncertainty_j"] =
                                  per_sample->joules_per_sample.half_width;
                          }
                          j["counted_energy"] = counted;
                        },
                        nullptr, nullptr});
  f.push_back(plain("power_timeline", "", &CaseRecord::power_timeline));
  f.push_back(plain("memory", "", &CaseRecord::memory));
  f.push_back(optional("machine_load", "", &CaseRecord::machine_load));
  f.push_back(optional("accuracy", "", &CaseRecord::accuracy));
  f.push_back(plain("notes", "", &CaseRecord::notes));
  f.push_back(plain("warnings", "", &CaseRecord::warnings));
  f.push_back(plain("status", "status", &CaseRecord::status,
                    [](const CaseRecord& c) { return to_string(c.status); }));
  f.push_back(plain("error", "", &CaseRecord::error));
  f.push_back(optional("distributed", "", &CaseRecord::distributed));
  f.push_back(optional("command", "", &CaseRecord::command));
  return f;
}

}  // namespace

const std::vector<CaseField>& case_fields() {
  static const std::vector<CaseField> fields = make_fields();
  return fields;
}

}  // namespace effbench
