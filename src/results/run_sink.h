#pragma once
// Where a run's results go while it runs: the JSON document (--json) and the
// results database (default on; --db, EFFBENCH_DB, --no-save). Both are
// brought up to date after every case, so an interruption or a crash loses
// nothing already measured.

// Note [Outputs apart]
// A run's outputs never destroy each other or the database:
// - the session refuses, before measuring, two outputs (--db, --json,
//   --report, --epoch-log) that name the same file;
// - no output file replaces an SQLite database (write_file_atomically), and
//   the epoch log never appends to one;
// - the database and the JSON document are saved independently: a JSON write
//   that fails (a full disk) leaves the database's copy of every case, and
//   the run ends saying so with a non-zero exit status.

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

  /// Stores the cases not stored yet (marking the run finished in the
  /// database once run.status is no longer "running"), then writes the JSON
  /// document. A failed JSON write does not stop the database's save: it is
  /// kept in json_error() and retried at the next save. Throws
  /// effbench::Error when the database cannot be written (the JSON document
  /// is written all the same).
  void save(const RunRecord& run);

  /// Why the last JSON write failed; empty when it succeeded or there is none.
  const std::optional<std::string>& json_error() const { return json_error_; }

  const std::string& db_path() const { return db_path_; }

 private:
  void save_to_store(const RunRecord& run);

  std::string json_path_;
  std::string db_path_;
  std::unique_ptr<ResultStore> store_;
  bool begun_ = false;
  bool finished_ = false;
  size_t stored_cases_ = 0;
  std::optional<std::string> json_error_;
};

}  // namespace effbench
