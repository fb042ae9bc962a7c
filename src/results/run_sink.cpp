#include "results/run_sink.h"

#include "results/json.h"

namespace effbench {

RunSink::RunSink(std::string json_path, const std::string& db_path)
    : json_path_(std::move(json_path)), db_path_(db_path) {
  if (!db_path_.empty()) store_ = std::make_unique<ResultStore>(db_path_);
}

void RunSink::save(const RunRecord& run) {
  if (!json_path_.empty()) write_run_json(run, json_path_);
  if (!store_) return;
  if (!begun_) {
    RunRecord header = run;
    header.cases.clear();
    store_->begin_run(header);
    begun_ = true;
  }
  for (; stored_cases_ < run.cases.size(); ++stored_cases_)
    store_->add_case(run.run_id, run.cases[stored_cases_]);
  if (!finished_ && run.status != RunStatus::kRunning) {
    store_->finish_run(run.run_id, run.status, run.finished_at);
    finished_ = true;
  }
}

}  // namespace effbench
