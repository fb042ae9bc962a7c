#pragma once
// Console tables: the per-case results table (columns from case_fields(),
// Note [One field list]) and the speedup table.

#include <string>
#include <vector>

#include "analysis/speedup.h"
#include "results/record.h"

namespace effbench {

/// Renders rows of cells as an aligned text table with a header rule.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

/// The results table of a run, plus one footnote line per note/warning/error.
std::string results_table(const std::vector<CaseRecord>& cases);

/// The speedup table ("12.3x"; "-" when a case is missing; "*" marks a cell
/// normalised by FLOPs, with a footnote).
std::string speedup_text(const SpeedupTable& table);

}  // namespace effbench
