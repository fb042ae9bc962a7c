#include "analysis/studies.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <tuple>

#include "core/error.h"
#include "core/stats.h"
#include "core/units.h"

namespace effbench {

namespace {

// Study 1's training speedups, T4 over Intel Xeon CPUs (docs/studies.md).
struct PublishedSpeedup {
  const char* model;
  const char* label;
  double low_x, high_x;
};
const PublishedSpeedup kStudy1Speedups[] = {
    {"conv6", "Conv6", 246, 246},
    {"vgg16", "VGG16", 51, 116},
    {"resnet18", "ResNet18", 51, 116},
    {"cyclegan", "CycleGAN", 11, 11},
};
// Study 1's kernel-fusion claim: about 15% lower inference latency.
constexpr double kStudy1FusionCut = 0.15;

// Study 3's table: device kind, power W, time s (0: none given).
struct PublishedEnergy {
  const char* kind;
  const char* label;
  double power_w, time_s;
  double one_hour_mj;  // the study's own E for one hour
};
const PublishedEnergy kStudy3Table[] = {{"gpu", "GPU", 400, 300, 1.44},
                                        {"tpu", "TPU", 300, 150, 1.08},
                                        {"dpu", "DPU", 75, 75, 0.27},
                                        {"qpu", "QPU", 50, 0, 0.18}};

// Figures as a reader takes them in: "246", "51.5", "0.27" (three significant digits at most).
std::string short_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, std::fabs(value) >= 100 ? "%.0f" : "%.3g", value);
  return buffer;
}

std::string times_text(double low, double high) {
  const auto one = [](double x) { return short_number(x) + "x"; };
  return low == high ? one(low) : one(low) + "-" + one(high);
}

std::string percent_text(double fraction) { return short_number(100 * fraction) + "%"; }

// The newest ok case of each kind: runs are given oldest first, later cases win.
const CaseRecord* newest(const std::vector<RunRecord>& runs,
                         const std::function<bool(const CaseRecord&)>& want) {
  const CaseRecord* found = nullptr;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (c.status == CaseStatus::kOk && want(c)) found = &c;
    }
  }
  return found;
}

bool throughput_case(const CaseRecord& c, const std::string& model, Mode mode) {
  return c.model == model && c.mode == mode && c.exec == Exec::kEager && c.precision == Precision::kFp32 &&
         c.throughput && c.throughput->median > 0 && !c.accuracy && !c.distributed;
}

