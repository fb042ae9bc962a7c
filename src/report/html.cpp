#include "report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/batch_sweep.h"
#include "analysis/compare.h"
#include "analysis/efficiency.h"
#include "analysis/gpu_projection.h"
#include "analysis/speedup.h"
#include "analysis/studies.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/units.h"
#include "report/figures.h"
#include "report/vega_assets.h"

namespace effbench {

using nlohmann::json;

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string script_safe_json(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < json_text.size() && json_text[i + 1] == '\x80' &&
               (json_text[i + 2] == '\xa8' || json_text[i + 2] == '\xa9')) {
      out += json_text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// ---------------------------------------------------------------- helpers

struct CaseRef {
  const RunRecord* run;
  const CaseRecord* c;
  std::string label;  // "model · mode · device [· exec] [· run]"
};

std::vector<CaseRef> all_cases(const std::vector<RunRecord>& runs) {
  std::vector<CaseRef> cases;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (c.status != CaseStatus::kOk) continue;  // listed under "Failed cases", not drawn
      std::string label = c.model + " · " + to_string(c.mode) + " · " + c.device.str();
      if (c.command && !c.command->argv.empty()) label = "command · " + c.command->argv.front();
      if (c.exec != Exec::kEager) label += " · " + to_string(c.exec);
      if (c.precision != Precision::kFp32) label += " · " + to_string(c.precision);
      if (runs.size() > 1)
        label += " · " + run.run_id.substr(run.run_id.size() > 6 ? run.run_id.size() - 6 : 0);
      cases.push_back({&run, &c, label});
    }
  }
  return cases;
}

std::string num(double value) { return html_escape(format_number(value)); }

// "412.3 ± 9.1": a figure with its interval (Note [Energy uncertainty]).
std::string num(const Uncertain& value) { return html_escape(format_plus_minus(value)); }

// An energy reading's joules, and its J/sample, each with the reading's interval.
Uncertain reading_joules(const EnergyReading& e) { return {e.joules, e.uncertainty_j.value_or(0)}; }
Uncertain reading_joules_per_sample(const EnergyReading& e) {
  return e.joules != 0 ? scaled(reading_joules(e), e.joules_per_sample / e.joules) : Uncertain{};
}

// "update_period 3.1 J, counter_vs_integral 2 J": what a reading's interval is made of.
std::string terms_text(const EnergyReading& e) {
  std::string text;
  for (const auto& [term, joules] : e.uncertainty_terms_j)
    text += (text.empty() ? "" : ", ") + term + " " + format_number(joules) + " J";
  return text;
}

// A Vega-Lite encoding channel that tells measured figures from estimated
// ones (the "kind" field), mapping them to range[0] and range[1]; `extra`
// adds the channel's title or legend.
json kind_channel(const json& range, const json& extra) {
  json channel = {{"field", "kind"},
                  {"type", "ordinal"},
                  {"sort", {"measured", "estimated"}},
                  {"scale", {{"domain", {"measured", "estimated"}}, {"range", range}}}};
  channel.update(extra);
  return channel;
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class = "") {
  // Cells arrive as HTML (already escaped by the caller).
  std::string out =
      "<table" + (css_class.empty() ? std::string() : " class=\"" + css_class + "\"") + "><thead><tr>";
  for (const auto& h : header) out += "<th>" + html_escape(h) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + cell + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

// Collects the charts of the page; each gets a <div> and its spec goes into
// the JSON island.
class Charts {
 public:
  std::string add(json spec, const std::string& title) {
    const std::string id = "chart-" + std::to_string(specs_.size() + 1);
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json";
    if (!spec.contains("title")) spec["title"] = title;
    specs_.push_back(json{{"id", id}, {"spec", std::move(spec)}});
    return "<div class=\"chart\" id=\"" + id + "\" role=\"img\" aria-label=\"" + html_escape(title) +
           "\"></div>\n";
  }
  const json& specs() const { return specs_; }

 private:
  json specs_ = json::array();
};

// A figure table of report/figures.h, the same cells as the console's.
std::string figure_table(const FigureTable& figures) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : figures.rows) {
    rows.emplace_back();
    for (const auto& cell : row) rows.back().push_back(html_escape(cell));
  }
  std::string out = table(figures.header, rows, "numbers");
  for (const auto& note : figures.notes) out += "<p class=\"note\">" + html_escape(note) + "</p>\n";
  return out;
}

std::string empty_note(const std::string& text) {
  return "<p class=\"empty\">" + html_escape(text) + "</p>\n";
}

// ---------------------------------------------------------------- sections

std::string system_section(const std::vector<RunRecord>& runs) {
  std::string out = "<section id=\"system\"><h2>System</h2>\n";
  for (const auto& run : runs) {
    const SystemInfo& s = run.system;
    std::string gpus;
    for (const auto& g : s.gpus) {
      if (!gpus.empty()) gpus += "; ";
      gpus += std::to_string(g.index) + ": " + g.name + " (" +
              format_bytes(static_cast<double>(g.memory_bytes)) +
              (g.compute_capability.empty() ? "" : ", sm " + g.compute_capability) + ")";
    }
    std::string command;
    for (const auto& arg : run.settings.command_line) command += (command.empty() ? "" : " ") + arg;
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"Run", run.run_id},
        {"Status", to_string(run.status)},
        {"Started / finished", run.started_at + " / " + (run.finished_at.empty() ? "-" : run.finished_at)},
        {"Host", s.hostname},
        {"CPU", s.cpu_model + " (" + std::to_string(s.physical_cores) + " cores, " +
                    std::to_string(s.logical_cores) + " threads)"},
        {"Memory", format_bytes(static_cast<double>(s.memory_bytes))},
        {"GPUs", gpus.empty() ? "none" : gpus},
        {"OS / kernel", s.os + " / " + s.kernel},
        {"LibTorch",
         s.torch_version +
             (s.torch_cuda ? " (CUDA " + s.cuda_version + ", cuDNN " + s.cudnn_version + ")" : " (CPU)")},
        {"GPU driver", s.gpu_driver_version.empty() ? "-" : s.gpu_driver_version},
        {"BLAS", s.blas.empty() ? "-" : s.blas + (s.blas_threads.empty() ? "" : "; " + s.blas_threads)},
        {"malloc", s.allocator.empty() ? "-" : s.allocator},
        {"CPU threads", s.cpu_threads.empty() ? "-" : s.cpu_threads},
        {"Build", s.compiler + ", " + s.build_type + ", effbench " + s.effbench_version +
                      (s.git_commit.empty() ? "" : " @ " + s.git_commit)},
        {"Settings", "repeats " + std::to_string(run.settings.repeats) + ", min time " +
                         format_number(run.settings.min_time_s) + " s, warm-up " +
                         format_number(run.settings.warmup_s) + " s, threads " +
                         std::to_string(run.settings.threads) + ", seed " +
                         std::to_string(run.settings.seed) + ", data " + run.settings.data},
        {"Command", command.empty() ? "-" : command},
    };
    out += "<table class=\"system\"><tbody>\n";
    for (const auto& [key, value] : rows) {
      out += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(value) + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  return out + "</section>\n";
}

