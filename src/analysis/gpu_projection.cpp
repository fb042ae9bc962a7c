#include "analysis/gpu_projection.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"

namespace effbench {

namespace {

const std::vector<std::string> kRequiredColumns = {
    "gpu_id", "model", "input", "mode", "precision", "samples_per_s", "forward_gmacs_per_sample", "source"};

// Step FLOPs per sample of a published row (Note [FLOP counting]: 2 per multiply-add, training 3x forward).
double step_flops(const PublishedThroughput& row) {
  const double forward = 2e9 * row.forward_gmacs;
  return row.mode == Mode::kTrain ? 3 * forward : forward;
}

std::string mode_word(Mode mode) { return mode == Mode::kTrain ? "training" : "inference"; }

}  // namespace

std::string default_published_throughput_path() { return data_dir() + "/published_gpu_throughput.csv"; }

std::string published_precision_family(const std::string& precision) {
  if (precision == "fp32" || precision == "tf32" || precision == "fp16" || precision == "bf16")
    return precision;
  if (precision == "amp-fp16") return "fp16";
  if (precision == "amp-bf16") return "bf16";
  return "";
}

std::vector<PublishedThroughput> parse_published_throughputs(const CsvTable& table,
                                                             const std::vector<HardwareSpec>& catalog) {
  for (const auto& column : kRequiredColumns) table.column(column);  // throws naming the missing one
  std::vector<PublishedThroughput> rows;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto cell = [&](const std::string& column) -> const std::string& {
      return table.rows[r].cells[table.column(column)];
    };
    const std::string at = table.origin + ":" + std::to_string(table.rows[r].line) + ": ";
    const auto positive = [&](const std::string& column) {
      const std::optional<double> value = table.optional_number(r, table.column(column));
      EFFBENCH_CHECK(value && *value > 0 && std::isfinite(*value), at, "column '", column,
                     "': expected a positive number but got '", cell(column), "'");
      return *value;
    };
    PublishedThroughput row;
    row.line = table.rows[r].line;
    row.gpu_id = cell("gpu_id");
    const HardwareSpec* gpu = find_hardware(catalog, row.gpu_id);
    EFFBENCH_CHECK(gpu != nullptr && gpu->kind == "gpu" && gpu->id == row.gpu_id, at, "column 'gpu_id': '",
                   row.gpu_id, "' is not the id of a GPU in the hardware catalog");
    row.model = cell("model");
    EFFBENCH_CHECK(!row.model.empty(), at, "column 'model' is empty; name the model");
    row.input = cell("input");
    const std::string mode = cell("mode");
    EFFBENCH_CHECK(mode == "train" || mode == "infer", at, "column 'mode': expected train or infer but got '",
                   mode, "'");
    row.mode = mode == "train" ? Mode::kTrain : Mode::kInfer;
    row.precision = cell("precision");
    EFFBENCH_CHECK(
        !published_precision_family(row.precision).empty() || row.precision == "int8", at,
        "column 'precision': expected fp32, tf32, amp-fp16, amp-bf16, fp16, bf16 or int8 but got '",
        row.precision, "'");
    row.samples_per_s = positive("samples_per_s");
    row.forward_gmacs = positive("forward_gmacs_per_sample");
    row.source = cell("source");
    EFFBENCH_CHECK(!row.source.empty(), at, "column 'source' is empty; every figure needs its source");
    const std::optional<double> efficiency = published_efficiency(row, *gpu);
    EFFBENCH_CHECK(!efficiency || *efficiency <= 1, at, "samples_per_s ", cell("samples_per_s"), " x ",
                   format_number(step_flops(row)), " FLOP per step is ", format_number(100 * *efficiency),
                   "% of ", gpu->name,
                   "'s peak, above 100%: check samples_per_s, forward_gmacs_per_sample and "
                   "precision");
    rows.push_back(row);
  }
  return rows;
}

std::vector<PublishedThroughput> load_published_throughputs(const std::string& path,
                                                            const std::vector<HardwareSpec>& catalog) {
  return parse_published_throughputs(read_csv_file(path), catalog);
}

const std::vector<PublishedThroughput>& default_published_throughputs() {
  // Loaded once; a failure is rethrown on every call (the static is never set).
  static const std::vector<PublishedThroughput> rows = [] {
    try {
      return load_published_throughputs(default_published_throughput_path(), default_catalog());
    } catch (const Error& e) {
      throw Error(std::string(e.what()) +
                  " (the published GPU throughputs; set EFFBENCH_DATA_DIR to the folder holding "
                  "published_gpu_throughput.csv)");
    }
  }();
  return rows;
}

std::string effective_precision_family(const PublishedThroughput& row, const HardwareSpec& gpu) {
  const std::string family = published_precision_family(row.precision);
  return family == "fp32" && gpu.tf32_tflops ? "tf32" : family;
}

std::optional<double> published_efficiency(const PublishedThroughput& row, const HardwareSpec& gpu) {
  const std::string family = effective_precision_family(row, gpu);
  if (family.empty()) return std::nullopt;
  const std::optional<double> peak = peak_tflops(gpu, family);
  if (!peak) return std::nullopt;
  return row.samples_per_s * step_flops(row) / (*peak * 1e12);
}