StudyRow speedup_row(const PublishedSpeedup& p, const std::vector<RunRecord>& runs, const StudyInputs& in) {
  StudyRow row;
  row.claim = std::string(p.label) + " training speedup, T4 over CPU";
  row.published = times_text(p.low_x, p.high_x);
  const CaseRecord* cpu = newest(runs, [&](const CaseRecord& c) {
    return c.device.is_cpu() && throughput_case(c, p.model, Mode::kTrain);
  });
  if (cpu == nullptr) {
    row.why = std::string("no cpu training case of ") + p.model + " stored: run `effbench run --model " +
              p.model + " --mode train`";
    return row;
  }
  const CaseRecord* gpu = newest(runs, [&](const CaseRecord& c) {
    return c.device.is_cuda() && throughput_case(c, p.model, Mode::kTrain);
  });
  const HardwareSpec* gpu_spec = gpu ? match_device(*in.catalog, gpu->device_name) : nullptr;
  double low_x = 0, high_x = 0;
  bool measured_on_t4 = false;
  std::string measured_note;
  if (gpu != nullptr) {
    // A measured speedup's interval: the 95% intervals of both medians' windows, relative, in quadrature.
    const double measured_x = gpu->throughput->median / cpu->throughput->median;
    const auto relative = [](const CaseRecord& c) {
      const auto& windows = c.throughput->window_samples_per_s;
      return windows.size() > 1 ? mean_half_width_95(windows) / summarize(windows).mean : 0.0;
    };
    const double spread = in_quadrature(relative(*gpu), relative(*cpu));
    measured_note = "measured " + times_text(measured_x * (1 - spread), measured_x * (1 + spread)) + " on " +
                    gpu->device_name;
    if (gpu_spec != nullptr && gpu_spec->id == "t4") {
      measured_on_t4 = true;
      low_x = measured_x * (1 - spread);
      high_x = measured_x * (1 + spread);
      row.here = measured_note + " over this CPU";
    }
  }
  if (!measured_on_t4) {
    const ProjectedSpeedupTable t = project_gpu_speedups({*cpu}, {"t4"}, *in.catalog, *in.published);
    if (t.rows.empty() || !t.rows.front().cells.front().high_x) {
      row.why = t.rows.empty() ? std::string("the cpu case of ") + p.model +
                                     " has no FLOPs per step to project from (stored by an older effbench?)"
                               : t.rows.front().cells.front().basis;
      return row;
    }
    const ProjectedSpeedup& cell = t.rows.front().cells.front();
    high_x = *cell.high_x;
    low_x = cell.low_x.value_or(0);
    row.here = (cell.low_x ? times_text(low_x, high_x) : "<= " + times_text(high_x, high_x)) +
               " projected on a T4 over this CPU" + (cell.extrapolated ? " (extrapolated)" : "") +
               (measured_note.empty() ? "" : "; " + measured_note);
  }
  const bool overlap = intervals_overlap(p.low_x, p.high_x, low_x, high_x);
  row.verdict = overlap ? Verdict::kMatches : Verdict::kContradicts;
  if (overlap) {
    row.why = "the published figure lies within this machine's interval";
  } else if (!measured_on_t4) {
    // A projection can miss by more than its interval (Note [Calibrated GPU projection]): no cause is named.
    row.why =
        "the published figure lies outside the projected interval; a T4 run here would tell whether the "
        "study's CPU or the projection differs";
  } else {
    // The GPU is the same: the gap is the CPUs'.
    const double ratio = std::sqrt(p.low_x * p.high_x) / std::sqrt(low_x * high_x);
    row.why = ratio > 1 ? "on the same GPU, the study's CPU baseline was about " + times_text(ratio, ratio) +
                              " slower than this machine's at " + p.label
                        : "on the same GPU, the study's CPU baseline was about " +
                              times_text(1 / ratio, 1 / ratio) + " faster than this machine's at " + p.label;
  }
  return row;
}

std::vector<StudyRow> fusion_rows(const std::vector<RunRecord>& runs) {
  std::vector<StudyRow> rows;
  for (const auto& p : kStudy1Speedups) {
    const auto infer = [&](Exec exec) {
      return newest(runs, [&](const CaseRecord& c) {
        return c.model == p.model && c.mode == Mode::kInfer && c.exec == exec && c.latency_ms &&
               c.latency_ms->p50 > 0 && c.precision == Precision::kFp32;
      });
    };
    const CaseRecord* eager = infer(Exec::kEager);
    const CaseRecord* fused = infer(Exec::kFused);
    if (eager == nullptr || fused == nullptr || eager->device != fused->device) continue;
    StudyRow row;
    row.claim = std::string(p.label) + " inference latency cut by kernel fusion";
    row.published = "about " + percent_text(kStudy1FusionCut) + " (TensorFlow's fusion vs PyTorch)";
    const double cut = 1 - fused->latency_ms->p50 / eager->latency_ms->p50;
    row.here = percent_text(cut) + " (batch-1 p50 " + format_number(eager->latency_ms->p50) + " -> " +
               format_number(fused->latency_ms->p50) + " ms, eager -> fused, " + eager->device.str() + ")";
    const bool within = cut >= kStudy1FusionCut / 2 && cut <= 2 * kStudy1FusionCut;
    row.verdict = within ? Verdict::kMatches : Verdict::kContradicts;
    row.why = std::string(within ? "within" : "outside") +
              " a factor of two of 15% (Note [Study verdicts]); " +
              "effbench fuses with TorchScript inside one framework, the study compared two frameworks";
    rows.push_back(row);
  }
  if (rows.empty()) {
    StudyRow row;
    row.claim = "Inference latency cut by kernel fusion";
    row.published = "about " + percent_text(kStudy1FusionCut);
    row.why =
        "no eager and fused inference cases of one model on one device stored: run `effbench run --mode "
        "infer --exec eager,fused`";
    rows.push_back(row);
  }
  return rows;
}

