#pragma once
// Console tables: the per-case results table (columns from case_fields(),
// Note [One field list]) and the derived figures of report/figures.h.

#include <string>
#include <vector>

#include "analysis/speedup.h"
#include "report/figures.h"
#include "results/record.h"

namespace effbench {

/// The batch sweeps of `cases` (Note [Batch sweep] in analysis/batch_sweep.h):
/// one row per curve with its best batch and every point; empty without one.
std::string batch_sweep_text(const std::vector<CaseRecord>& cases);

/// Renders rows of cells as an aligned text table with a header rule.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

/// The results table of a run, plus one footnote line per note/warning/error.
std::string results_table(const std::vector<CaseRecord>& cases);

/// The command cases of `cases` (effbench monitor) as a table: command, exit
/// status, wall and CPU time, energy with its interval, mean power, peak
/// memory of the process tree, then one line per phase. "" when there is none.
std::string command_table(const std::vector<CaseRecord>& cases);

/// A figure table (report/figures.h) as aligned text, its notes under it;
/// "" when it has no rows.
std::string figure_text(const FigureTable& table);

/// The speedup table (speedup_figures(): "26.67x"; "-" when a case is
/// missing; "*" marks a cell normalised by FLOPs, with a note).
std::string speedup_text(const SpeedupTable& table);

/// The execution-mode table of exec_mode_rows(cases) (exec_mode_figures()):
/// for each (model, device, mode, precision, batch) that ran under more than
/// one --exec mode, each mode's throughput and batch-1 p50, and each against
/// eager. Empty when nothing ran under two modes.
std::string exec_mode_text(const std::vector<CaseRecord>& cases);

/// The efficiency table of case_efficiencies() (efficiency_figures()).
std::string efficiency_table_text(const std::vector<CaseEfficiency>& rows, const GqiSettings& settings);

}  // namespace effbench
