#pragma once
// Where a run's results go while it runs: the JSON document (--json) and the
// results database (default on; --db, EFFBENCH_DB, --no-save). Both are
// brought up to date after every case, so an interruption or a crash loses
// nothing already measured.

#include <memory>
#include <optional>
#include <string>

#include "results/record.h"
#include "results/store.h"

namespace effbench {

class RunSink {
 public:
  /// Opens the database now (before anything is measured), so a bad --db
  /// path fails at once. `db_path` empty: no database.
  RunSink(std::string json_path, const std::string& db_path);

  /// Writes the JSON document and stores the cases not stored yet; marks the
  /// run finished in the database once run.status is no longer "running".
  void save(const RunRecord& run);

  const std::string& db_path() const { return db_path_; }

 private:
  std::string json_path_;
  std::string db_path_;
  std::unique_ptr<ResultStore> store_;
  bool begun_ = false;
  bool finished_ = false;
  size_t stored_cases_ = 0;
};

}  // namespace effbench
