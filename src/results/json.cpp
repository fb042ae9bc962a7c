#include "results/json.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/error.h"
#include "results/fields.h"
#include "results/vocabulary_json.h"

namespace effbench {

using nlohmann::json;

namespace {

// Note [Checking imported documents]
// A document read back (a --json file, an import, the database) is checked
// before its fields are used, so that a bad one is refused naming the file
// and the field instead of failing later or reading garbage:
// - the whole text is one JSON value (trailing data is refused);
// - every number is finite and smaller in size than 2^63, so that reading it
//   into an integer field cannot overflow (nlohmann casts without a check);
// - each field has its type (nlohmann's type errors, named by field), each
//   word is one of the vocabulary's, and schema_version is an integer;
// - the figures a case's meaning rests on are in range (check_case_ranges), for
//   the cases of a run document (a rank's partial case, sent to rank 0 as
//   JSON, is checked when the run is read back).

// Largest magnitude a number may have: below 2^63, so it converts to int64_t.
constexpr double kLargestNumber = 9.2e18;

void check_numbers(const json& j, const std::string& where) {
  if (j.is_object()) {
    for (const auto& item : j.items()) check_numbers(item.value(), where + "." + item.key());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) check_numbers(j[i], where + "[" + std::to_string(i) + "]");
  } else if (j.is_number_float()) {
    const double value = j.get<double>();
    EFFBENCH_CHECK(std::isfinite(value) && std::abs(value) < kLargestNumber, where,
                   ": expected a finite number below 9.2e18 in size but got ", j.dump());
  }
}

void check_case_ranges(const CaseRecord& c) {
  // A command case has no batch (0).
  EFFBENCH_CHECK(c.batch >= 1 || (c.command && c.batch == 0), "batch: expected a batch size >= 1 but got ",
                 c.batch);
  if (c.command) {
    const CommandResult& command = *c.command;
    EFFBENCH_CHECK(!command.argv.empty(), "command.argv: expected the command line but got none");
    EFFBENCH_CHECK(command.wall_s >= 0 && command.cpu_user_s >= 0 && command.cpu_system_s >= 0,
                   "command: expected wall and CPU seconds >= 0 but got ", command.wall_s, ", ",
                   command.cpu_user_s, " and ", command.cpu_system_s);
    for (const auto& phase : command.phases) {
      EFFBENCH_CHECK(phase.start_s >= 0 && phase.duration_s >= 0, "command.phases.", phase.name,
                     ": expected start and duration >= 0 but got ", phase.start_s, " and ", phase.duration_s);
    }
  }
  EFFBENCH_CHECK(c.params >= 0, "params: expected a count >= 0 but got ", c.params);
  EFFBENCH_CHECK(c.flops_per_sample >= 0 && c.step_flops_per_sample >= 0,
                 "flops_per_sample: expected FLOPs >= 0 but got ", c.flops_per_sample, " and ",
                 c.step_flops_per_sample);
  EFFBENCH_CHECK(c.threads >= 0, "threads: expected a count >= 0 but got ", c.threads);
  EFFBENCH_CHECK(c.warmup_iterations >= 0 && c.timed_iterations >= 0 && c.timed_s >= 0,
                 "timed_iterations: expected iterations and seconds >= 0 but got ", c.warmup_iterations, ", ",
                 c.timed_iterations, " and ", c.timed_s);
  if (c.throughput) {
    const ThroughputSummary& t = *c.throughput;
    EFFBENCH_CHECK(t.median >= 0 && t.min >= 0 && t.max >= t.min && t.iqr >= 0 && t.cv >= 0,
                   "throughput: expected median, min, IQR, CV >= 0 and max >= min but got median ", t.median,
                   ", min ", t.min, ", max ", t.max, ", IQR ", t.iqr, ", CV ", t.cv);
    for (const double s : t.window_samples_per_s) {
      EFFBENCH_CHECK(s >= 0, "throughput.samples: expected samples/s >= 0 but got ", s);
    }
  }
  for (const auto& e : c.energy) {
    EFFBENCH_CHECK(e.uncertainty_j.value_or(0) >= 0 && e.idle_power_uncertainty_w.value_or(0) >= 0,
                   "energy.uncertainty_j: expected half-widths >= 0 but got ", e.uncertainty_j.value_or(0),
                   " J and ", e.idle_power_uncertainty_w.value_or(0), " W");
    for (const auto& [term, joules] : e.uncertainty_terms_j) {
      EFFBENCH_CHECK(joules >= 0, "energy.uncertainty_terms_j.", term,
                     ": expected a half-width >= 0 but got ", joules);
    }
  }
}

}  // namespace

