#pragma once
// What `effbench run` shows while it runs: the header (host, LibTorch,
// meters, plan), one progress line per case (and per epoch when training to
// a result), then the tables of the run and where it was written.

#include <string>
#include <vector>

#include "analysis/efficiency.h"
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
  void case_begun(size_t index, size_t total, const CaseSpec& spec) override;
  void case_message(const std::string& line) override;
  void epoch_done(const EpochEvent& event) override;
  void case_done(size_t index, size_t total, const CaseRecord& record) override;
  void run_done(const RunRecord& run, const SessionPlan& plan) override;

 private:
  RunOutputs outputs_;
  GqiSettings gqi_;
  std::vector<std::string> projection_gpus_;
  SessionPlan plan_;  // from run_begun
};

}  // namespace effbench
