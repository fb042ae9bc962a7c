#include "results/run_sink.h"

#include <exception>

#include "core/atomic_file.h"
#include "core/error.h"
#include "results/json.h"

namespace effbench {

RunSink::RunSink(std::string json_path, const std::string& db_path)
    : json_path_(std::move(json_path)), db_path_(db_path) {
  if (!json_path_.empty()) check_can_write(json_path_, "--json");  // before the database holds a begun run
  if (!db_path_.empty()) store_ = std::make_unique<ResultStore>(db_path_);
}

void RunSink::save(const RunRecord& run) {
  // Each output on its own (Note [Outputs apart]): the database first, then the JSON document.
  std::exception_ptr store_error;  // rethrown as it was, after the JSON's turn
  try {
    save_to_store(run);
  } catch (const Error&) {
    store_error = std::current_exception();
  }
  if (!json_path_.empty()) {
    try {
      write_run_json(run, json_path_);
      json_error_.reset();
    } catch (const Error& e) {
      json_error_ = e.what();
    }
  }
  if (store_error) std::rethrow_exception(store_error);
}

void RunSink::save_to_store(const RunRecord& run) {
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
