#include "analysis/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include <boost/math/distributions/normal.hpp>

#include "core/error.h"
#include "core/stats.h"

namespace effbench {
namespace {

// Exact null distribution for samples up to this many pairs (n1 * n2); the
// counts stay far below 2^53, so doubles hold them exactly.
constexpr int64_t kExactMaxPairs = 400;

double median_of(std::vector<double> values) { return quantile(std::move(values), 0.5); }

// Number of arrangements of n1 + n2 distinct values with U = u, for every u
// in [0, n1 * n2]: f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u).
std::vector<double> u_distribution(int64_t n1, int64_t n2) {
  const int64_t max_u = n1 * n2;
  // f[j][u] for the current i.
  std::vector<std::vector<double>> f(n2 + 1, std::vector<double>(max_u + 1, 0.0));
  for (int64_t j = 0; j <= n2; ++j) f[j][0] = 1;  // i = 0: only U = 0
  for (int64_t i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> g(n2 + 1, std::vector<double>(max_u + 1, 0.0));
    g[0][0] = 1;  // j = 0: only U = 0
    for (int64_t j = 1; j <= n2; ++j) {
      for (int64_t u = 0; u <= i * j; ++u) {
        // The largest value belongs to a (adds j to U) or to b.
        g[j][u] = (u >= j ? f[j][u - j] : 0.0) + g[j - 1][u];
      }
    }
    f = std::move(g);
  }
  return f[n2];
}

// Uniform index in [0, n) from a 64-bit draw (Lemire's multiply-shift); the
// same on every standard library, unlike std::uniform_int_distribution.
size_t draw_index(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

double resampled_median(const std::vector<double>& values, std::mt19937_64& rng,
                        std::vector<double>& scratch) {
  scratch.resize(values.size());
  for (auto& v : scratch) v = values[draw_index(rng, values.size())];
  const size_t mid = scratch.size() / 2;
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid), scratch.end());
  const double upper = scratch[mid];
  if (scratch.size() % 2 == 1) return upper;
  const double lower = *std::max_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double coefficient_of_variation(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  return summarize(values).cv;
}

bool usable(const CaseRecord& c) {
  return c.status == CaseStatus::kOk && c.throughput && c.throughput->median > 0;
}

std::string describe(const CaseRecord& c) {
  return c.model + " " + to_string(c.mode) + " on " + c.device.str() + " (batch " + std::to_string(c.batch) +
         ", " + to_string(c.precision) + ", " + to_string(c.exec) + ")";
}

CaseComparison compare_cases(const CaseRecord& base, const CaseRecord& cand, const CompareOptions& options) {
  CaseComparison row;
  row.model = base.model;
  row.mode = to_string(base.mode);
  row.baseline_device = base.device.str();
  row.candidate_device = cand.device.str();
  row.batch = base.batch;
  row.precision = to_string(base.precision);
  row.exec = to_string(base.exec);
  row.unit = base.throughput->unit;
  row.baseline_median = base.throughput->median;
  row.candidate_median = cand.throughput->median;
  const auto& a = base.throughput->window_samples_per_s;
  const auto& b = cand.throughput->window_samples_per_s;
  row.baseline_windows = static_cast<int64_t>(a.size());
  row.candidate_windows = static_cast<int64_t>(b.size());
  row.ratio.ratio = row.candidate_median / row.baseline_median;
  row.ratio.low = row.ratio.high = row.ratio.ratio;
  if (a.size() >= 2 && b.size() >= 2) {
    row.has_statistics = true;
    row.ratio = bootstrap_median_ratio(a, b, options.seed, options.resamples);
    const auto test = mann_whitney_u(b, a);
    row.p_value = test.p_value;
    row.exact_p = test.exact;
    row.noise = std::max(coefficient_of_variation(a), coefficient_of_variation(b));
    const bool interval_excludes_one = row.ratio.low > 1 || row.ratio.high < 1;
    row.significant =
        row.p_value < options.alpha && interval_excludes_one && std::abs(row.ratio.ratio - 1) > row.noise;
  }
  row.verdict = !row.significant ? "no change" : (row.ratio.ratio > 1 ? "faster" : "slower");
  return row;
}

using CaseKey = std::tuple<std::string, Mode, std::optional<Device>, int64_t, Precision, Exec>;
CaseKey key_of(const CaseRecord& c, bool with_device) {
  return {c.model, c.mode,      with_device ? std::optional<Device>(c.device) : std::nullopt,
          c.batch, c.precision, c.exec};
}

}  // namespace

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  check(!a.empty() && !b.empty(), "Mann-Whitney U: expected two non-empty samples but got sizes " +
                                      std::to_string(a.size()) + " and " + std::to_string(b.size()));
  const auto n1 = static_cast<int64_t>(a.size());
  const auto n2 = static_cast<int64_t>(b.size());
  const int64_t n = n1 + n2;
  // Mid-ranks of the pooled sample; tie groups feed the variance correction.
  std::vector<std::pair<double, int>> pooled;  // (value, 0 = a, 1 = b)
  for (double v : a) pooled.emplace_back(v, 0);
  for (double v : b) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0;
  double tie_term = 0;  // sum over tie groups of t^3 - t
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j < n && pooled[j].first == pooled[i].first) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (int64_t k = i; k < j; ++k) {
      if (pooled[k].second == 0) rank_sum_a += mid_rank;
    }
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  MannWhitneyResult result;
  result.u = rank_sum_a - static_cast<double>(n1 * (n1 + 1)) / 2;
  const double mean_u = static_cast<double>(n1 * n2) / 2;

  if (tie_term == 0 && n1 * n2 <= kExactMaxPairs) {
    const auto counts = u_distribution(n1, n2);
    double total = 0;
    for (double c : counts) total += c;
    const auto u = static_cast<int64_t>(std::llround(result.u));
    double lower = 0, upper = 0;  // P(U <= u), P(U >= u)
    for (int64_t k = 0; k <= n1 * n2; ++k) {
      if (k <= u) lower += counts[k];
      if (k >= u) upper += counts[k];
    }
    result.p_value = std::min(1.0, 2 * std::min(lower, upper) / total);
    result.exact = true;
    return result;
  }
  const double nd = static_cast<double>(n);
  const double variance = static_cast<double>(n1 * n2) / 12 * ((nd + 1) - tie_term / (nd * (nd - 1)));
  if (variance <= 0) {  // every value equal: no evidence of a difference
    result.p_value = 1;
    return result;
  }
  const double z = std::max(0.0, std::abs(result.u - mean_u) - 0.5) / std::sqrt(variance);
  const boost::math::normal_distribution<double> standard_normal(0, 1);
  result.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard_normal, z)));
  return result;
}

