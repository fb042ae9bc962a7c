#include "report/figures.h"

#include <algorithm>
#include <cstdio>

#include "core/units.h"

namespace effbench {
namespace {

std::string ratio_text(double value) { return format_number(value) + "x"; }

std::string change_text(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.1f%%", 100.0 * fraction);
  return buffer;
}

std::string optional_text(const std::optional<double>& value) { return value ? format_number(*value) : "-"; }

std::string interval_text(const std::optional<Uncertain>& value) {
  return value ? format_plus_minus(*value) : "-";
}

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f%%", 100.0 * fraction);
  return buffer;
}

}  // namespace

std::string speedup_cell_text(const SpeedupCell& cell) {
  if (!cell.speedup) return "-";
  return ratio_text(*cell.speedup) + (cell.flops_normalised ? "*" : "");
}

FigureTable speedup_figures(const SpeedupTable& table) {
  FigureTable out;
  out.header = {"model", "exec", "prec"};
  out.header.insert(out.header.end(), table.devices.begin(), table.devices.end());
  bool normalised = false;
  for (const auto& row : table.rows) {
    std::vector<std::string> cells =
        row.best ? std::vector<std::string>{row.model, "best", "best"}
                 : std::vector<std::string>{row.model, to_string(row.exec), to_string(row.precision)};
    for (const auto& cell : row.cells) {
      cells.push_back(speedup_cell_text(cell));
      normalised = normalised || (cell.speedup && cell.flops_normalised);
    }
    out.rows.push_back(std::move(cells));
  }
  out.notes.push_back("each row: the same exec mode and precision on every device, over " + table.baseline +
                      " (ratio of median throughputs); exec modes are compared in their own table");
  if (std::any_of(table.rows.begin(), table.rows.end(), [](const SpeedupRow& r) { return r.best; })) {
    out.notes.push_back("best: each device's fastest exec mode and precision of the model over " +
                        table.baseline + "'s fastest");
  }
  if (normalised) {
    out.notes.push_back("* input sizes differ from " + table.baseline +
                        "'s: ratio of achieved FLOP/s (throughput x FLOPs per sample), not of samples/s");
  }
  return out;
}

FigureTable exec_mode_figures(const std::vector<ExecModeRow>& rows) {
  FigureTable out;
  if (rows.empty()) return out;
  std::vector<std::string> execs;  // columns: every exec mode that ran, in the rows' order
  for (const auto& row : rows) {
    for (const auto& f : row.execs) {
      if (std::find(execs.begin(), execs.end(), to_string(f.exec)) == execs.end())
        execs.push_back(to_string(f.exec));
    }
  }
  const std::string baseline = to_string(rows.front().execs.front().exec);
  out.header = {"model", "device", "mode", "prec", "batch"};
  for (const auto& e : execs) out.header.push_back(e + " samples/s");
  for (const auto& e : execs) out.header.push_back(e + " p50 ms");
  for (const auto& e : execs) {
    if (e == baseline) continue;
    out.header.push_back(e + "/" + baseline);
    out.header.push_back(e + " latency");
  }
  for (const auto& row : rows) {
    auto find = [&](const std::string& exec) -> const ExecFigures* {
      for (const auto& f : row.execs) {
        if (to_string(f.exec) == exec) return &f;
      }
      return nullptr;
    };
    std::vector<std::string> cells = {row.model, row.device, to_string(row.mode), to_string(row.precision),
                                      std::to_string(row.batch)};
    for (const auto& e : execs) {
      const ExecFigures* f = find(e);
      cells.push_back(f && f->ok ? format_number(f->samples_per_s) : "-");
    }
    for (const auto& e : execs) {
      const ExecFigures* f = find(e);
      cells.push_back(f ? optional_text(f->p50_ms) : "-");
    }
    for (const auto& e : execs) {
      if (e == baseline) continue;
      const ExecFigures* f = find(e);
      cells.push_back(f && f->throughput_ratio ? ratio_text(*f->throughput_ratio) : "-");
      cells.push_back(f && f->latency_change ? change_text(*f->latency_change) : "-");
    }
    out.rows.push_back(std::move(cells));
  }
  out.notes.push_back(
      "mode/" + baseline +
      ": ratio of median throughputs on one device, same precision and batch; latency: change "
      "of the batch-1 p50");
  return out;
}