json case_to_json(const CaseRecord& record) {
  json j = json::object();
  for (const auto& field : case_fields()) {
    if (field.write) field.write(record, j);
  }
  return j;
}

CaseRecord case_from_json(const json& j) {
  if (!j.is_object()) throw Error("case: expected a JSON object but got " + std::string(j.type_name()));
  CaseRecord record;
  for (const auto& field : case_fields()) {
    if (!field.read || !j.contains(field.key)) continue;
    try {
      field.read(j, record);
    } catch (const json::exception& e) {
      throw Error("case field '" + field.key + "': " + e.what() + " (value: " + j.at(field.key).dump() + ")");
    }
  }
  return record;
}

json system_to_json(const SystemInfo& s) {
  json gpus = json::array();
  for (const auto& g : s.gpus) {
    gpus.push_back({{"index", g.index},
                    {"name", g.name},
                    {"uuid", g.uuid},
                    {"memory_bytes", g.memory_bytes},
                    {"compute_capability", g.compute_capability}});
  }
  return json{{"hostname", s.hostname},
              {"cpu_model", s.cpu_model},
              {"logical_cores", s.logical_cores},
              {"physical_cores", s.physical_cores},
              {"memory_bytes", s.memory_bytes},
              {"os", s.os},
              {"kernel", s.kernel},
              {"compiler", s.compiler},
              {"build_type", s.build_type},
              {"git_commit", s.git_commit},
              {"effbench_version", s.effbench_version},
              {"torch_version", s.torch_version},
              {"torch_cuda", s.torch_cuda},
              {"cuda_version", s.cuda_version},
              {"cudnn_version", s.cudnn_version},
              {"gpu_driver_version", s.gpu_driver_version},
              {"blas", s.blas},
              {"allocator", s.allocator},
              {"blas_threads", s.blas_threads},
              {"cpu_threads", s.cpu_threads},
              {"gpus", gpus}};
}

SystemInfo system_from_json(const json& j) {
  SystemInfo s;
  s.hostname = j.value("hostname", "");
  s.cpu_model = j.value("cpu_model", "");
  s.logical_cores = j.value("logical_cores", int64_t{0});
  s.physical_cores = j.value("physical_cores", int64_t{0});
  s.memory_bytes = j.value("memory_bytes", int64_t{0});
  s.os = j.value("os", "");
  s.kernel = j.value("kernel", "");
  s.compiler = j.value("compiler", "");
  s.build_type = j.value("build_type", "");
  s.git_commit = j.value("git_commit", "");
  s.effbench_version = j.value("effbench_version", "");
  s.torch_version = j.value("torch_version", "");
  s.torch_cuda = j.value("torch_cuda", false);
  s.cuda_version = j.value("cuda_version", "");
  s.cudnn_version = j.value("cudnn_version", "");
  s.gpu_driver_version = j.value("gpu_driver_version", "");
  s.blas = j.value("blas", "");
  s.allocator = j.value("allocator", "");
  s.blas_threads = j.value("blas_threads", "");
  s.cpu_threads = j.value("cpu_threads", "");
  for (const auto& g : j.value("gpus", json::array())) {
    GpuInfo gpu;
    gpu.index = g.value("index", int64_t{0});
    gpu.name = g.value("name", "");
    gpu.uuid = g.value("uuid", "");
    gpu.memory_bytes = g.value("memory_bytes", int64_t{0});
    gpu.compute_capability = g.value("compute_capability", "");
    s.gpus.push_back(gpu);
  }
  return s;
}