// A copy of `table` with the rows whose `x_column` passes `keep`.
CsvTable rows_where(const CsvTable& table, const std::string& x_column,
                    const std::function<bool(double)>& keep) {
  CsvTable out;
  out.origin = table.origin;
  out.header = table.header;
  const size_t column = table.column(x_column);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (keep(table.number(r, column))) out.rows.push_back(table.rows[r]);
  }
  return out;
}

std::vector<StudyRow> memory_trend_rows(const CsvTable& table) {
  std::vector<StudyRow> rows;
  // The study's polynomial in memory itself, then effbench's alternative: a polynomial in ln(memory).
  for (const auto& [last_fit_year, log_y] :
       {std::pair{2019, false}, std::pair{2020, false}, std::pair{2021, false}, std::pair{2022, false},
        std::pair{2022, true}}) {
    StudyRow row;
    row.claim =
        std::string(log_y ? "Accelerator memory, fit of ln(GB)" : "Accelerator memory, polynomial fit") +
        " through " + std::to_string(last_fit_year) + ", next 3 years";
    row.published = log_y ? "- (effbench's alternative)" : "projected with polynomial regression, no figures";
    try {
      const TrendBacktest b = backtest_trend(table, last_fit_year, 3, "year", "memory_gb", log_y);
      if (b.held_out == 0) {
        row.why = "no device of " + std::to_string(last_fit_year + 1) + "-" +
                  std::to_string(last_fit_year + 3) + " in " + table.origin;
      } else {
        row.here = std::to_string(b.inside_interval) + " of " + std::to_string(b.held_out) +
                   " devices inside the 95% interval, median error " +
                   percent_text(b.median_abs_relative_error) + " (degree " + std::to_string(b.degree) + ")";
        const bool most = b.inside_interval * 5 >= b.held_out * 4;
        row.verdict = most ? Verdict::kMatches : Verdict::kContradicts;
        row.why = most ? "at least 80% of the later devices lie in the interval"
                       : "fewer than 80% of the later devices lie in the interval";
      }
    } catch (const Error& e) {
      row.why = e.what();
    }
    rows.push_back(row);
  }
  return rows;
}

StudyReproduction study1(const std::vector<RunRecord>& runs, const StudyInputs& in) {
  StudyReproduction s;
  s.title = "Study 1: CPU vs GPU training (Al Amin et al., \"Democratizing AI\", arXiv 2603.20920)";
  for (const auto& p : kStudy1Speedups) s.rows.push_back(speedup_row(p, runs, in));
  for (auto& row : fusion_rows(runs)) s.rows.push_back(std::move(row));
  if (in.accelerator_memory != nullptr) {
    for (auto& row : memory_trend_rows(*in.accelerator_memory)) s.rows.push_back(std::move(row));
  }
  s.notes.push_back(
      "speedups: fp32 eager training, median throughputs; projected cells as in docs/projection.md. The "
      "study's CPUs (Intel Xeon, model unnamed) are not this machine's: a speedup is as much about the CPU "
      "as the GPU");
  return s;
}

