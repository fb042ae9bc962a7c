#include "results/run_sink.h"

#include <exception>
#include <utility>

#include "core/atomic_file.h"
#include "core/error.h"
#include "results/json.h"

namespace effbench {

RunSink::RunSink(std::string json_path, const std::string& db_path, std::vector<RunDocument> documents)
    : db_path_(db_path) {
  if (!json_path.empty()) {
    documents_.push_back({"--json", std::move(json_path),
                          [](const RunRecord& run) { return run_to_json(run).dump(2) + "\n"; }});
  }
  for (auto& document : documents) {
    if (!document.path.empty()) documents_.push_back(std::move(document));
  }
  errors_.resize(documents_.size());
  // Before the database holds a begun run.
  for (const auto& document : documents_) check_can_write(document.path, document.option);
  if (!db_path_.empty()) store_ = std::make_unique<ResultStore>(db_path_);
}

void RunSink::save(const RunRecord& run) {
  // Each output on its own (Note [Outputs apart]): the database first, then each document.
  std::exception_ptr store_error;  // rethrown as it was, after the documents' turn
  try {
    save_to_store(run);
  } catch (const Error&) {
    store_error = std::current_exception();
  }
  for (size_t i = 0; i < documents_.size(); ++i) {
    const RunDocument& document = documents_[i];
    std::string bytes;
    try {
      bytes = document.render(run);
    } catch (const Error& e) {
      errors_[i] = document.option + " " + document.path + ": " + e.what();
      continue;
    }
    try {
      write_file_atomically(document.path, bytes, document.option);
      errors_[i].reset();
    } catch (const Error& e) {
      errors_[i] = e.what();
    }
  }
  if (store_error) std::rethrow_exception(store_error);
}

std::optional<std::string> RunSink::document_error() const {
  std::optional<std::string> text;
  for (const auto& error : errors_) {
    if (error) text = (text ? *text + "\n" : std::string()) + *error;
  }
  return text;
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
