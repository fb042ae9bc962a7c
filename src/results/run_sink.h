#pragma once
// Where a run's results go while it runs: the JSON document (--json), other
// documents rendered from the whole run (--prometheus) and the results
// database (default on; --db, EFFBENCH_DB, --no-save). All are brought up to
// date after every case, so an interruption or a crash loses nothing already
// measured.

// Note [Outputs apart]
// A run's outputs never destroy each other or the database:
// - the session refuses, before measuring, two outputs (--db, --json,
//   --prometheus, --report, --epoch-log) that name the same file;
// - no output file replaces an SQLite database (write_file_atomically), and
//   the epoch log never appends to one;
// - the database and each document (JSON, Prometheus) are saved
//   independently: a document that cannot be rendered or written (a full
//   disk) leaves the database's copy of every case and the other documents,
//   and the run ends saying so with a non-zero exit status.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/record.h"
#include "results/store.h"

namespace effbench {

/// A file rewritten from the whole run after every case, atomically
/// (core/atomic_file.h): --json, or a printer's document such as --prometheus.
struct RunDocument {
  std::string option;                                   // the flag that asked for it, for messages
  std::string path;                                     // the file
  std::function<std::string(const RunRecord&)> render;  // the file's bytes; may throw effbench::Error
};

class RunSink {
 public:
  /// Opens the database now (before anything is measured), so a bad --db
  /// path fails at once; checks that every document's file can be written.
  /// `json_path` empty: no JSON document; `db_path` empty: no database.
  RunSink(std::string json_path, const std::string& db_path, std::vector<RunDocument> documents = {});

  /// Stores the cases not stored yet (marking the run finished in the
  /// database once run.status is no longer "running"), then writes the JSON
  /// document and the other documents. A document that fails does not stop
  /// the database's save or the other documents: its message is kept in
  /// document_error() and it is retried at the next save. Throws
  /// effbench::Error when the database cannot be written (the documents are
  /// written all the same).
  void save(const RunRecord& run);

  /// Why the last save of a document failed ("--json PATH: ...", one line
  /// each); empty when every document was written or there is none.
  std::optional<std::string> document_error() const;

  const std::string& db_path() const { return db_path_; }

 private:
  void save_to_store(const RunRecord& run);

  std::vector<RunDocument> documents_;              // the JSON document first, when there is one
  std::vector<std::optional<std::string>> errors_;  // one per document: why its last save failed
  std::string db_path_;
  std::unique_ptr<ResultStore> store_;
  bool begun_ = false;
  bool finished_ = false;
  size_t stored_cases_ = 0;
};

}  // namespace effbench