StudyReproduction study2(const std::vector<RunRecord>& runs, const StudyInputs& in) {
  StudyReproduction s;
  s.title = "Study 2: accuracy per unit of electricity (Gowda et al., \"Watt For What\", arXiv 2310.06522)";
  std::map<std::tuple<std::string, std::string, std::string>, CaseRecord> newest_training;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      if (c.status == CaseStatus::kOk && c.accuracy)
        newest_training[{c.model, c.device.str(), c.accuracy->dataset}] = c;
    }
  }
  std::vector<CaseRecord> cases;
  for (const auto& [key, c] : newest_training) cases.push_back(c);
  const std::vector<CaseEfficiency> rows = case_efficiencies(cases, in.gqi);
  int undefined = 0, with_gqi = 0;
  for (const auto& e : rows) {
    StudyRow row;
    row.claim = "GQI of " + e.model + " on " + e.dataset + " (" + e.device + ")";
    row.published = "none for these models";
    if (!e.gqi) {
      row.why = "GQI needs test accuracy (" + e.metric + " is not one)";
      s.rows.push_back(row);
      continue;
    }
    ++with_gqi;
    row.here =
        "accuracy " + percent_text(e.quality) + ", " + format_plus_minus(e.energy_j, "J") +
        (e.energy_estimated ? " estimated" : " measured") + ", GQI " +
        (e.gqi->defined ? format_plus_minus({e.gqi->value, e.gqi->half_width}) : std::string("undefined")) +
        (e.pareto ? (*e.pareto ? ", on the Pareto front" : ", dominated") : "");
    row.verdict = Verdict::kMeasured;
    row.why = e.gqi->defined ? "[" + e.gqi->settings + "]" : e.gqi->reason;
    if (!e.gqi->defined) ++undefined;
    s.rows.push_back(row);
  }
  StudyRow weakness;
  weakness.claim = "GQI is undefined where E <= 1 unit (its reviewers' objection)";
  weakness.published = "raised by the reviewers";
  if (with_gqi == 0) {
    weakness.why = "no training case with test accuracy stored: run `effbench run --dataset fashion-mnist`";
  } else {
    weakness.here = std::to_string(undefined) + " of " + std::to_string(with_gqi) + " cases undefined in " +
                    energy_unit_name(in.gqi.unit);
    weakness.verdict = undefined > 0 ? Verdict::kMatches : Verdict::kMeasured;
    weakness.why = undefined > 0 ? "short runs use far less than one " + energy_unit_name(in.gqi.unit) +
                                       "; the Pareto front ranks them instead"
                                 : "every case used more than one unit";
  }
  s.rows.push_back(weakness);
  s.notes.push_back(
      "GQI = beta x accuracy^alpha / log10(E), " + describe(in.gqi) +
      "; ± from the energy's interval (Note [Energy uncertainty]); short schedules on a CPU are "
      "labelled by their recipe in the run");
  return s;
}

StudyReproduction study3(const std::vector<RunRecord>& runs, const StudyInputs& in) {
  StudyReproduction s;
  s.title = "Study 3: time and energy across GPUs, TPUs, DPUs and QPUs (Allali et al., IJEECS 38(2), 2025)";
  StudyRow arithmetic;
  arithmetic.claim = "E = P x T for one hour";
  arithmetic.published = "1.44 / 1.08 / 0.27 / 0.18 MJ";
  std::string computed;
  bool all_equal = true;
  for (const auto& p : kStudy3Table) {
    const double mj = p.power_w * 3600 / 1e6;
    computed += (computed.empty() ? "" : " / ") + short_number(mj);
    all_equal = all_equal && std::fabs(mj - p.one_hour_mj) <= 0.01 * p.one_hour_mj;
  }
  arithmetic.here = computed + " MJ (P x 3600 s)";
  arithmetic.verdict = all_equal ? Verdict::kMatches : Verdict::kContradicts;
  arithmetic.why = "the study's powers times one hour, within 1% of its energies";
  s.rows.push_back(arithmetic);
  for (const auto& p : kStudy3Table) {
    StudyRow row;
    row.claim = std::string(p.label) + " power" + (p.time_s > 0 ? " and time" : "");
    row.published =
        short_number(p.power_w) + " W" +
        (p.time_s > 0 ? " x " + short_number(p.time_s) + " s = " + format_si(p.power_w * p.time_s, "J")
                      : std::string(", experimental"));
    double low_w = 0, high_w = 0;
    std::string low_name, high_name;
    for (const auto& spec : *in.catalog) {
      const std::optional<double> w = spec.typical_power_w ? spec.typical_power_w : spec.peak_power_w;
      if (spec.kind != p.kind || !w) continue;
      if (low_w == 0 || *w < low_w) low_w = *w, low_name = spec.name;
      if (*w > high_w) high_w = *w, high_name = spec.name;
    }
    if (high_w == 0) {
      row.why =
          std::string("no published power of a ") + p.label + " in the hardware catalog" +
          (std::string(p.kind) == "qpu" ? "; QPUs do not train deep-learning models (the study's caveat)"
                                        : "");
      s.rows.push_back(row);
      continue;
    }
    row.here = low_w == high_w ? "catalog " + short_number(low_w) + " W (" + low_name + ", the only one)"
                               : "catalog " + short_number(low_w) + " W (" + low_name + ") to " +
                                     short_number(high_w) + " W (" + high_name + ")";
    const bool inside = intervals_overlap(p.power_w, p.power_w, low_w, high_w);
    row.verdict = inside ? Verdict::kMatches : Verdict::kContradicts;
    row.why =
        std::string(inside ? "within" : "outside") + " the published boards' range" +
        (std::string(p.kind) == "dpu" ? "; DPUs offload networking and storage and do not train models "
                                        "(the study's caveat): `effbench project` says \"data movement only\""
                                      : "") +
        (p.time_s > 0 ? "; the study's time is for an unnamed job, not comparable" : "");
    s.rows.push_back(row);
  }
  // This machine's own E = P x T, from its newest case with energy.
  const CaseRecord* measured = newest(runs, [](const CaseRecord& c) {
    return c.timed_s > 0 && counted_energy(c.energy).available && !c.accuracy;
  });
  StudyRow here;
  here.claim = "E = P x T on this machine";
  here.published = "-";
  if (measured == nullptr) {
    here.why = "no stored case with energy: run `effbench run` (with --cpu-tdp where no sensor can be read)";
  } else {
    const CountedEnergy e = counted_energy(measured->energy);
    double seconds = 0;  // the span the counted readings cover
    for (const auto& r : measured->energy) {
      if (reading_counts(r) && r.measured == e.measured) seconds = std::max(seconds, r.duration_s);
    }
    if (seconds <= 0) seconds = measured->timed_s;
    here.here = format_plus_minus(scaled(e.interval(), 1 / seconds), "W") + " x " + format_number(seconds) +
                " s = " + format_plus_minus(e.interval(), "J") + (e.measured ? " measured" : " estimated") +
                " (" + measured->model + " " + to_string(measured->mode) + ", " + measured->device.str() +
                ")";
    here.verdict = Verdict::kMeasured;
    here.why = e.measured ? "read from the sensors" : "an estimate: no sensor could be read";
  }
  s.rows.push_back(here);
  s.notes.push_back(
      "catalog powers are typical board power where published, else TDP (data/hardware_catalog.csv); "
      "`effbench project` projects a measured case onto each device");
  return s;
}

}  // namespace

