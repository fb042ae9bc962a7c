#include "analysis/speedup.h"

#include <algorithm>

namespace effbench {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

const SpeedupCell* SpeedupTable::cell(const std::string& model, const std::string& device) const {
  const auto it = cells.find({model, device});
  return it == cells.end() ? nullptr : &it->second;
}

SpeedupTable speedup_table(const std::vector<CaseRecord>& cases, const std::string& mode,
                           const std::string& baseline) {
  SpeedupTable table;
  table.mode = mode;
  table.baseline = baseline;
  table.devices.push_back(baseline);
  std::map<std::pair<std::string, std::string>, const CaseRecord*> found;
  for (const auto& c : cases) {
    if (c.mode != mode) continue;
    add_unique(table.models, c.model);
    add_unique(table.devices, c.device);
    if (c.status == "ok" && c.throughput && c.throughput->median > 0) found[{c.model, c.device}] = &c;
  }
  for (const auto& model : table.models) {
    const auto base = found.find({model, baseline});
    for (const auto& device : table.devices) {
      SpeedupCell cell;
      const auto other = found.find({model, device});
      if (base != found.end() && other != found.end()) {
        const CaseRecord& b = *base->second;
        const CaseRecord& o = *other->second;
        if (b.input_shape == o.input_shape) {
          cell.speedup = o.throughput->median / b.throughput->median;
        } else if (b.step_flops_per_sample > 0 && o.step_flops_per_sample > 0) {
          cell.speedup = (o.throughput->median * o.step_flops_per_sample) /
                         (b.throughput->median * b.step_flops_per_sample);
          cell.flops_normalised = true;
        }
      }
      table.cells[{model, device}] = cell;
    }
  }
  return table;
}

}  // namespace effbench
