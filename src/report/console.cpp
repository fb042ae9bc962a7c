#include "report/console.h"

#include <algorithm>
#include <cstdio>

#include "core/units.h"
#include "results/fields.h"

namespace effbench {

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      // First column left-aligned (names), the rest right-aligned (numbers).
      const std::string padding(widths[i] - cell.size(), ' ');
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
    const std::string who = c.model + "/" + c.device + "/" + c.mode;
    for (const auto& note : c.notes) footnotes += "  note    " + who + ": " + note + "\n";
    for (const auto& warning : c.warnings) footnotes += "  warning " + who + ": " + warning + "\n";
    if (!c.error.empty()) footnotes += "  " + c.status + "  " + who + ": " + c.error + "\n";
  }
  bool any_estimate = false;
  for (const auto& c : cases) any_estimate = any_estimate || energy_per_sample_text(c).rfind('~', 0) == 0;
  if (any_estimate) {
    footnotes += "  ~ estimated energy (no sensor could be read; formula in the JSON, see docs/energy.md)\n";
  }
  return render_table(header, rows) + footnotes;
}

std::string speedup_text(const SpeedupTable& table) {
  std::vector<std::string> header = {"model"};
  for (const auto& device : table.devices) header.push_back(device);
  std::vector<std::vector<std::string>> rows;
  bool any_normalised = false;
  for (const auto& model : table.models) {
    std::vector<std::string> row = {model};
    for (const auto& device : table.devices) {
      const SpeedupCell* cell = table.cell(model, device);
      if (!cell || !cell->speedup) {
        row.push_back("-");
        continue;
      }
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), *cell->speedup >= 10 ? "%.0fx%s" : "%.2fx%s", *cell->speedup,
                    cell->flops_normalised ? "*" : "");
      any_normalised = any_normalised || cell->flops_normalised;
      row.push_back(buffer);
    }
    rows.push_back(row);
  }
  std::string text = render_table(header, rows);
  if (any_normalised) {
    text += "  * input sizes differ from " + table.baseline +
            "'s: ratio of achieved FLOP/s (throughput x FLOPs per sample), not of samples/s\n";
  }
  return text;
}

}  // namespace effbench

namespace effbench {

std::string exec_mode_text(const std::vector<CaseRecord>& cases) {
  const std::vector<std::string> order = {"eager", "fused", "graph"};
  struct Group {
    std::string model, device, precision;
    int64_t batch = 0;
    std::vector<const CaseRecord*> by_exec;  // parallel to `order`
  };
  std::vector<Group> groups;
  for (const auto& c : cases) {
    if (c.mode != "infer") continue;
    const auto exec_it = std::find(order.begin(), order.end(), c.exec);
    if (exec_it == order.end()) continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.model == c.model && g.device == c.device && g.precision == c.precision && g.batch == c.batch;
    });
    if (it == groups.end()) {
      groups.push_back(
          Group{c.model, c.device, c.precision, c.batch, std::vector<const CaseRecord*>(order.size())});
      it = groups.end() - 1;
    }
    it->by_exec[static_cast<size_t>(exec_it - order.begin())] = &c;
  }
  // Only the modes that ran, and only groups with two of them.
  std::vector<size_t> present;
  for (size_t e = 0; e < order.size(); ++e) {
    for (const auto& g : groups) {
      if (g.by_exec[e] != nullptr) {
        present.push_back(e);
        break;
      }
    }
  }
  if (present.size() < 2) return "";
  auto ok = [](const CaseRecord* c) {
    return c != nullptr && c->status == "ok" && c->throughput.has_value();
  };
  auto format_ratio = [](double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2fx", value);
    return std::string(buffer);
  };
  auto format_change = [](double fraction) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%+.1f%%", 100.0 * fraction);
    return std::string(buffer);
  };
  std::vector<std::string> header = {"model", "device", "prec", "batch"};
  for (size_t e : present) header.push_back(order[e] + " samples/s");
  for (size_t e : present) header.push_back(order[e] + " p50 ms");
  for (size_t e : present) {
    if (e == 0) continue;
    header.push_back(order[e] + "/eager");
    header.push_back(order[e] + " latency");
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : groups) {
    size_t ran = 0;
    for (const auto* c : g.by_exec) ran += c != nullptr;
    if (ran < 2) continue;
    std::vector<std::string> row = {g.model, g.device, g.precision, std::to_string(g.batch)};
    for (size_t e : present)
      row.push_back(ok(g.by_exec[e]) ? format_number(g.by_exec[e]->throughput->median) : "-");
    for (size_t e : present) {
      const CaseRecord* c = g.by_exec[e];
      row.push_back(ok(c) && c->latency_ms ? format_number(c->latency_ms->p50) : "-");
    }
    const CaseRecord* eager = g.by_exec[0];
    for (size_t e : present) {
      if (e == 0) continue;
      const CaseRecord* c = g.by_exec[e];
      const bool both = ok(c) && ok(eager) && eager->throughput->median > 0;
      row.push_back(both ? format_ratio(c->throughput->median / eager->throughput->median) : "-");
      const bool latencies = both && c->latency_ms && eager->latency_ms && eager->latency_ms->p50 > 0;
      row.push_back(latencies ? format_change(c->latency_ms->p50 / eager->latency_ms->p50 - 1.0) : "-");
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return "";
  return render_table(header, rows) +
         "  mode/eager: ratio of median throughputs at the case's batch; latency: change of the batch-1 "
         "p50\n";
}

}  // namespace effbench