std::string speedup_section(const std::vector<RunRecord>& runs, Charts& charts) {
  std::string out = "<section id=\"speedup\"><h2>Speedup over the CPU</h2>\n";
  const auto tables = study_speedup_tables(runs);
  bool any = false;
  for (const auto& t : tables) {
    json values = json::array();
    std::vector<std::string> labels;  // x axis: one per row (model, exec, precision)
    for (const auto& row : t.rows) {
      const std::string label =
          row.best ? row.model + " · best"
                   : row.model + (row.exec == Exec::kEager ? "" : " · " + to_string(row.exec)) +
                         (row.precision == Precision::kFp32 ? "" : " · " + to_string(row.precision));
      labels.push_back(label);
      for (size_t d = 0; d < t.devices.size(); ++d) {
        const SpeedupCell& cell = row.cells[d];
        if (cell.speedup && *cell.speedup > 0) {
          values.push_back({{"model", row.model},
                            {"row", label},
                            {"exec", row.exec},
                            {"precision", row.precision},
                            {"device", t.devices[d]},
                            {"speedup", *cell.speedup},
                            {"label", speedup_cell_text(cell)},
                            {"normalised", cell.flops_normalised ? "by FLOP/s" : "samples/s"}});
        }
      }
    }
    out += "<h3>" + html_escape(t.mode == Mode::kTrain ? "Training" : "Inference") + "</h3>\n";
    if (values.size() > 0 && t.devices.size() > 1) {
      any = true;
      // Lollipops from 1x on a log axis: bars would need a zero baseline.
      json spec = {{"data", {{"values", values}}},
                   {"width", {{"step", 28}}},
                   {"height", 260},
                   {"encoding",
                    {{"x", {{"field", "row"}, {"type", "nominal"}, {"title", "model"}, {"sort", labels}}},
                     {"xOffset", {{"field", "device"}, {"sort", t.devices}}},
                     {"color", {{"field", "device"}, {"type", "nominal"}, {"sort", t.devices}}}}},
                   {"layer",
                    {{{"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
                      {"encoding",
                       {{"y",
                         {{"field", "speedup"},
                          {"type", "quantitative"},
                          {"scale", {{"type", "log"}}},
                          {"title", "speedup over " + t.baseline + " (x, log scale)"}}},
                        {"y2", {{"datum", 1}}}}}},
                     {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}}},
                      {"encoding",
                       {{"y", {{"field", "speedup"}, {"type", "quantitative"}}},
                        {"tooltip", json::array({{{"field", "row"}, {"title", "model"}},
                                                 {{"field", "device"}},
                                                 {{"field", "label"}, {"title", "speedup"}},
                                                 {{"field", "normalised"}, {"title", "compared"}}})}}}}}}};
      out += charts.add(spec, std::string(t.mode == Mode::kTrain ? "Training" : "Inference") +
                                  " speedup over " + t.baseline);
    }
    out += figure_table(speedup_figures(t));
  }
  if (tables.empty())
    out += empty_note("No successful cases to compare.");
  else if (!any)
    out += empty_note("Only one device in these runs: no speedup to draw.");

  const FigureTable modes = exec_mode_figures(exec_mode_table(runs));
  if (!modes.rows.empty()) out += "<h3>Execution modes</h3>\n" + figure_table(modes);
  return out + "</section>\n";
}