std::optional<EfficiencyRange> efficiency_range(const std::vector<PublishedThroughput>& rows,
                                                const std::vector<HardwareSpec>& catalog,
                                                const std::string& gpu_id, Mode mode,
                                                const std::string& precision_family,
                                                const PublishedThroughput* left_out) {
  // Note [Calibrated GPU projection]: this GPU's rows in the mode (its precision first), else every GPU's.
  const HardwareSpec* target = find_hardware(catalog, gpu_id);
  const std::string target_name = target ? target->name : gpu_id;
  // Rows measured like the left-out one (same GPU, mode and precision) go with it.
  const auto like_left_out = [&](const PublishedThroughput& r, const HardwareSpec& gpu) {
    if (left_out == nullptr) return false;
    const HardwareSpec* its_gpu = find_hardware(catalog, left_out->gpu_id);
    return r.gpu_id == left_out->gpu_id && r.mode == left_out->mode && its_gpu != nullptr &&
           effective_precision_family(r, gpu) == effective_precision_family(*left_out, *its_gpu);
  };
  struct Rule {
    bool same_gpu, same_family;
    size_t fewest_rows;
  };
  // One row of this GPU is no range; pooled over GPUs, one row of the same precision is still the best guide.
  for (const Rule rule :
       {Rule{true, true, 2}, Rule{true, false, 2}, Rule{false, true, 1}, Rule{false, false, 1}}) {
    EfficiencyRange range;
    std::vector<double> efficiencies;
    for (const PublishedThroughput& r : rows) {
      if (r.mode != mode) continue;
      if (rule.same_gpu && r.gpu_id != gpu_id) continue;
      const HardwareSpec* gpu = find_hardware(catalog, r.gpu_id);
      if (gpu == nullptr || like_left_out(r, *gpu)) continue;
      if (rule.same_family && effective_precision_family(r, *gpu) != precision_family) continue;
      const auto e = published_efficiency(r, *gpu);
      if (!e) continue;
      efficiencies.push_back(*e);
      const double flops = step_flops(r);
      range.lowest_step_flops =
          range.lowest_step_flops > 0 ? std::min(range.lowest_step_flops, flops) : flops;
      range.highest_step_flops = std::max(range.highest_step_flops, flops);
      const std::string model = r.model + " " + r.input;
      if (std::find(range.models.begin(), range.models.end(), model) == range.models.end())
        range.models.push_back(model);
    }
    if (efficiencies.size() < rule.fewest_rows) continue;
    range.low = *std::min_element(efficiencies.begin(), efficiencies.end());
    range.high = *std::max_element(efficiencies.begin(), efficiencies.end());
    range.rows = static_cast<int>(efficiencies.size());
    range.pooled = !rule.same_gpu;
    std::string models;
    for (const auto& m : range.models) models += (models.empty() ? "" : ", ") + m;
    const std::string flops =
        range.lowest_step_flops == range.highest_step_flops
            ? format_si(range.lowest_step_flops, "FLOP")
            : format_si(range.lowest_step_flops, "FLOP") + "-" + format_si(range.highest_step_flops, "FLOP");
    const std::string percent = range.low == range.high
                                    ? format_number(100 * range.low)
                                    : format_number(100 * range.low) + "-" + format_number(100 * range.high);
    range.basis = std::to_string(range.rows) + " published " + mode_word(mode) +
                  (range.rows == 1 ? " row of " : " rows of ") +
                  (rule.same_gpu ? target_name : "every GPU (fewer than 2 of " + target_name + ")") +
                  (rule.same_family ? " at " + precision_family : " at any precision") + " (" + models +
                  ", " + flops + " per step), " + percent + "% of peak";
    return range;
  }
  return std::nullopt;
}

TargetPrecision target_precision(Precision precision, const HardwareSpec& gpu) {
  switch (precision) {
    case Precision::kBf16:
      return {"bf16", gpu.bf16_tflops};
    case Precision::kFp16:
      return {"fp16", gpu.fp16_tflops};
    default:
      if (gpu.tf32_tflops) return {"tf32", gpu.tf32_tflops};
      return {"fp32", gpu.fp32_tflops};
  }
}

const HardwareSpec& require_gpu(const std::vector<HardwareSpec>& catalog, const std::string& id) {
  const HardwareSpec& gpu = require_hardware(catalog, id);
  EFFBENCH_CHECK(gpu.kind == "gpu", "--project-to: '", id, "' is a ", gpu.kind,
                 ", not a GPU; a speedup is projected onto GPUs only");
  return gpu;
}

std::vector<std::string> default_projection_gpus() { return {"t4", "l4", "a100-sxm4-80gb", "h100-sxm"}; }

