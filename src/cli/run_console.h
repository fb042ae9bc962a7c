#pragma once
// What `effbench run` shows while it runs: the header (host, LibTorch,
// meters, plan), one progress line per case (and per epoch when training to
// a result), then the tables of the run and where it was written.
//
// Note [Progress line]
// On a terminal, a running case's line ends with its progress, redrawn in
// place at most every kProgressRedrawS: "[2/6] vgg16 cpu train batch 64
// 32x32 ... 40%, about 12 s left" (Note [Time left] in report/progress.h);
// a training case's progress gets a line of its own under its epochs. The
// redraw is erased before anything else is printed, so what stays on the
// screen is what a log gets. When standard output is not a terminal there
// are no redraws; a training case, whose epochs can be long, prints a plain
// progress line at most every kProgressLineS instead.

#include <string>
#include <vector>

#include "analysis/efficiency.h"
#include "core/clock.h"
#include "core/terminal_text.h"
#include "report/progress.h"
#include "runner/session.h"

namespace effbench {

/// Where the run's outputs go, for the closing lines (and the HTML report,
/// written when the run is done).
struct RunOutputs {
  std::string json_path;        // optional
  std::string db_path;          // optional
  std::string report_path;      // optional: written by run_done()
  std::string prometheus_path;  // optional
};

/// Prints to std::cout; only rank 0 of a data-parallel job is observed.
class ConsoleRunObserver : public RunObserver {
 public:
  /// `projection_gpus`: catalog ids a run without a GPU projects its speedup onto.
  ConsoleRunObserver(RunOutputs outputs, GqiSettings gqi, std::vector<std::string> projection_gpus = {})
      : outputs_(std::move(outputs)), gqi_(gqi), projection_gpus_(std::move(projection_gpus)) {}
  void run_begun(const RunRecord& run, const SessionPlan& plan) override;
  void idle_measurement(double seconds, bool done) override;
  void case_skipped(size_t index, size_t total, const CaseSpec& spec, const std::string& reason) override;
  void case_begun(size_t index, size_t total, const CaseSpec& spec) override;
  void case_message(const std::string& line) override;
  void case_progress(double done_fraction) override;
  void epoch_done(const EpochEvent& event) override;
  void case_done(size_t index, size_t total, const CaseRecord& record) override;
  void run_done(const RunRecord& run, const SessionPlan& plan) override;

 private:
  RunOutputs outputs_;
  GqiSettings gqi_;
  std::vector<std::string> projection_gpus_;
  void end_progress_line();

  SessionPlan plan_;  // from run_begun
  // The progress line (Note [Progress line]).
  bool terminal_ = stdout_is_terminal();
  std::string open_line_;  // the case's line printed so far, when it has no newline yet
  bool progress_drawn_ = false;
  Stopwatch case_clock_;
  ProgressEstimate progress_;
  double progress_shown_s_ = -1;  // when the progress was last shown (case clock)
};

}  // namespace effbench
