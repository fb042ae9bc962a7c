#include "analysis/speedup.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace effbench {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// (model, exec, precision): what a row holds fixed (Note [What a speedup compares]).
using RowKey = std::tuple<std::string, Exec, Precision>;

SpeedupCell ratio(const CaseRecord& base, const CaseRecord& other) {
  SpeedupCell cell;
  if (base.input_shape == other.input_shape) {
    cell.speedup = other.throughput->median / base.throughput->median;
  } else if (base.step_flops_per_sample > 0 && other.step_flops_per_sample > 0) {
    cell.speedup = (other.throughput->median * other.step_flops_per_sample) /
                   (base.throughput->median * base.step_flops_per_sample);
    cell.flops_normalised = true;
  }
  return cell;
}

// What "fastest" compares within one model and device: samples/s, or
// achieved FLOP/s when the FLOPs per sample are known (they are the same
// for every exec mode and precision of one model and input size).
double achieved_rate(const CaseRecord& c) {
  return c.step_flops_per_sample > 0 ? c.throughput->median * c.step_flops_per_sample : c.throughput->median;
}

}  // namespace

const SpeedupCell* SpeedupTable::cell(const std::string& model, const std::string& device, Exec exec,
                                      Precision precision) const {
  const auto column = std::find(devices.begin(), devices.end(), device);
  if (column == devices.end()) return nullptr;
  for (const auto& row : rows) {
    if (!row.best && row.model == model && row.exec == exec && row.precision == precision)
      return &row.cells[static_cast<size_t>(column - devices.begin())];
  }
  return nullptr;
}

SpeedupTable speedup_table(const std::vector<CaseRecord>& cases, Mode mode, const std::string& baseline) {
  SpeedupTable table;
  table.mode = mode;
  table.baseline = baseline;
  table.devices.push_back(baseline);
  std::vector<RowKey> row_keys;
  std::map<std::pair<RowKey, std::string>, const CaseRecord*> found;  // (row, device)
  for (const auto& c : cases) {
    if (c.mode != mode) continue;
    add_unique(table.models, c.model);
    add_unique(table.devices, c.device.str());
    const RowKey key{c.model, c.exec, c.precision};
    if (std::find(row_keys.begin(), row_keys.end(), key) == row_keys.end()) row_keys.push_back(key);
    if (c.status == CaseStatus::kOk && c.throughput && c.throughput->median > 0)
      found[{key, c.device.str()}] = &c;
  }
  for (const auto& key : row_keys) {
    SpeedupRow row{std::get<0>(key), std::get<1>(key), std::get<2>(key), false, {}};
    const auto base = found.find({key, baseline});
    for (const auto& device : table.devices) {
      const auto other = found.find({key, device});
      const bool both = base != found.end() && other != found.end();
      row.cells.push_back(both ? ratio(*base->second, *other->second) : SpeedupCell{});
    }
    table.rows.push_back(std::move(row));
  }
  // Best vs best, for the models with more than one row (Note [What a speedup compares]).
  for (const auto& model : table.models) {
    const auto rows_of_model = std::count_if(row_keys.begin(), row_keys.end(),
                                             [&](const RowKey& key) { return std::get<0>(key) == model; });
    if (rows_of_model < 2) continue;
    auto fastest = [&](const std::string& device) -> const CaseRecord* {
      const CaseRecord* best = nullptr;
      for (const auto& [where, c] : found) {
        if (std::get<0>(where.first) != model || where.second != device) continue;
        if (!best || achieved_rate(*c) > achieved_rate(*best)) best = c;
      }
      return best;
    };
    SpeedupRow row{model, Exec::kEager, Precision::kFp32, true, {}};
    const CaseRecord* base = fastest(baseline);
    for (const auto& device : table.devices) {
      const CaseRecord* other = fastest(device);
      row.cells.push_back(base && other ? ratio(*base, *other) : SpeedupCell{});
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace effbench