RatioInterval bootstrap_median_ratio(const std::vector<double>& baseline,
                                     const std::vector<double>& candidate, uint64_t seed, int resamples) {
  check(!baseline.empty() && !candidate.empty(), "bootstrap: expected two non-empty samples but got sizes " +
                                                     std::to_string(baseline.size()) + " and " +
                                                     std::to_string(candidate.size()));
  check(resamples > 0,
        "bootstrap: expected a positive number of resamples but got " + std::to_string(resamples));
  RatioInterval interval;
  const double base_median = median_of(baseline);
  check(base_median != 0, "bootstrap: the baseline median is 0, so a ratio is undefined");
  interval.ratio = median_of(candidate) / base_median;
  std::mt19937_64 rng(seed);
  std::vector<double> ratios, scratch;
  ratios.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    const double base = resampled_median(baseline, rng, scratch);
    const double cand = resampled_median(candidate, rng, scratch);
    if (base != 0) ratios.push_back(cand / base);
  }
  interval.low = quantile(ratios, 0.025);
  interval.high = quantile(ratios, 0.975);
  return interval;
}

Comparison compare_runs(const RunRecord& baseline, const RunRecord& candidate,
                        const CompareOptions& options) {
  Comparison comparison;
  comparison.baseline_label = baseline.run_id;
  comparison.candidate_label = candidate.run_id;
  std::map<CaseKey, const CaseRecord*> by_key;
  for (const auto& c : candidate.cases) {
    if (usable(c)) by_key[key_of(c, true)] = &c;
  }
  std::set<CaseKey> matched;
  for (const auto& c : baseline.cases) {
    if (c.command) continue;  // a command case has no throughput: compared by the command table
    const auto it = usable(c) ? by_key.find(key_of(c, true)) : by_key.end();
    if (it == by_key.end()) {
      comparison.unmatched.push_back(
          describe(c) + ": " +
          (usable(c) ? "not in " + candidate.run_id : "failed or no throughput in " + baseline.run_id));
      continue;
    }
    matched.insert(it->first);
    comparison.rows.push_back(compare_cases(c, *it->second, options));
  }
  for (const auto& [key, c] : by_key) {
    if (!matched.count(key)) comparison.unmatched.push_back(describe(*c) + ": not in " + baseline.run_id);
  }
  return comparison;
}

