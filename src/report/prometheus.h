#pragma once
// A run's figures in Prometheus's text exposition format (version 0.0.4),
// for node_exporter's textfile collector (`effbench run --prometheus FILE`).
// A printer like the console and the HTML report: it reads the record and
// the record's helpers (counted_energy(), energy_per_sample()) and computes
// no figure of its own. docs/exports.md lists the metric families.

// Note [Prometheus series]
// What a Grafana user plots is one line per configuration across runs, so a
// series is named by what was measured, never by which run measured it:
// - every case family has the same labels, in this order: model, device,
//   device_name, mode, precision, exec, batch; an energy reading adds
//   source, scope, sensor, basis, measured, counted and rank (empty for one
//   process); the counted case total adds measured; latency adds quantile;
//   memory adds kind. A label is always written, empty when it does not
//   apply (a command case's mode, precision, exec and batch), so the label
//   set of a family never changes.
// - the run id, its status, the host and effbench's version are the labels
//   of one info gauge, effbench_run_info = 1 (join on nothing:
//   `* on() group_left(run_id) effbench_run_info`). A run id on every sample
//   would start a new series at every run.
// - every value is a gauge in base units (seconds, joules, bytes, ratios).
//   No timestamps: the textfile collector refuses them; the file's time is
//   node_textfile_mtime_seconds.
// - a family is written whole before the next, HELP and TYPE first, and
//   left out when no case has a value for it. Two cases with the same
//   labels would be two samples of one series: the writer refuses them.

#include <string>

#include "results/record.h"

namespace effbench {

/// The run as Prometheus text exposition (Note [Prometheus series]): every
/// line ends in "\n". Throws effbench::Error naming both cases when two
/// cases have the same labels.
std::string run_to_prometheus(const RunRecord& run);

/// `text` as a label value between double quotes: backslash, double quote
/// and line feed escaped as the format asks.
std::string prometheus_label_value(const std::string& text);

/// A sample value as Go's strconv.ParseFloat reads it: the shortest text that
/// reads back as the same double, "NaN", "+Inf" or "-Inf".
std::string prometheus_value(double value);

}  // namespace effbench
