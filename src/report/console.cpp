#include "report/console.h"

#include <algorithm>
#include <cstdio>

#include "analysis/batch_sweep.h"
#include "analysis/compare.h"
#include "core/units.h"
#include "results/fields.h"

namespace effbench {

namespace {

// Columns a cell takes on a terminal: its UTF-8 code points ("±" is two bytes, one column).
size_t display_width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;  // not a continuation byte
  }));
}

}  // namespace

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) widths[i] = display_width(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      // First column left-aligned (names), the rest right-aligned (numbers).
      const std::string padding(widths[i] - display_width(cell), ' ');
      text += (i == 0 ? cell + padding : padding + cell);
      if (i + 1 < widths.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string text = line(header);
  size_t total = 0;
  for (size_t w : widths) total += w + 2;
  text += std::string(total >= 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& row : rows) text += line(row);
  return text;
}

std::string results_table(const std::vector<CaseRecord>& cases) {
  std::vector<const CaseField*> columns;
  std::vector<std::string> header;
  for (const auto& field : case_fields()) {
    if (field.header.empty() || !field.cell) continue;
    columns.push_back(&field);
    header.push_back(field.header);
  }
  std::vector<std::vector<std::string>> rows;
  std::string footnotes;
  for (const auto& c : cases) {
    std::vector<std::string> row;
    for (const auto* field : columns) row.push_back(field->cell(c));
    rows.push_back(row);
    const std::string who = c.model + "/" + c.device.str() + "/" + to_string(c.mode);
    for (const auto& note : c.notes) footnotes += "  note    " + who + ": " + note + "\n";
    for (const auto& warning : c.warnings) footnotes += "  warning " + who + ": " + warning + "\n";
    if (!c.error.empty()) footnotes += "  " + to_string(c.status) + "  " + who + ": " + c.error + "\n";
  }
  bool any_estimate = false;
  for (const auto& c : cases) any_estimate = any_estimate || energy_per_sample_text(c).rfind('~', 0) == 0;
  if (any_estimate) {
    footnotes += "  ~ estimated energy (no sensor could be read; formula in the JSON, see docs/energy.md)\n";
  }
  const std::string commands = command_table(cases);
  return render_table(header, rows) + footnotes + (commands.empty() ? "" : "\nCommands\n" + commands);
}

namespace {

std::string counted_text(const CountedEnergy& energy) {
  if (!energy.available) return "-";
  return (energy.measured ? "" : "~") + format_plus_minus(energy.interval());
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

}  // namespace

namespace {

// "~99.4" for an estimate, "99.4" measured, "-" unknown.
std::string mean_power_text(const std::optional<MeanPower>& power) {
  if (!power) return "-";
  return (power->measured ? "" : "~") + format_number(power->watts);
}

}  // namespace

std::string command_table(const std::vector<CaseRecord>& cases) {
  std::vector<std::vector<std::string>> rows;
  std::string phases;
  bool any_estimate = false;
  for (const auto& c : cases) {
    if (!c.command) continue;
    const CommandResult& command = *c.command;
    const CountedEnergy energy = counted_energy(c.energy);
    any_estimate = any_estimate || (energy.available && !energy.measured);
    rows.push_back(
        {joined(command.argv), std::to_string(command.exit_status), format_number(command.wall_s),
         format_number(command_cpu_s(command)), counted_text(energy), mean_power_text(command_mean_power(c)),
         c.memory.peak_rss_bytes ? format_bytes(static_cast<double>(*c.memory.peak_rss_bytes)) : "-"});
    for (const auto& phase : command.phases) {
      phases += "  phase " + phase.name + ": from " + format_number(phase.start_s) + " s for " +
                format_number(phase.duration_s) + " s, " + counted_text(counted_energy(phase.energy)) +
                " J\n";
    }
  }
  if (rows.empty()) return "";
  std::string text =
      render_table({"command", "exit", "wall s", "CPU s", "energy J", "mean W", "peak mem (tree)"}, rows) +
      phases;
  if (any_estimate) text += "  ~ estimated energy (no sensor could be read; formula in the JSON)\n";
  return text;
}

std::string figure_text(const FigureTable& table) {
  if (table.rows.empty()) return "";
  std::string text = render_table(table.header, table.rows);
  for (const auto& note : table.notes) text += "  " + note + "\n";
  return text;
}

std::string speedup_text(const SpeedupTable& table) { return figure_text(speedup_figures(table)); }

std::string exec_mode_text(const std::vector<CaseRecord>& cases) {
  return figure_text(exec_mode_figures(exec_mode_rows(cases)));
}

std::string efficiency_table_text(const std::vector<CaseEfficiency>& rows, const GqiSettings& settings) {
  return figure_text(efficiency_figures(rows, settings));
}

std::string batch_sweep_text(const std::vector<CaseRecord>& cases) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& curve : batch_curves(cases)) {
    std::string points;
    for (const auto& p : curve.points)
      points +=
          (points.empty() ? "" : "  ") + std::to_string(p.batch) + ": " + format_number(p.samples_per_s);
    rows.push_back({curve.model, curve.device.str(), to_string(curve.mode), to_string(curve.precision),
                    to_string(curve.exec), std::to_string(curve.best.batch),
                    format_number(curve.best.samples_per_s), points});
  }
  if (rows.empty()) return "";
  return render_table(
      {"model", "device", "mode", "prec", "exec", "best batch", "samples/s", "batch: samples/s"}, rows);
}

}  // namespace effbench
