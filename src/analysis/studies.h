#pragma once
// The three studies effbench reproduces (docs/studies.md), each published
// figure beside what this machine measured or projects, with a verdict. No
// torch: it reads stored runs and the shipped tables.
//
// Note [Study verdicts]
// A verdict compares intervals, never single numbers alone:
//   - matches: the published figure (or range) and this machine's figure
//     (measured, or projected with its interval) overlap;
//   - contradicts: they do not; the row says by how much, and what that
//     implies (study 1's speedups depend on the study's CPU: a contradiction
//     there says its CPU was slower or faster than this one, not that the
//     GPU is);
//   - measured: a figure of this machine with nothing published to compare
//     it with (study 2 published no per-model GQI of these models);
//   - cannot be measured here: what is missing, and the command that
//     measures it.
// A measured speedup's interval is the 95% intervals of its two medians'
// windows in quadrature. A claim given as "about X%" is taken to match
// within a factor of two of X (X/2 to 2X), and said so on the row. A claim
// that a trend projects (study 1's memory) matches when at least 80% of the
// devices of the following three years lie inside the 95% prediction
// interval of a fit made before them.

#include <optional>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/efficiency.h"
#include "analysis/gpu_projection.h"
#include "analysis/trend.h"
#include "results/record.h"

namespace effbench {

enum class Verdict { kMatches, kContradicts, kMeasured, kCannotMeasure };

/// "matches", "contradicts", "measured", "cannot be measured here".
std::string verdict_text(Verdict verdict);

/// One published claim beside this machine's figure.
struct StudyRow {
  std::string claim;      // "Conv6 training speedup, T4 over CPU"
  std::string published;  // "246x"
  std::string here;       // "31x-69x projected (this CPU, T4)"
  Verdict verdict = Verdict::kCannotMeasure;
  std::string why;  // what the verdict rests on, or what to run
};

struct StudyReproduction {
  std::string title;  // "Study 1: CPU vs GPU training (Al Amin et al., arXiv 2603.20920)"
  std::vector<StudyRow> rows;
  std::vector<std::string> notes;
};

/// What the comparisons read besides the runs.
struct StudyInputs {
  const std::vector<HardwareSpec>* catalog = nullptr;
  const std::vector<PublishedThroughput>* published = nullptr;  // calibrates the T4 projection
  const CsvTable* accelerator_memory = nullptr;                 // the memory trend's data
  GqiSettings gqi;
};

/// Does a closed interval [a_low, a_high] overlap [b_low, b_high]?
bool intervals_overlap(double a_low, double a_high, double b_low, double b_high);

/// One backtest of a memory trend: fit on the years up to `last_fit_year`,
/// predict the devices of the next `horizon_years` years.
struct TrendBacktest {
  int last_fit_year = 0;
  int horizon_years = 3;
  int degree = 0;                        // chosen by leave-one-out CV, as `effbench trend`
  int held_out = 0;                      // devices predicted
  int inside_interval = 0;               // of them, inside the 95% prediction interval
  double median_abs_relative_error = 0;  // |predicted - actual| / actual
};

/// The backtest of y_column against x_column of `table` (Note [Study verdicts]).
/// Throws effbench::Error when too few years remain to fit.
/// With `log_y`, the fit is of ln(y) (Note [Log-y fits] in polyfit.h).
TrendBacktest backtest_trend(const CsvTable& table, int last_fit_year, int horizon_years = 3,
                             const std::string& x_column = "year", const std::string& y_column = "memory_gb",
                             bool log_y = false);

/// The three studies against `runs` (newest case of each kind wins).
std::vector<StudyReproduction> reproduce_studies(const std::vector<RunRecord>& runs,
                                                 const StudyInputs& inputs);

}  // namespace effbench