std::string throughput_section(const std::vector<CaseRef>& cases, Charts& charts) {
  std::string out = "<section id=\"throughput\"><h2>Throughput and latency</h2>\n";
  for (const Mode mode : {Mode::kTrain, Mode::kInfer}) {
    json windows = json::array(), medians = json::array();
    std::vector<std::string> order;
    std::vector<std::vector<std::string>> rows;
    std::string unit = "samples/s";
    for (const auto& ref : cases) {
      const CaseRecord& c = *ref.c;
      if (c.mode != mode || !c.throughput || c.throughput->median <= 0) continue;
      const auto& t = *c.throughput;
      unit = t.unit;
      order.push_back(ref.label);
      for (double s : t.window_samples_per_s) {
        if (s > 0) windows.push_back({{"case", ref.label}, {"device", c.device.str()}, {"throughput", s}});
      }
      medians.push_back({{"case", ref.label},
                         {"device", c.device.str()},
                         {"median", t.median},
                         {"low", t.min > 0 ? t.min : t.median},
                         {"high", t.max > 0 ? t.max : t.median},
                         {"cv_pct", t.cv * 100}});
      rows.push_back({html_escape(c.model), html_escape(c.device.str()), html_escape(std::to_string(c.batch)),
                      num(t.median), num(t.iqr), num(t.min) + " - " + num(t.max), num(t.cv * 100) + "%",
                      std::to_string(t.window_samples_per_s.size())});
    }
    if (rows.empty()) continue;
    const std::string title = std::string(mode == Mode::kTrain ? "Training" : "Inference") + " throughput";
    json y = {{"field", "case"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}};
    json x_scale = {{"type", "log"}};
    json spec = {
        {"width", 520},
        {"layer",
         {{{"data", {{"values", medians}}},
           {"mark", {{"type", "rule"}}},
           {"encoding",
            {{"y", y},
             {"x",
              {{"field", "low"},
               {"type", "quantitative"},
               {"scale", x_scale},
               {"title", unit + " (log scale): windows, median, min-max"}}},
             {"x2", {{"field", "high"}}},
             {"color", {{"field", "device"}, {"type", "nominal"}}}}}},
          {{"data", {{"values", windows}}},
           {"mark", {{"type", "tick"}, {"opacity", 0.6}}},
           {"encoding",
            {{"y", y},
             {"x", {{"field", "throughput"}, {"type", "quantitative"}}},
             {"color", {{"field", "device"}, {"type", "nominal"}}}}}},
          {{"data", {{"values", medians}}},
           {"mark", {{"type", "point"}, {"filled", true}, {"size", 80}, {"shape", "diamond"}}},
           {"encoding",
            {{"y", y},
             {"x", {{"field", "median"}, {"type", "quantitative"}}},
             {"color", {{"field", "device"}, {"type", "nominal"}}},
             {"tooltip", json::array({{{"field", "case"}},
                                      {{"field", "median"}, {"format", ".4~s"}},
                                      {{"field", "cv_pct"}, {"title", "CV %"}, {"format", ".2f"}}})}}}}}}};
    out += "<h3>" + html_escape(title) + "</h3>\n" + charts.add(spec, title);
    out += table({"model", "device", "batch", "median " + unit, "IQR", "min - max", "CV", "windows"}, rows,
                 "numbers");
  }

  // Latency (batch-1 inference).
  json latency = json::array();
  std::vector<std::string> order;
  std::vector<std::vector<std::string>> rows;
  for (const auto& ref : cases) {
    const CaseRecord& c = *ref.c;
    if (!c.latency_ms || c.latency_ms->count == 0) continue;
    const auto& l = *c.latency_ms;
    order.push_back(ref.label);
    for (const auto& [name, value] :
         {std::pair<const char*, double>{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}}) {
      if (value > 0)
        latency.push_back(
            {{"case", ref.label}, {"percentile", name}, {"ms", value}, {"device", c.device.str()}});
    }
    rows.push_back({html_escape(c.model), html_escape(c.device.str()), num(l.p50), num(l.p90), num(l.p99),
                    std::to_string(l.count)});
  }
  if (!rows.empty()) {
    json y = {{"field", "case"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}};
    json spec = {
        {"width", 520},
        {"data", {{"values", latency}}},
        {"layer",
         {{{"mark", {{"type", "line"}, {"color", "#999"}}},
           {"encoding",
            {{"y", y},
             {"x",
              {{"field", "ms"},
               {"type", "quantitative"},
               {"scale", {{"type", "log"}}},
               {"title", "batch-1 latency, ms (log scale)"}}},
             {"detail", {{"field", "case"}}}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}}},
           {"encoding",
            {{"y", y},
             {"x", {{"field", "ms"}, {"type", "quantitative"}}},
             {"shape",
              {{"field", "percentile"},
               {"type", "nominal"},
               {"sort", {"p50", "p90", "p99"}},
               {"legend", nullptr}}},
             {"color", {{"field", "percentile"}, {"type", "nominal"}, {"sort", {"p50", "p90", "p99"}}}},
             {"tooltip", json::array({{{"field", "case"}},
                                      {{"field", "percentile"}},
                                      {{"field", "ms"}, {"format", ".3~f"}}})}}}}}}};
    out += "<h3>Inference latency (batch 1)</h3>\n" + charts.add(spec, "Batch-1 latency p50 / p90 / p99");
    out += table({"model", "device", "p50 ms", "p90 ms", "p99 ms", "calls"}, rows, "numbers");
  }
  return out + "</section>\n";
}

// Command cases (effbench monitor): what ran, how it ended, its time,
// energy and memory, and each phase.
std::string command_section(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows, phase_rows;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (!c.command) continue;
      const CommandResult& command = *c.command;
      std::string argv;
      for (const auto& word : command.argv) argv += (argv.empty() ? "" : " ") + word;
      const CountedEnergy energy = counted_energy(c.energy);
      const auto energy_cell = [](const CountedEnergy& e) {
        return e.available ? (e.measured ? "" : "~") + num(e.interval()) : std::string("-");
      };
      rows.push_back(
          {html_escape(run.run_id), html_escape(argv), html_escape(std::to_string(command.exit_status)),
           num(command.wall_s), num(command_cpu_s(command)), energy_cell(energy),
           [&] {
             const std::optional<MeanPower> power = command_mean_power(c);
             return power ? (power->measured ? "" : "~") + num(power->watts) : std::string("-");
           }(),
           c.memory.peak_rss_bytes ? html_escape(format_bytes(static_cast<double>(*c.memory.peak_rss_bytes)))
                                   : "-"});
      for (const auto& phase : command.phases) {
        phase_rows.push_back({html_escape(run.run_id), html_escape(phase.name), num(phase.start_s),
                              num(phase.duration_s), energy_cell(counted_energy(phase.energy))});
      }
    }
  }
  if (rows.empty()) return "";
  std::string out = "<section id=\"commands\"><h2>Commands</h2>\n" +
                    table({"run", "command", "exit status", "wall s", "CPU s", "energy J", "mean W",
                           "peak memory (process tree)"},
                          rows);
  if (!phase_rows.empty())
    out += "<h3>Phases</h3>\n" + table({"run", "phase", "start s", "duration s", "energy J"}, phase_rows);
  out +=
      "<p class=\"note\">~ estimated energy. Peak memory sums the resident memory of the command's "
      "processes (docs/monitor.md).</p>\n</section>\n";
  return out;
}

