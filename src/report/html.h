#pragma once
// The HTML report: one self-contained file per set of runs, readable offline.
//
// Note [Self-contained report]
// Vega, Vega-Lite and vega-embed are compiled into the binary
// (third_party/vega, embedded by src/report/embed_assets.cmake) and inlined
// in a <script> each; every chart is a Vega-Lite spec with its data inline,
// so the page makes no network request. A Content-Security-Policy meta tag
// forbids any connection (Vega needs 'unsafe-eval' for its expressions).
// All record text reaches the page either HTML-escaped (tables) or inside a
// JSON island whose '<', '>' and '&' are written as \u003c, \u003e, \u0026,
// so a model called "</script>" cannot end a script early.
// The page's script writes what it rendered into #effbench-status
// (data-charts, data-rendered, data-errors, data-done): the browser check
// (tests/report/browser_check.sh) reads it back.

#include <string>
#include <vector>

#include "results/record.h"

namespace effbench {

/// The report as one HTML document (see Note [Self-contained report]).
/// Sections: system, speedup chart (log scale) and table, throughput and
/// latency with their spread, energy (measured and estimated drawn apart),
/// accuracy vs energy with the Pareto front, power timelines, peak memory.
/// Sections without data say so instead of drawing an empty chart.
std::string html_report(const std::vector<RunRecord>& runs);

/// Writes html_report(runs) to `path` atomically (temporary file + rename).
/// Throws effbench::Error naming `path` when it cannot be written.
void write_html_report(const std::vector<RunRecord>& runs, const std::string& path);

/// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& text);

/// JSON text made safe inside a <script> element: '<', '>', '&' and the
/// line separators U+2028/U+2029 as \u escapes (valid JSON and JavaScript).
std::string script_safe_json(const std::string& json_text);

}  // namespace effbench