FigureTable efficiency_figures(const std::vector<CaseEfficiency>& rows, const GqiSettings& settings) {
  FigureTable out;
  out.header = {"model",     "device",  "quality", "time s", "energy J", "acc/kWh",
                "J/correct", "s/point", "J/point", "GQI",    "pareto"};
  bool any_estimated = false;
  std::vector<std::string> footnotes;
  const std::string gqi_tag = " [" + describe(settings) + "]";
  for (const auto& e : rows) {
    std::string quality = e.metric == "test_accuracy" ? percent(e.quality) : "L1 " + format_number(e.quality);
    if (e.reached_target) quality += *e.reached_target ? " (target)" : " (missed)";
    std::string energy = "-";
    if (e.energy_available) {
      energy = format_plus_minus(e.energy_j) + (e.energy_estimated ? " est." : " meas.");
      any_estimated = any_estimated || e.energy_estimated;
    }
    std::string gqi = "-";
    if (e.gqi) {
      if (e.gqi->defined) {
        gqi = format_plus_minus({e.gqi->value, e.gqi->half_width}) + gqi_tag;
      } else {
        footnotes.push_back("[" + std::to_string(footnotes.size() + 1) + "] " + e.model + " " + e.device +
                            ": GQI " + e.gqi->reason);
        gqi = "undefined [" + std::to_string(footnotes.size()) + "]" + gqi_tag;
      }
    }
    const std::string pareto = e.pareto ? (*e.pareto ? "yes" : "no") : "-";
    out.rows.push_back({e.model, e.device, quality, format_number(e.time_s), energy,
                        interval_text(e.accuracy_per_kwh), interval_text(e.joules_per_correct),
                        optional_text(e.seconds_per_point), interval_text(e.joules_per_point), gqi, pareto});
  }
  out.notes.push_back(
      "energy: the measured total, else the estimate (Note [Which energy counts]); ±: the energy's "
      "interval and what it gives the figures derived from it (docs/energy.md); GQI = beta x "
      "accuracy^alpha / log10(E) with " +
      describe(settings) + "; pareto: not dominated in quality and energy");
  if (any_estimated) {
    out.notes.push_back(
        "est.: estimated energy (no sensor could be read), not a measurement; figures derived from it are "
        "estimates too");
  }
  out.notes.insert(out.notes.end(), footnotes.begin(), footnotes.end());
  return out;
}

namespace {

// Speedups as a lab reads them: two significant digits, whole numbers from 10x.
std::string speedup_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value >= 10 ? "%.0f" : "%.2g", value);
  return buffer;
}

std::string projected_cell_text(const ProjectedSpeedup& cell) {
  if (!cell.high_x) return "-";
  if (cell.bound_only || !cell.low_x) return "<= " + speedup_number(*cell.high_x) + "x";
  return speedup_number(*cell.low_x) + "x-" + speedup_number(*cell.high_x) + "x" +
         (cell.extrapolated ? "*" : "");
}

// A GPU's column: its name, and that what is under it is projected.
std::string projected_header(const HardwareSpec& gpu) { return gpu.name + " (projected)"; }

// "9.45-21.2 mJ", "4.84-10.9 J": an interval of energies in the unit of its upper end.
std::string energy_interval_text(double low_j, double high_j) {
  const double scale = high_j < 1 ? 1e3 : 1;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g-%.3g %s", scale * low_j, scale * high_j,
                high_j < 1 ? "mJ" : "J");
  return buffer;
}

std::string case_label(const ProjectedSpeedupRow& row) {
  return row.model + " " + to_string(row.mode) + " " + to_string(row.precision) +
         (row.exec == Exec::kEager ? "" : " " + to_string(row.exec));
}

}  // namespace

FigureTable projected_speedup_figures(const ProjectedSpeedupTable& table) {
  FigureTable out;
  out.header = {"case (cpu here)", "samples/s here"};
  for (const HardwareSpec* gpu : table.gpus) out.header.push_back(projected_header(*gpu));
  std::vector<std::string> bases;
  for (const auto& row : table.rows) {
    std::vector<std::string> cells{case_label(row), format_number(row.measured_samples_per_s)};
    for (size_t g = 0; g < row.cells.size(); ++g) {
      const ProjectedSpeedup& cell = row.cells[g];
      cells.push_back(projected_cell_text(cell));
      const std::string basis = table.gpus[g]->name + ", " + to_string(row.mode) + ": " + cell.basis;
      if (std::find(bases.begin(), bases.end(), basis) == bases.end()) bases.push_back(basis);
    }
    out.rows.push_back(std::move(cells));
  }
  out.notes.push_back(
      "projected, not measured: each cell is the throughput a GPU would reach, from the efficiencies "
      "published measurements achieved on it, over this machine's measured throughput (Note [Calibrated "
      "GPU projection], docs/projection.md); <= : a roofline bound only");
  const bool any_extrapolated =
      std::any_of(table.rows.begin(), table.rows.end(), [](const ProjectedSpeedupRow& r) {
        return std::any_of(r.cells.begin(), r.cells.end(),
                           [](const ProjectedSpeedup& c) { return c.extrapolated; });
      });
  if (any_extrapolated) {
    out.notes.push_back(
        "*: extrapolated: the case's FLOPs per step lie outside those of the published rows in its basis "
        "(ImageNet-size networks), so either end of the interval may be off; a GPU run here replaces it with "
        "a measurement");
  }
  for (const auto& basis : bases) out.notes.push_back("basis: " + basis);
  return out;
}