Comparison compare_devices(const RunRecord& run, const Device& baseline_device,
                           const CompareOptions& options) {
  Comparison comparison;
  Device base_device = baseline_device;
  const bool has_baseline = std::any_of(run.cases.begin(), run.cases.end(),
                                        [&](const CaseRecord& c) { return c.device == baseline_device; });
  if (!has_baseline && !run.cases.empty()) base_device = run.cases.front().device;
  comparison.baseline_label = base_device.str();
  comparison.candidate_label = "other devices";
  std::map<CaseKey, const CaseRecord*> baselines;
  for (const auto& c : run.cases) {
    if (c.device == base_device && usable(c)) baselines[key_of(c, false)] = &c;
  }
  for (const auto& c : run.cases) {
    if (c.device == base_device || c.command) continue;
    const auto it = usable(c) ? baselines.find(key_of(c, false)) : baselines.end();
    if (it == baselines.end()) {
      comparison.unmatched.push_back(
          describe(c) + ": " +
          (usable(c) ? "no successful case on " + base_device.str() : "failed or no throughput"));
      continue;
    }
    comparison.rows.push_back(compare_cases(*it->second, c, options));
  }
  return comparison;
}

std::vector<CaseComparison> regressions(const Comparison& comparison, double threshold_pct) {
  std::vector<CaseComparison> found;
  for (const auto& row : comparison.rows) {
    if (row.significant && row.ratio.ratio < 1 - threshold_pct / 100) found.push_back(row);
  }
  return found;
}

std::vector<SpeedupTable> study_speedup_tables(const std::vector<RunRecord>& runs,
                                               const std::string& baseline) {
  std::vector<CaseRecord> cases;
  for (const auto& run : runs) cases.insert(cases.end(), run.cases.begin(), run.cases.end());
  std::vector<SpeedupTable> tables;
  for (const Mode mode : {Mode::kTrain, Mode::kInfer}) {
    auto table = speedup_table(cases, mode, baseline);
    if (!table.models.empty()) tables.push_back(std::move(table));
  }
  return tables;
}

std::vector<ExecModeRow> exec_mode_rows(const std::vector<CaseRecord>& cases, Exec baseline_exec) {
  // The usual modes first, in this order; others after them as they ran.
  const std::vector<Exec> order = {Exec::kEager, Exec::kFused, Exec::kGraph};
  using Key = std::tuple<std::string, Device, Mode, Precision, int64_t>;
  std::vector<Key> keys;
  std::map<Key, std::map<Exec, const CaseRecord*>> groups;  // key -> exec -> case
  for (const auto& c : cases) {
    const Key key{c.model, c.device, c.mode, c.precision, c.batch};
    if (!groups.count(key)) keys.push_back(key);
    const CaseRecord*& slot = groups[key][c.exec];
    if (slot == nullptr || usable(c)) slot = &c;
  }
  std::vector<ExecModeRow> rows;
  for (const auto& key : keys) {
    const auto& by_exec = groups.at(key);
    if (by_exec.size() < 2) continue;
    ExecModeRow row{std::get<0>(key),
                    std::get<1>(key).str(),
                    std::get<2>(key),
                    std::get<3>(key),
                    std::get<4>(key),
                    {},
                    {}};
    const auto base_it = by_exec.find(baseline_exec);
    const CaseRecord* base = base_it != by_exec.end() && usable(*base_it->second) ? base_it->second : nullptr;
    for (const auto& exec : order) {
      const auto it = by_exec.find(exec);
      if (it == by_exec.end()) continue;
      const CaseRecord& c = *it->second;
      ExecFigures f;
      f.exec = exec;
      f.ok = usable(c);
      if (f.ok) {
        f.samples_per_s = c.throughput->median;
        if (c.latency_ms && c.latency_ms->p50 > 0) f.p50_ms = c.latency_ms->p50;
      }
      if (f.ok && base) {
        f.throughput_ratio = f.samples_per_s / base->throughput->median;
        if (f.p50_ms && base->latency_ms && base->latency_ms->p50 > 0)
          f.latency_change = *f.p50_ms / base->latency_ms->p50 - 1.0;
      }
      row.execs.push_back(f);
    }
    // Baseline first in the ratios.
    std::stable_partition(row.execs.begin(), row.execs.end(),
                          [&](const ExecFigures& f) { return f.exec == baseline_exec; });
    for (const auto& f : row.execs) {
      if (f.throughput_ratio) row.speedup_by_exec.emplace_back(f.exec, *f.throughput_ratio);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ExecModeRow> exec_mode_table(const std::vector<RunRecord>& runs, Exec baseline_exec) {
  std::vector<CaseRecord> cases;
  for (const auto& run : runs) cases.insert(cases.end(), run.cases.begin(), run.cases.end());
  return exec_mode_rows(cases, baseline_exec);
}

}  // namespace effbench