std::string failed_section(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (c.status == CaseStatus::kOk) continue;
      rows.push_back({html_escape(c.model), html_escape(to_string(c.mode)), html_escape(c.device.str()),
                      html_escape(to_string(c.status)), html_escape(c.error)});
    }
  }
  if (rows.empty()) return "";
  return "<h3>Failed cases</h3>\n" + table({"model", "mode", "device", "status", "error"}, rows);
}

// Every case's warnings: a busy machine (Note [Busy machine]), noisy windows, ...
std::string warnings_section(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      for (const auto& warning : c.warnings) {
        rows.push_back({html_escape(c.model), html_escape(to_string(c.mode)), html_escape(c.device.str()),
                        html_escape(warning)});
      }
    }
  }
  if (rows.empty()) return "";
  return "<h3>Warnings</h3>\n" + table({"model", "mode", "device", "warning"}, rows);
}

std::string energy_section(const std::vector<RunRecord>& runs, const std::vector<CaseRef>& cases,
                           Charts& charts) {
  std::string out = "<section id=\"energy\"><h2>Energy</h2>\n";
  out +=
      "<p class=\"legend\"><span class=\"measured\">measured</span> readings come from a sensor (NVML, "
      "RAPL); "
      "<span class=\"estimated\">estimated</span> ones from a model of the hardware and are never added to "
      "measured totals. ± is each reading's interval, made of the terms listed beside it (Note [Energy "
      "uncertainty], docs/energy.md); the results table's J/sample adds the run-to-run spread of the "
      "timed windows.</p>\n";
  json values = json::array();
  std::vector<std::string> order;
  std::vector<std::vector<std::string>> rows, unavailable;
  for (const auto& ref : cases) {
    for (const auto& e : ref.c->energy) {
      const std::string kind = e.measured ? "measured" : "estimated";
      const std::string source = to_string(e.source) + (e.scope.empty() ? "" : " / " + e.scope) +
                                 (e.rank ? " / rank " + std::to_string(*e.rank) : "") +
                                 (e.cross_check ? " (repeat, not added)" : "");
      if (!e.available) {
        unavailable.push_back(
            {html_escape(ref.label), html_escape(source), html_escape(e.unavailable_reason)});
        continue;
      }
      if (std::find(order.begin(), order.end(), ref.label) == order.end()) order.push_back(ref.label);
      if (e.joules_per_sample > 0 && !e.cross_check) {
        values.push_back({{"case", ref.label},
                          {"source", source},
                          {"kind", kind},
                          {"joules_per_sample", e.joules_per_sample},
                          {"joules", e.joules}});
        if (e.uncertainty_j) values.back()["plus_minus_j"] = *e.uncertainty_j;
      }
      rows.push_back({html_escape(ref.label), html_escape(source),
                      "<span class=\"" + kind + "\">" + kind + "</span>", num(reading_joules_per_sample(e)),
                      num(reading_joules(e)), num(e.avg_power_w), num(e.duration_s),
                      html_escape(e.formula) + (e.below_resolution ? " (below sensor resolution)" : ""),
                      html_escape(terms_text(e))});
    }
  }
  if (rows.empty()) {
    out += empty_note("No energy readings in these runs.");
  } else {
    if (!values.empty()) {
      // Bars on a log axis start from the decade below the smallest value.
      double smallest = values.front().at("joules_per_sample").get<double>();
      for (const auto& v : values) smallest = std::min(smallest, v.at("joules_per_sample").get<double>());
      const double floor_j = std::pow(10.0, std::floor(std::log10(smallest)));
      json spec = {
          {"data", {{"values", values}}},
          {"width", {{"step", 16}}},
          {"height", 260},
          {"mark", {{"type", "bar"}, {"strokeWidth", 1.5}}},
          {"encoding",
           {{"x",
             {{"field", "case"},
              {"type", "nominal"},
              {"sort", order},
              {"title", nullptr},
              {"axis", {{"labelAngle", -30}, {"labelLimit", 220}}}}},
            {"xOffset", {{"field", "source"}}},
            {"y",
             {{"field", "joules_per_sample"},
              {"type", "quantitative"},
              {"scale", {{"type", "log"}}},
              {"title", "energy per sample, J (log scale)"}}},
            {"y2", {{"datum", floor_j}}},
            {"color", {{"field", "source"}, {"type", "nominal"}}},
            {"stroke", {{"field", "source"}, {"type", "nominal"}}},
            // Measured readings solid, estimates pale with a dashed outline.
            {"fillOpacity", kind_channel({1.0, 0.25}, {{"title", "reading"}})},
            {"strokeDash", kind_channel(json::array({json::array(), {4, 3}}), {{"legend", nullptr}})},
            {"tooltip",
             json::array({{{"field", "case"}},
                          {{"field", "source"}},
                          {{"field", "kind"}},
                          {{"field", "joules_per_sample"}, {"format", ".4~s"}, {"title", "J/sample"}},
                          {{"field", "joules"}, {"format", ".4~s"}, {"title", "J"}},
                          {{"field", "plus_minus_j"}, {"format", ".2~s"}, {"title", "± J"}}})}}}};
      out += charts.add(spec, "Energy per sample (measured solid, estimated pale and dashed)");
    }
    out += "<h3>Per case</h3>\n";
    out += table({"case", "source", "reading", "J/sample", "J", "avg W", "s", "how", "interval terms"}, rows,
                 "numbers");
  }
  // Per run: measured and estimated totals kept apart.
  std::vector<std::vector<std::string>> run_rows;
  for (const auto& run : runs) {
    std::map<std::string, Uncertain> measured, estimated;  // by source/scope
    for (const auto& c : run.cases) {
      for (const auto& e : c.energy) {
        if (!reading_counts(e)) continue;  // Note [Which energy counts]
        Uncertain& total =
            (e.measured ? measured
                        : estimated)[to_string(e.source) + (e.scope.empty() ? "" : " / " + e.scope)];
        // One reading without an interval (an older run) leaves the total without one: NaN stays NaN
        // through in_quadrature, and format_plus_minus shows the value alone.
        total = {total.value + e.joules, e.uncertainty_j ? in_quadrature(total.half_width, *e.uncertainty_j)
                                                         : std::numeric_limits<double>::quiet_NaN()};
      }
    }
    for (const auto& [source, joules] : measured)
      run_rows.push_back({html_escape(run.run_id), html_escape(source),
                          "<span class=\"measured\">measured</span>", num(joules)});
    for (const auto& [source, joules] : estimated)
      run_rows.push_back({html_escape(run.run_id), html_escape(source),
                          "<span class=\"estimated\">estimated</span>", num(joules)});
  }
  if (!run_rows.empty()) {
    out += "<h3>Per run (sum over the measured windows of its cases)</h3>\n";
    out += table({"run", "source", "reading", "J"}, run_rows, "numbers");
  }
  if (!unavailable.empty()) {
    out += "<details><summary>Unavailable sensors (" + std::to_string(unavailable.size()) + ")</summary>\n";
    out += table({"case", "source", "why"}, unavailable) + "</details>\n";
  }
  return out + "</section>\n";
}

