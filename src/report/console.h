#pragma once
// Console tables: the per-case results table (columns from case_fields(),
// Note [One field list]) and the speedup table.

#include <string>
#include <vector>

#include "analysis/speedup.h"
#include "results/record.h"

namespace effbench {

/// Renders rows of cells as an aligned text table with a header rule.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

/// The results table of a run, plus one footnote line per note/warning/error.
std::string results_table(const std::vector<CaseRecord>& cases);

/// The speedup table ("12.3x"; "-" when a case is missing; "*" marks a cell
/// normalised by FLOPs, with a footnote).
std::string speedup_text(const SpeedupTable& table);

}  // namespace effbench

namespace effbench {

/// The execution-mode table: for each inference (model, device, precision,
/// batch) that ran under more than one --exec mode, the median throughput
/// and batch-1 p50 latency of each mode, and each mode against eager
/// ("1.18x" throughput ratio; latency change "-15.2%"). Cases that did not
/// finish show "-". Empty when no inference ran under two modes.
std::string exec_mode_text(const std::vector<CaseRecord>& cases);

}  // namespace effbench
