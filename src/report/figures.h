#pragma once
// The text of each derived figure, built once from what src/analysis
// computed and printed by both the console (report/console.h) and the HTML
// report (report/html.h), so the two show the same numbers with the same
// labels. Cells are plain text; the HTML report escapes them.

#include <string>
#include <vector>

#include "analysis/compare.h"
#include "analysis/efficiency.h"
#include "analysis/gpu_projection.h"
#include "analysis/speedup.h"
#include "analysis/studies.h"

namespace effbench {

/// A table of plain-text cells and the notes printed under it.
struct FigureTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;  // one line each, shown under the table
};

/// "26.67x", with "*" when normalised by FLOPs; "-" without a speedup.
std::string speedup_cell_text(const SpeedupCell& cell);

/// The speedup table: model, exec, precision, then one column per device
/// (Note [What a speedup compares]).
FigureTable speedup_figures(const SpeedupTable& table);

/// The exec-mode table: samples/s and batch-1 p50 of each exec mode that
/// ran, and each against eager; "-" where a case did not finish.
FigureTable exec_mode_figures(const std::vector<ExecModeRow>& rows);

/// The efficiency table of training cases with an accuracy result: counted
/// energy ("meas." / "est."), accuracy per kWh, joules per correct
/// prediction, GQI and the Pareto front.
FigureTable efficiency_figures(const std::vector<CaseEfficiency>& rows, const GqiSettings& settings);

/// What a GPU would buy (Note [Calibrated GPU projection]): per measured
/// cpu case, the throughput here and the projected speedup interval on each
/// GPU ("3.8x-9.8x", "<= 300x" for a roofline bound); the notes give each
/// cell's basis, once per GPU and mode.
FigureTable projected_speedup_figures(const ProjectedSpeedupTable& table);

/// The energy side of the same projection: J/sample measured here (with its
/// interval) and projected on each GPU.
FigureTable projected_energy_figures(const ProjectedSpeedupTable& table);

/// Samples in one epoch of CIFAR-10's training set, study 1's data.
inline constexpr double kEpochSamples = 50000;

/// Time and energy of one kEpochSamples epoch at each case's throughput:
/// measured here, projected on each GPU (hours saved, electricity spent).
FigureTable projected_epoch_figures(const ProjectedSpeedupTable& table);

/// One study beside this machine (Note [Study verdicts]): claim, published,
/// here and verdict, each row's reason numbered in the notes.
FigureTable study_figures(const StudyReproduction& study);

}  // namespace effbench