std::string accuracy_section(const std::vector<CaseRef>& cases, Charts& charts) {
  std::string out = "<section id=\"accuracy\"><h2>Accuracy vs energy</h2>\n";
  // The figures, energy and Pareto front of case_efficiencies(), as on the console.
  std::vector<CaseRecord> records;
  for (const auto& ref : cases) records.push_back(*ref.c);
  const GqiSettings gqi;
  const std::vector<CaseEfficiency> efficiencies = case_efficiencies(records, gqi);
  if (efficiencies.empty())
    return out +
           empty_note("No training runs to a result (effbench run --dataset fashion-mnist) in these runs.") +
           "</section>\n";
  // Grouped by (dataset, metric): only those share an axis (and a Pareto front).
  std::map<std::pair<std::string, std::string>, std::vector<const CaseEfficiency*>> groups;
  for (const auto& e : efficiencies) {
    if (e.energy_available) groups[{e.dataset, e.metric}].push_back(&e);
  }
  for (auto& [key, points] : groups) {
    std::sort(points.begin(), points.end(), [](const CaseEfficiency* l, const CaseEfficiency* r) {
      return l->energy_j.value < r->energy_j.value;
    });
    json values = json::array(), front = json::array();
    for (const CaseEfficiency* e : points) {
      const bool pareto = e->pareto.value_or(false);
      values.push_back({{"case", cases[e->case_index].label},
                        {"model", e->model},
                        {"device", e->device},
                        {"energy_j", e->energy_j.value},
                        {"energy_low_j", e->energy_j.value - e->energy_j.half_width},
                        {"energy_high_j", e->energy_j.value + e->energy_j.half_width},

                        {"kind", e->energy_estimated ? "estimated" : "measured"},
                        {"value", e->quality},
                        {"pareto", pareto}});
      if (e->energy_j.half_width > 0) values.back()["plus_minus_j"] = e->energy_j.half_width;
      if (pareto) front.push_back({{"energy_j", e->energy_j.value}, {"value", e->quality}});
    }
    const std::string title =
        key.first + ": " + key.second + " vs energy (line: Pareto front; pale: estimated energy)";
    json spec = {
        {"width", 460},
        {"height", 280},
        {"layer",
         {{{"data", {{"values", front}}},
           {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"color", "#d62728"}}},
           {"encoding",
            {{"x",
              {{"field", "energy_j"},
               {"type", "quantitative"},
               {"scale", {{"type", "log"}}},
               {"title", "energy, J (log scale)"}}},
             {"y",
              {{"field", "value"},
               {"type", "quantitative"},
               {"scale", {{"zero", false}}},
               {"title", key.second}}}}}},
          // The energy's interval (Note [Energy uncertainty]) as a horizontal bar.
          {{"data", {{"values", values}}},
           {"mark", {{"type", "rule"}, {"color", "#888"}}},
           {"encoding",
            {{"x", {{"field", "energy_low_j"}, {"type", "quantitative"}}},
             {"x2", {{"field", "energy_high_j"}}},
             {"y", {{"field", "value"}, {"type", "quantitative"}}}}}},
          {{"data", {{"values", values}}},
           {"mark", {{"type", "point"}, {"size", 80}, {"filled", true}}},
           {"encoding",
            {{"x", {{"field", "energy_j"}, {"type", "quantitative"}}},
             {"y", {{"field", "value"}, {"type", "quantitative"}}},
             {"color", {{"field", "device"}, {"type", "nominal"}}},
             {"shape", {{"field", "model"}, {"type", "nominal"}}},
             {"fillOpacity", kind_channel({1.0, 0.3}, {{"title", "energy"}})},
             {"tooltip", json::array({{{"field", "case"}},
                                      {{"field", "value"}},
                                      {{"field", "energy_j"}, {"format", ".4~s"}},
                                      {{"field", "plus_minus_j"}, {"format", ".2~s"}, {"title", "± J"}},
                                      {{"field", "kind"}},
                                      {{"field", "pareto"}}})}}}}}}};
    out += charts.add(spec, title);
  }
  out += figure_table(efficiency_figures(efficiencies, gqi));
  return out + "</section>\n";
}