ProjectedSpeedupTable project_gpu_speedups(const std::vector<CaseRecord>& cases,
                                           const std::vector<std::string>& gpu_ids,
                                           const std::vector<HardwareSpec>& catalog,
                                           const std::vector<PublishedThroughput>& published) {
  ProjectedSpeedupTable table;
  for (const auto& id : gpu_ids) table.gpus.push_back(&require_gpu(catalog, id));
  const CalibrationError calibration = leave_one_out_calibration(published, catalog);
  const double error_factor = calibration.rows > 0 ? calibration.median_factor : 1.0;
  for (const auto& c : cases) {
    // Throughput cases of this machine only: not training to a result, not a data-parallel job's global
    // batch.
    if (c.status != CaseStatus::kOk || !c.device.is_cpu() || !c.throughput || c.throughput->median <= 0 ||
        c.step_flops_per_sample <= 0 || c.accuracy || c.distributed)
      continue;
    ProjectedSpeedupRow row;
    row.model = c.model;
    row.mode = c.mode;
    row.precision = c.precision;
    row.exec = c.exec;
    row.measured_samples_per_s = c.throughput->median;
    row.measured_energy = energy_per_sample(c);
    for (const HardwareSpec* gpu : table.gpus) {
      ProjectedSpeedup cell;
      cell.gpu_id = gpu->id;
      const TargetPrecision target = target_precision(c.precision, *gpu);
      if (!target.peak_tflops) {
        cell.basis = gpu->name + " has no published " + target.family + " peak";
        row.cells.push_back(cell);
        continue;
      }
      const double bound_samples_per_s = *target.peak_tflops * 1e12 / c.step_flops_per_sample;
      double low_samples_per_s = 0, high_samples_per_s = bound_samples_per_s;
      if (const auto range = efficiency_range(published, catalog, gpu->id, c.mode, target.family)) {
        // Widened by the method's own leave-one-out error (Note [Calibrated GPU projection]).
        low_samples_per_s = range->low / error_factor * bound_samples_per_s;
        high_samples_per_s = std::min(1.0, range->high * error_factor) * bound_samples_per_s;
        cell.low_x = low_samples_per_s / c.throughput->median;
        cell.extrapolated = c.step_flops_per_sample < range->lowest_step_flops ||
                            c.step_flops_per_sample > range->highest_step_flops;
        cell.basis = range->basis + ", widened by x" + format_number(error_factor) +
                     " (the leave-one-out error); this case at " + target.family;
      } else {
        cell.bound_only = true;
        cell.basis = "roofline bound at the " + target.family + " peak: no published " + mode_word(c.mode) +
                     " measurement to calibrate it";
      }
      cell.high_x = high_samples_per_s / c.throughput->median;
      const std::optional<double> power_w = gpu->typical_power_w ? gpu->typical_power_w : gpu->peak_power_w;
      if (power_w) {
        cell.power_basis = gpu->typical_power_w ? "typical board power " + format_si(*power_w, "W")
                                                : "TDP " + format_si(*power_w, "W") + " (upper bound)";
        cell.joules_per_sample_low = *power_w / high_samples_per_s;
        if (low_samples_per_s > 0) cell.joules_per_sample_high = *power_w / low_samples_per_s;
      }
      row.cells.push_back(cell);
    }
    table.rows.push_back(row);
  }
  return table;
}

CalibrationError leave_one_out_calibration(const std::vector<PublishedThroughput>& rows,
                                           const std::vector<HardwareSpec>& catalog) {
  CalibrationError error;
  std::vector<double> factors;
  struct Interval {
    double published, low, high;  // samples/s
  };
  std::vector<Interval> intervals;
  for (size_t i = 0; i < rows.size(); ++i) {
    const PublishedThroughput& row = rows[i];
    const HardwareSpec* gpu = find_hardware(catalog, row.gpu_id);
    if (gpu == nullptr) continue;
    const std::string family = effective_precision_family(row, *gpu);
    if (family.empty() || !peak_tflops(*gpu, family)) continue;
    const auto range = efficiency_range(rows, catalog, row.gpu_id, row.mode, family, &row);
    if (!range) continue;
    const double bound_samples_per_s = *peak_tflops(*gpu, family) * 1e12 / step_flops(row);
    const double predicted = std::sqrt(range->low * range->high) * bound_samples_per_s;
    const double ratio = predicted / row.samples_per_s;
    factors.push_back(std::max(ratio, 1 / ratio));
    intervals.push_back(
        {row.samples_per_s, range->low * bound_samples_per_s, range->high * bound_samples_per_s});
  }
  error.rows = static_cast<int>(factors.size());
  if (factors.empty()) return error;
  std::sort(factors.begin(), factors.end());
  const size_t n = factors.size();
  error.median_factor = n % 2 ? factors[n / 2] : (factors[n / 2 - 1] + factors[n / 2]) / 2;
  error.worst_factor = factors.back();
  const auto share_inside = [&](double widen) {
    int inside = 0;
    for (const Interval& i : intervals) {
      const double slack = 1e-9 * i.published;
      if (i.published >= i.low / widen - slack && i.published <= i.high * widen + slack) ++inside;
    }
    return static_cast<double>(inside) / static_cast<double>(n);
  };
  error.share_inside_interval = share_inside(1.0);
  error.share_inside_widened = share_inside(error.median_factor);
  return error;
}

}  // namespace effbench