FigureTable projected_energy_figures(const ProjectedSpeedupTable& table) {
  FigureTable out;
  out.header = {"case (cpu here)", "J/sample here"};
  for (const HardwareSpec* gpu : table.gpus) out.header.push_back(projected_header(*gpu));
  std::vector<std::string> powers;
  bool any_estimated = false;
  for (const auto& row : table.rows) {
    std::string here = "-";
    if (row.measured_energy) {
      here = format_plus_minus(row.measured_energy->joules_per_sample, "J") +
             (row.measured_energy->measured ? " meas." : " est.");
      any_estimated = any_estimated || !row.measured_energy->measured;
    }
    std::vector<std::string> cells{case_label(row), here};
    for (size_t g = 0; g < row.cells.size(); ++g) {
      const ProjectedSpeedup& cell = row.cells[g];
      std::string text = "-";
      if (cell.joules_per_sample_low && cell.joules_per_sample_high) {
        text = energy_interval_text(*cell.joules_per_sample_low, *cell.joules_per_sample_high);
      } else if (cell.joules_per_sample_low) {
        text = ">= " + format_si(*cell.joules_per_sample_low, "J");
      }
      cells.push_back(text);
      const std::string power = table.gpus[g]->name + ": " + cell.power_basis;
      if (!cell.power_basis.empty() && std::find(powers.begin(), powers.end(), power) == powers.end())
        powers.push_back(power);
    }
    out.rows.push_back(std::move(cells));
  }
  out.notes.push_back("projected J/sample = the GPU's board power / its projected throughput (E = P x T)");
  if (any_estimated)
    out.notes.push_back("est.: this machine's energy is an estimate (no sensor could be read)");
  for (const auto& power : powers) out.notes.push_back("power: " + power);
  return out;
}

namespace {

// "41 s", "3.2 min", "2.1 h": an epoch's time as a lab reads it.
std::string duration_text(double seconds) {
  char buffer[32];
  if (seconds < 120) {
    std::snprintf(buffer, sizeof buffer, "%.3g s", seconds);
  } else if (seconds < 7200) {
    std::snprintf(buffer, sizeof buffer, "%.3g min", seconds / 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g h", seconds / 3600);
  }
  return buffer;
}

}  // namespace

FigureTable projected_epoch_figures(const ProjectedSpeedupTable& table) {
  FigureTable out;
  out.header = {"case (cpu here)", "here"};
  for (const HardwareSpec* gpu : table.gpus) out.header.push_back(projected_header(*gpu));
  for (const auto& row : table.rows) {
    const double here_s = kEpochSamples / row.measured_samples_per_s;
    std::string here = duration_text(here_s);
    if (row.measured_energy) {
      here += ", " + format_plus_minus(scaled(row.measured_energy->joules_per_sample, kEpochSamples), "J") +
              (row.measured_energy->measured ? "" : " est.");
    }
    std::vector<std::string> cells{case_label(row), here};
    for (const auto& cell : row.cells) {
      if (!cell.high_x) {
        cells.push_back("-");
        continue;
      }
      // The faster end of the speedup gives the shorter time.
      std::string text =
          cell.low_x ? duration_text(here_s / *cell.high_x) + "-" + duration_text(here_s / *cell.low_x)
                     : ">= " + duration_text(here_s / *cell.high_x);
      if (cell.joules_per_sample_low && cell.joules_per_sample_high) {
        text += ", " + format_si(*cell.joules_per_sample_low * kEpochSamples, "J") + "-" +
                format_si(*cell.joules_per_sample_high * kEpochSamples, "J");
      }
      cells.push_back(text);
    }
    out.rows.push_back(std::move(cells));
  }
  out.notes.push_back(
      "one epoch = " + format_number(kEpochSamples) +
      " samples (CIFAR-10's training set) at each case's throughput; projected cells as above");
  return out;
}

FigureTable study_figures(const StudyReproduction& study) {
  FigureTable out;
  out.header = {"claim", "published", "here", "verdict"};
  for (size_t i = 0; i < study.rows.size(); ++i) {
    const StudyRow& row = study.rows[i];
    const std::string mark = "[" + std::to_string(i + 1) + "]";
    out.rows.push_back({row.claim, row.published, row.here.empty() ? "-" : row.here,
                        verdict_text(row.verdict) + " " + mark});
    out.notes.push_back(mark + " " + row.why);
  }
  out.notes.insert(out.notes.end(), study.notes.begin(), study.notes.end());
  return out;
}

}  // namespace effbench