// Note [Batch sweep] in analysis/batch_sweep.h: each run's curves, the best batch marked.
std::string batch_sweep_section(const std::vector<RunRecord>& runs, Charts& charts) {
  std::string out = "<section id=\"batch-sweep\"><h2>Batch sweep</h2>\n";
  std::vector<std::vector<std::string>> rows;
  json values = json::array();
  for (const auto& run : runs) {
    for (const auto& curve : batch_curves(run.cases)) {
      const std::string series = curve.model + " · " + to_string(curve.mode) + " · " + curve.device.str() +
                                 " · " + to_string(curve.precision) +
                                 (curve.exec == Exec::kEager ? "" : " · " + to_string(curve.exec)) +
                                 (runs.size() > 1 ? " · " + run.run_id : "");
      std::string points;
      for (const auto& p : curve.points) {
        values.push_back({{"batch", p.batch},
                          {"samples_per_s", p.samples_per_s},
                          {"series", series},
                          {"best", p.batch == curve.best.batch}});
        points +=
            (points.empty() ? "" : ", ") + std::to_string(p.batch) + ": " + format_number(p.samples_per_s);
      }
      rows.push_back({html_escape(series), html_escape(std::to_string(curve.best.batch)),
                      num(curve.best.samples_per_s), html_escape(points)});
    }
  }
  if (rows.empty()) {
    return out +
           empty_note("No batch sweep in these runs (effbench run --batch auto, or --batch 16,32,64).") +
           "</section>\n";
  }
  json spec = {
      {"data", {{"values", values}}},
      {"width", 520},
      {"height", 220},
      {"layer",
       {{{"mark", {{"type", "line"}, {"point", true}}},
         {"encoding",
          {{"x",
            {{"field", "batch"},
             {"type", "quantitative"},
             {"scale", {{"type", "log"}, {"base", 2}}},
             {"title", "batch"}}},
           {"y", {{"field", "samples_per_s"}, {"type", "quantitative"}, {"title", "samples/s (median)"}}},
           {"color", {{"field", "series"}, {"type", "nominal"}, {"title", "case"}}}}}},
        {{"transform", {{{"filter", "datum.best"}}}},
         {"mark", {{"type", "point"}, {"shape", "diamond"}, {"size", 160}, {"filled", true}}},
         {"encoding",
          {{"x", {{"field", "batch"}, {"type", "quantitative"}}},
           {"y", {{"field", "samples_per_s"}, {"type", "quantitative"}}},
           {"color", {{"field", "series"}, {"type", "nominal"}}},
           {"tooltip", {{{"field", "series"}}, {{"field", "batch"}}, {{"field", "samples_per_s"}}}}}}}}}};
  out += charts.add(spec, "Throughput against batch (the best batch of each case is a diamond)");
  out += table({"case", "best batch", "samples/s", "curve (batch: samples/s)"}, rows);
  return out + "</section>\n";
}