std::string verdict_text(Verdict verdict) {
  switch (verdict) {
    case Verdict::kMatches:
      return "matches";
    case Verdict::kContradicts:
      return "contradicts";
    case Verdict::kMeasured:
      return "measured";
    case Verdict::kCannotMeasure:
      return "cannot be measured here";
  }
  return "?";
}

bool intervals_overlap(double a_low, double a_high, double b_low, double b_high) {
  return a_low <= b_high && b_low <= a_high;
}

TrendBacktest backtest_trend(const CsvTable& table, int last_fit_year, int horizon_years,
                             const std::string& x_column, const std::string& y_column, bool log_y) {
  TrendBacktest b;
  b.last_fit_year = last_fit_year;
  b.horizon_years = horizon_years;
  const CsvTable fit_rows = rows_where(table, x_column, [&](double x) { return x <= last_fit_year; });
  const CsvTable later = rows_where(
      table, x_column, [&](double x) { return x > last_fit_year && x <= last_fit_year + horizon_years; });
  TrendOptions options;
  options.x_column = x_column;
  options.y_column = y_column;
  options.log_y = log_y;
  const std::vector<double> years = later.numbers(x_column);
  const std::vector<double> actual = later.numbers(y_column);
  options.to_x = years;
  const TrendResult fit = compute_trend(fit_rows, options);
  b.degree = fit.fit.degree;
  b.held_out = static_cast<int>(years.size());
  std::vector<double> errors;
  for (size_t i = 0; i < years.size(); ++i) {
    const Prediction& p = fit.projections[i];
    if (actual[i] >= p.lower && actual[i] <= p.upper) ++b.inside_interval;
    errors.push_back(std::fabs(p.y - actual[i]) / actual[i]);
  }
  if (!errors.empty()) b.median_abs_relative_error = quantile(errors, 0.5);
  return b;
}

std::vector<StudyReproduction> reproduce_studies(const std::vector<RunRecord>& runs, const StudyInputs& in) {
  check(in.catalog != nullptr && in.published != nullptr,
        "reproduce_studies: the catalog and the published "
        "throughputs are needed");
  return {study1(runs, in), study2(runs, in), study3(runs, in)};
}

}  // namespace effbench
