#pragma once
// The results database: every run of effbench kept in one SQLite file per
// user, so runs from several machines meet in one place.
//
// Note [Store holds the JSON document]
// Each case is stored as its JSON document (case_to_json, driven by
// case_fields(); see Note [One field list]) plus a few indexed columns copied
// out of it (model, device, mode, status) for listing and filtering. The run
// header keeps the "system" and "settings" objects of run_to_json() verbatim.
// Reading a run rebuilds the run document and passes it through
// run_from_json(), so the database has no schema of its own to drift from
// the JSON one.
//
// Note [Incomplete runs]
// begin_run() stores status "running" together with the writer's host, pid
// and process start time. A run whose writer died (killed, power cut) is never
// finished, so load_run() and list_runs() report status "incomplete" when the
// stored status is "running" and its writer is no longer alive: same host and
// the pid is gone or belongs to a newer process. A run from another host, or
// imported, that still says "running" is reported "incomplete" as well, since
// no process here can finish it. A ResultStore destroyed with runs it began and
// did not finish (an exception unwound past it) marks them "incomplete".
// Finished cases are always kept: each add_case() is its own transaction.

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/record.h"

namespace effbench {

struct SqliteConnection;  // RAII sqlite3 handle, store.cpp

/// Version of the database layout (PRAGMA user_version); migrations in
/// store.cpp bring older files up to it.
inline constexpr int kStoreSchemaVersion = 1;

/// One line of `effbench results list`.
struct RunSummary {
  std::string run_id;
  std::string started_at;   // ISO-8601 UTC
  std::string finished_at;  // empty when not finished
  std::string host;
  std::string status;                // complete | interrupted | running | incomplete (Note [Incomplete runs])
  std::vector<std::string> devices;  // distinct, sorted
  std::vector<std::string> models;   // distinct, sorted
  int64_t case_count = 0;
};

class ResultStore {
 public:
  /// $EFFBENCH_DB, else $XDG_DATA_HOME/effbench/results.db, else
  /// ~/.local/share/effbench/results.db. Does not create anything.
  static std::string default_path();

  /// Opens (creating the file and its parent folder when missing) and
  /// migrates the database at `path`. WAL mode, 10 s busy timeout. Throws
  /// effbench::Error naming `path` for a corrupted, foreign or newer file.
  /// One connection per object; use one object per thread.
  explicit ResultStore(const std::string& path);
  /// Marks runs begun here and never finished as "incomplete" (never throws).
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  const std::string& path() const { return path_; }

  /// Inserts the run header (its cases are ignored) with status "running".
  /// Throws effbench::Error when the run id exists already.
  void begin_run(const RunRecord& run);

  /// Appends one case to a begun run, in its own transaction, so an
  /// interrupted run keeps every finished case. Throws for an unknown run id.
  void add_case(const std::string& run_id, const CaseRecord& c);

  /// Sets the final status ("complete", "interrupted", ...) and finish time.
  void finish_run(const std::string& run_id, RunStatus status, const std::string& finished_at);

  /// Stores a whole run (header and cases) in one transaction. Returns false
  /// and stores nothing when a run with the same id exists already.
  bool import_run(const RunRecord& run);

  /// The run with its cases in the order they were added. Throws
  /// effbench::Error "no run with id ..." for an unknown id.
  RunRecord load_run(const std::string& run_id) const;

  /// Every run, newest first.
  std::vector<RunSummary> list_runs() const;

  /// Every run that can be read, newest first; one that cannot is passed to
  /// `unreadable` (its id and the error) and left out, so that it does not
  /// stop the others from being read.
  std::vector<RunRecord> load_readable_runs(
      const std::function<void(const std::string& run_id, const std::string& error)>& unreadable) const;

  /// The id of the newest run; throws effbench::Error when the store is empty.
  std::string latest_run_id() const;

  /// Removes the run and its cases. Throws for an unknown id.
  void delete_run(const std::string& run_id);

 private:
  std::string effective_status(const std::string& stored_status, const std::string& writer_host,
                               int64_t writer_pid, int64_t writer_start_ticks) const;
  void migrate();
  void mark_incomplete_begun_runs() noexcept;

  std::string path_;
  std::unique_ptr<SqliteConnection> db_;
  std::vector<std::string> begun_runs_;  // begun here, not yet finished
};

/// Run documents of `runs`: the document of run_to_json() for one run, a JSON
/// array of them for several (what `effbench results export --json` writes).
nlohmann::json runs_to_json_document(const std::vector<RunRecord>& runs);

/// Reads a file written by `effbench run --json` or `results export --json`
/// (one run document or an array of them). Throws effbench::Error naming
/// `path` for unreadable files, malformed JSON or another schema version.
std::vector<RunRecord> read_run_documents(const std::string& path);

/// The runs of a parsed document (one run, or an array of runs), each
/// checked; errors name `origin` and the run's index.
std::vector<RunRecord> run_documents_from_json(const nlohmann::json& document, const std::string& origin);

/// One CSV row per case: run_id, then one column per case_fields() key (Note
/// [One field list]), an object-valued field spread over "key.member"
/// columns; strings raw, numbers as JSON numbers, arrays as compact JSON;
/// RFC 4180 quoting, CRLF line ends.
void write_runs_csv(const std::vector<RunRecord>& runs, std::ostream& out);

}  // namespace effbench