std::string power_section(const std::vector<CaseRef>& cases, Charts& charts) {
  std::string out = "<section id=\"power\"><h2>Power over time</h2>\n";
  bool any = false;
  for (const auto& ref : cases) {
    json values = json::array();
    for (const auto& timeline : ref.c->power_timeline) {
      const std::string series = timeline.source + (timeline.device.empty() ? "" : " / " + timeline.device);
      for (const auto& p : timeline.points)
        values.push_back({{"t_s", p.t_s}, {"watts", p.watts}, {"series", series}});
    }
    if (values.empty()) continue;
    any = true;
    json spec = {
        {"data", {{"values", values}}},
        {"width", 520},
        {"height", 140},
        {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
        {"encoding",
         {{"x", {{"field", "t_s"}, {"type", "quantitative"}, {"title", "time since the first window, s"}}},
          {"y", {{"field", "watts"}, {"type", "quantitative"}, {"title", "W"}}},
          {"color", {{"field", "series"}, {"type", "nominal"}, {"title", "sensor"}}}}}};
    out += charts.add(spec, "Power: " + ref.label);
  }
  if (!any) out += empty_note("No power timelines in these runs (no power sensor was read).");
  return out + "</section>\n";
}

std::string memory_section(const std::vector<CaseRef>& cases, Charts& charts) {
  std::string out = "<section id=\"memory\"><h2>Peak memory</h2>\n";
  json values = json::array();
  std::vector<std::string> order;
  std::vector<std::vector<std::string>> rows;
  auto cell = [](const std::optional<int64_t>& v) {
    return v ? html_escape(format_bytes(static_cast<double>(*v))) : std::string("-");
  };
  for (const auto& ref : cases) {
    const MemoryUsage& m = ref.c->memory;
    const std::vector<std::pair<const char*, std::optional<int64_t>>> kinds = {
        {"peak RSS (host)", m.peak_rss_bytes},
        {"CUDA peak allocated", m.cuda_peak_allocated_bytes},
        {"CUDA peak reserved", m.cuda_peak_reserved_bytes},
        {"device used (NVML)", m.device_used_bytes}};
    bool has = false;
    for (const auto& [kind, value] : kinds) {
      if (value && *value > 0) {
        has = true;
        values.push_back(
            {{"case", ref.label}, {"kind", kind}, {"mib", static_cast<double>(*value) / (1024.0 * 1024.0)}});
      }
    }
    if (!has) continue;
    order.push_back(ref.label);
    rows.push_back({html_escape(ref.c->model), html_escape(ref.c->device.str()),
                    html_escape(to_string(ref.c->mode)), cell(m.peak_rss_bytes),
                    cell(m.cuda_peak_allocated_bytes), cell(m.cuda_peak_reserved_bytes),
                    cell(m.device_used_bytes)});
  }
  if (rows.empty()) return out + empty_note("No memory figures in these runs.") + "</section>\n";
  json spec = {{"data", {{"values", values}}},
               {"width", {{"step", 14}}},
               {"height", 240},
               {"mark", "bar"},
               {"encoding",
                {{"x",
                  {{"field", "case"},
                   {"type", "nominal"},
                   {"sort", order},
                   {"title", nullptr},
                   {"axis", {{"labelAngle", -30}, {"labelLimit", 220}}}}},
                 {"xOffset", {{"field", "kind"}}},
                 {"y", {{"field", "mib"}, {"type", "quantitative"}, {"title", "MiB"}}},
                 {"color", {{"field", "kind"}, {"type", "nominal"}, {"title", "memory"}}},
                 {"tooltip", json::array({{{"field", "case"}},
                                          {{"field", "kind"}},
                                          {{"field", "mib"}, {"format", ".1f"}, {"title", "MiB"}}})}}}};
  out += charts.add(spec, "Peak memory per model and device");
  out += table({"model", "device", "mode", "peak RSS", "CUDA allocated", "CUDA reserved", "device used"},
               rows, "numbers");
  return out + "</section>\n";
}

const char* const kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; } th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
table.numbers td { font-variant-numeric: tabular-nums; } table.system th { color: #555; font-weight: 600; width: 12em; }
.chart { margin: 0.8em 0; } .empty { color: #777; font-style: italic; } .note, .legend { color: #555; }
.measured { background: #1f77b4; color: #fff; padding: 0 0.4em; border-radius: 3px; }
.estimated { border: 1px dashed #1f77b4; color: #1f77b4; padding: 0 0.4em; border-radius: 3px; }
#effbench-status { color: #888; font-size: 12px; margin-top: 3em; } nav a { margin-right: 1em; }
)css";

// Runs first, before the libraries, so their errors are caught too.
const char* const kErrorCapture = R"js(
window.effbenchErrors = [];
window.addEventListener('error', function (e) { window.effbenchErrors.push(String(e.message)); });
document.addEventListener('securitypolicyviolation', function (e) {
  window.effbenchErrors.push('blocked ' + e.blockedURI + ' by ' + e.violatedDirective);
});
(function () {
  var consoleError = console.error;
  console.error = function () {
    window.effbenchErrors.push(Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };
})();
)js";

// Renders every chart, then records in #effbench-status what happened.
const char* const kPageScript = R"js(
(function () {
  var status = document.getElementById('effbench-status');
  var errors = window.effbenchErrors;
  var items = JSON.parse(document.getElementById('effbench-specs').textContent);
  var pending = items.length, rendered = 0, empty = [];
  function update() {
    status.setAttribute('data-charts', String(items.length));
    status.setAttribute('data-rendered', String(rendered));
    status.setAttribute('data-errors', String(errors.length));
    status.setAttribute('data-done', pending === 0 ? 'true' : 'false');
    status.setAttribute('data-height', String(document.documentElement.scrollHeight));
    status.textContent = 'Charts rendered: ' + rendered + ' of ' + items.length +
        (empty.length ? '; empty: ' + empty.join(', ') : '') + (errors.length ? '; errors: ' + errors.join(' | ') : '');
  }
  window.addEventListener('error', function () { update(); });
  items.forEach(function (item) {
    vegaEmbed('#' + item.id, item.spec, {actions: false, renderer: 'svg'}).then(function () {
      var svg = document.querySelector('#' + item.id + ' svg');
      var marks = svg ? svg.querySelectorAll('path, rect, line, circle, text').length : 0;
      if (svg && marks > 0 && svg.getBoundingClientRect().width > 0) rendered++; else empty.push(item.id);
    }).catch(function (err) { errors.push(item.id + ': ' + err); }).then(function () { pending--; update(); });
  });
  update();
})();
)js";

}  // namespace

namespace {

// The shipped tables the summary and the studies read; nullopt (and why) when one cannot be read.
struct ShippedTables {
  const std::vector<PublishedThroughput>* published = nullptr;  // the shipped table, loaded once
  std::optional<CsvTable> accelerator_memory;
  std::string error;
};

ShippedTables load_shipped_tables() {
  ShippedTables t;
  try {
    t.published = &default_published_throughputs();
    t.accelerator_memory = read_csv_file(default_trend_data_path());
  } catch (const Error& e) {
    t.error = e.what();
  }
  return t;
}

std::vector<StudyReproduction> studies_of(const std::vector<RunRecord>& runs, const ShippedTables& shipped) {
  if (!shipped.error.empty()) return {};
  StudyInputs inputs;
  inputs.catalog = &default_catalog();
  inputs.published = shipped.published;
  inputs.accelerator_memory = &*shipped.accelerator_memory;
  return reproduce_studies(runs, inputs);
}

// Note [Calibrated GPU projection] as a chart: each case's interval per GPU on a log axis.
std::string projected_speedup_chart(const ProjectedSpeedupTable& table, Charts& charts) {
  json values = json::array();
  for (const auto& row : table.rows) {
    for (size_t g = 0; g < row.cells.size(); ++g) {
      const ProjectedSpeedup& cell = row.cells[g];
      if (!cell.high_x) continue;
      const double low = cell.low_x.value_or(*cell.high_x);
      values.push_back({{"case", row.model + " " + to_string(row.mode) + " " + to_string(row.precision) +
                                     (row.exec == Exec::kEager ? "" : " " + to_string(row.exec))},
                        {"gpu", table.gpus[g]->name},
                        {"low_x", low},
                        {"high_x", *cell.high_x},
                        {"middle_x", std::sqrt(low * *cell.high_x)},
                        {"basis", cell.bound_only     ? "roofline bound only"
                                  : cell.extrapolated ? "calibrated, extrapolated"
                                                      : "calibrated"}});
    }
  }
  if (values.empty()) return "";
  const json x = {{"field", "low_x"},
                  {"type", "quantitative"},
                  {"scale", {{"type", "log"}}},
                  {"title", "projected speedup over this machine (log scale)"}};
  json spec = {{"data", {{"values", values}}},
               {"width", 460},
               {"encoding",
                {{"y", {{"field", "case"}, {"type", "nominal"}, {"title", nullptr}}},
                 {"yOffset", {{"field", "gpu"}}},
                 {"color", {{"field", "gpu"}, {"type", "nominal"}}}}},
               {"layer",
                {{{"mark", {{"type", "rule"}, {"strokeWidth", 3}}},
                  {"encoding", {{"x", x}, {"x2", {{"field", "high_x"}}}}}},
                 {{"mark", {{"type", "point"}, {"filled", true}}},
                  {"encoding",
                   {{"x", {{"field", "middle_x"}, {"type", "quantitative"}}},
                    {"shape", {{"field", "basis"}, {"type", "nominal"}}},
                    {"tooltip", json::array({{{"field", "case"}},
                                             {{"field", "gpu"}},
                                             {{"field", "low_x"}, {"format", ".3~r"}, {"title", "from"}},
                                             {{"field", "high_x"}, {"format", ".3~r"}, {"title", "to"}},
                                             {{"field", "basis"}}})}}}}}}};
  return charts.add(spec, "What a GPU would buy: projected speedup intervals (docs/projection.md)");
}

// What a lab takes away, first: the speedup a GPU gives (measured, or
// projected when none ran), energy per sample, and each study's verdicts.
std::string summary_section(const std::vector<RunRecord>& runs, const ShippedTables& shipped,
                            const std::vector<StudyReproduction>& studies, Charts& charts) {
  std::string out = "<section id=\"summary\"><h2>Summary</h2>\n";
  std::vector<CaseRecord> cases;
  for (const auto& run : runs) cases.insert(cases.end(), run.cases.begin(), run.cases.end());
  const bool gpu_ran =
      std::any_of(cases.begin(), cases.end(), [](const CaseRecord& c) { return c.device.is_cuda(); });
  if (gpu_ran) {
    out += "<p>A GPU ran here: the speedups below are measured (the Speedup section has every row).</p>\n";
    for (const Mode mode : {Mode::kTrain, Mode::kInfer}) {
      const SpeedupTable table = speedup_table(cases, mode);
      if (!table.models.empty())
        out += "<h3>" + to_string(mode) + "</h3>\n" + figure_table(speedup_figures(table));
    }
  } else if (!shipped.error.empty()) {
    out += empty_note("No GPU projection: " + shipped.error);
  } else {
    const ProjectedSpeedupTable table =
        project_gpu_speedups(cases, default_projection_gpus(), default_catalog(), *shipped.published);
    if (table.rows.empty()) {
      out += empty_note("No cpu throughput case in these runs to project from.");
    } else {
      out +=
          "<p>No GPU ran here. What one would buy, projected from published measurements over this "
          "machine's measured throughput:</p>\n";
      out += projected_speedup_chart(table, charts);
      out += figure_table(projected_speedup_figures(table));
      out += "<h3>Energy per sample</h3>\n" + figure_table(projected_energy_figures(table));
      out += "<h3>One epoch: time and energy</h3>\n" + figure_table(projected_epoch_figures(table));
    }
  }
  if (!studies.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& study : studies) {
      std::map<Verdict, int> counts;
      for (const auto& row : study.rows) ++counts[row.verdict];
      std::string verdicts;
      for (const auto& [verdict, count] : counts)
        verdicts += (verdicts.empty() ? "" : ", ") + std::to_string(count) + " " + verdict_text(verdict);
      rows.push_back({html_escape(study.title), html_escape(verdicts)});
    }
    out += "<h3>The studies (section <a href=\"#studies\">Studies</a>)</h3>\n" +
           table({"study", "verdicts"}, rows);
  }
  return out + "</section>\n";
}

std::string studies_section(const std::vector<StudyReproduction>& studies, const ShippedTables& shipped) {
  std::string out = "<section id=\"studies\"><h2>Studies</h2>\n";
  if (!shipped.error.empty())
    return out + empty_note("The studies need the shipped tables: " + shipped.error) + "</section>\n";
  out +=
      "<p class=\"legend\">Each study's published figures beside these runs (<code>effbench reproduce</code> "
      "prints the same); verdicts as Note [Study verdicts] defines them.</p>\n";
  for (const auto& study : studies)
    out += "<h3>" + html_escape(study.title) + "</h3>\n" + figure_table(study_figures(study));
  return out + "</section>\n";
}

}  // namespace