json run_to_json(const RunRecord& run) {
  json cases = json::array();
  for (const auto& c : run.cases) cases.push_back(case_to_json(c));
  const auto& st = run.settings;
  return json{{"schema_version", run.schema_version},
              {"tool", "effbench"},
              {"run_id", run.run_id},
              {"started_at", run.started_at},
              {"finished_at", run.finished_at},
              {"status", run.status},
              {"system", system_to_json(run.system)},
              {"settings",
               {{"warmup_s", st.warmup_s},
                {"warmup_iterations", st.warmup_iterations},
                {"min_time_s", st.min_time_s},
                {"min_iterations", st.min_iterations},
                {"repeats", st.repeats},
                {"threads", st.threads},
                {"seed", st.seed},
                {"data", st.data},
                {"command_line", st.command_line}}},
              {"cases", cases}};
}

namespace {

RunRecord read_run_document(const json& j, const std::string& origin) {
  if (!j.is_object() || !j.contains("tool") || j.at("tool") != "effbench") {
    throw Error(origin + ": not an effbench run document (expected an object with \"tool\": \"effbench\")");
  }
  const json version_value = j.value("schema_version", json());
  EFFBENCH_CHECK(version_value.is_number_integer(), origin, ": schema_version: expected the integer ",
                 kSchemaVersion, " but got ", version_value.dump());
  const int64_t version = version_value.get<int64_t>();
  if (version != kSchemaVersion) {
    throw Error(origin + ": schema_version " + std::to_string(version) + " is not supported (expected " +
                std::to_string(kSchemaVersion) + ")");
  }
  check_numbers(j, origin);
  RunRecord run;
  run.schema_version = static_cast<int>(version);
  run.run_id = j.at("run_id").get<std::string>();
  run.started_at = j.value("started_at", "");
  run.finished_at = j.value("finished_at", "");
  run.status = j.value("status", RunStatus::kIncomplete);
  run.system = system_from_json(j.value("system", json::object()));
  const json settings = j.value("settings", json::object());
  run.settings.warmup_s = settings.value("warmup_s", 0.0);
  run.settings.warmup_iterations = settings.value("warmup_iterations", int64_t{0});
  run.settings.min_time_s = settings.value("min_time_s", 0.0);
  run.settings.min_iterations = settings.value("min_iterations", int64_t{0});
  run.settings.repeats = settings.value("repeats", int64_t{0});
  run.settings.threads = settings.value("threads", int64_t{0});
  run.settings.seed = settings.value("seed", int64_t{0});
  run.settings.data = settings.value("data", "");
  run.settings.command_line = settings.value("command_line", std::vector<std::string>{});
  const json cases = j.value("cases", json::array());
  EFFBENCH_CHECK(cases.is_array(), origin, ": cases: expected an array but got ", cases.type_name());
  for (size_t i = 0; i < cases.size(); ++i) {
    try {
      run.cases.push_back(case_from_json(cases[i]));
      check_case_ranges(run.cases.back());
    } catch (const Error& e) {
      throw Error(origin + ": cases[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return run;
}

}  // namespace

RunRecord run_from_json(const json& j, const std::string& origin) {
  // A field of the wrong type anywhere (a number for "tool", an object for
  // "cases") is the document's fault, named with its origin (found by
  // fuzz/json_import_fuzz.cpp: {"tool": 0} escaped as nlohmann's type_error).
  try {
    return read_run_document(j, origin);
  } catch (const json::exception& e) {
    throw Error(origin + ": malformed run document: " + e.what());
  }
}

void write_run_json(const RunRecord& run, const std::string& path) {
  write_file_atomically(path, run_to_json(run).dump(2) + "\n", "--json");
}

json read_json_file(const std::string& path) {
  std::error_code error;
  EFFBENCH_CHECK(!std::filesystem::is_directory(path, error), path,
                 ": is a directory; give the JSON files in it (e.g. ", path, "/*.json)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(path + ": read failed");
  return parse_json_text(text, path);
}

json parse_json_text(const std::string& text, const std::string& origin) {
  // The whole text: trailing data is an error (Note [Checking imported documents]).
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // parse errors, and numbers past a double's range
    throw Error(origin + ": malformed JSON: " + e.what());
  }
}

RunRecord read_run_json(const std::string& path) { return run_from_json(read_json_file(path), path); }

}  // namespace effbench