std::string html_report(const std::vector<RunRecord>& runs) {
  check(!runs.empty(), "report: expected at least one run but got none");
  const auto cases = all_cases(runs);
  Charts charts;
  const ShippedTables shipped = load_shipped_tables();
  const std::vector<StudyReproduction> studies = studies_of(runs, shipped);
  std::string body;
  body += summary_section(runs, shipped, studies, charts);
  body += system_section(runs);
  body += speedup_section(runs, charts);
  body += throughput_section(cases, charts);
  body += batch_sweep_section(runs, charts);
  body += command_section(runs);
  body += failed_section(runs);
  body += warnings_section(runs);
  body += energy_section(runs, cases, charts);
  body += accuracy_section(cases, charts);
  body += power_section(cases, charts);
  body += memory_section(cases, charts);
  body += studies_section(studies, shipped);

  std::string run_list;
  for (const auto& run : runs)
    run_list += (run_list.empty() ? "" : ", ") + run.run_id + " (" + to_string(run.status) + ")";
  std::string page;
  page.reserve(900 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline' "
      "'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>effbench report: " + html_escape(runs.front().run_id) +
          (runs.size() > 1 ? " and others" : "") + "</title>\n<style>" + std::string(kStyle) + "</style>\n";
  page += "<script>" + std::string(kErrorCapture) + "</script>\n";
  // Note [Self-contained report]: the vendored scripts, byte for byte.
  page += "<script>" + vega_js() + "\n</script>\n";
  page += "<script>" + vega_lite_js() + "\n</script>\n";
  page += "<script>" + vega_embed_js() + "\n</script>\n";
  page += "</head>\n<body>\n<h1>effbench report</h1>\n";
  page += "<p>Runs: " + html_escape(run_list) + ". Generated " + html_escape(utc_now_iso8601()) + ".</p>\n";
  page +=
      "<nav><a href=\"#summary\">Summary</a><a href=\"#system\">System</a><a href=\"#speedup\">Speedup</a><a "
      "href=\"#throughput\">Throughput</a>"
      "<a href=\"#energy\">Energy</a><a href=\"#accuracy\">Accuracy</a><a href=\"#power\">Power</a>"
      "<a href=\"#memory\">Memory</a><a href=\"#studies\">Studies</a></nav>\n";
  page += body;
  page += "<p id=\"effbench-status\" data-done=\"false\">Charts need JavaScript.</p>\n";
  page += "<script type=\"application/json\" id=\"effbench-specs\">" +
          script_safe_json(charts.specs().dump()) + "</script>\n";
  page += "<script>" + std::string(kPageScript) + "</script>\n</body>\n</html>\n";
  return page;
}

void write_html_report(const std::vector<RunRecord>& runs, const std::string& path) {
  write_file_atomically(path, html_report(runs), "report");
}

}  // namespace effbench
