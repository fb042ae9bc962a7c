#include "results/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "results/fields.h"
#include "results/json.h"

namespace effbench {

using nlohmann::json;

namespace {

// 'EFFB' in PRAGMA application_id tells our files from other SQLite files.
constexpr int32_t kApplicationId = 0x45464642;
constexpr int kBusyTimeoutMs = 10000;

std::string no_run_message(const std::string& run_id) {
  return "no run with id '" + run_id + "' in the results database (see `effbench results list` for the ids)";
}

// Process start time in clock ticks since boot (field 22 of /proc/PID/stat);
// -1 when unknown. With the pid it identifies a process even after pid reuse.
int64_t process_start_ticks(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) return -1;
  const auto paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {  // fields 3.. after "pid (comm) "
    if (!(fields >> field)) return -1;
  }
  try {
    return std::stoll(field);
  } catch (...) {
    return -1;
  }
}

std::string this_host() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

}  // namespace

// RAII for the sqlite3 handle and its prepared statements.
struct SqliteConnection {
  sqlite3* handle = nullptr;
  std::string path;

  ~SqliteConnection() {
    if (handle) sqlite3_close_v2(handle);
  }

  [[noreturn]] void fail(const std::string& what, int rc) const {
    std::string detail = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      throw Error("results database " + path + ": " + what + ": " + detail +
                  " (the file is corrupted or not an effbench results database; move it away, or pass "
                  "--db PATH / set EFFBENCH_DB to use another file)");
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      throw Error("results database " + path + ": " + what + ": " + detail +
                  " (still locked by another process after " + std::to_string(kBusyTimeoutMs / 1000) + " s)");
    }
    throw Error("results database " + path + ": " + what + ": " + detail);
  }

  void exec(const std::string& sql) const {
    char* message = nullptr;
    const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
    if (message) sqlite3_free(message);
    if (rc != SQLITE_OK) fail(sql.substr(0, sql.find_first_of("(\n")), rc);
  }
};

namespace {

class Statement {
 public:
  Statement(const SqliteConnection& db, const char* sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db.handle, sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail("preparing a query", rc);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    check_bind(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int index, int64_t value) {
    check_bind(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& bind_null(int index) {
    check_bind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  /// True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail("query", rc);
  }
  void run() {
    while (step()) {
    }
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  void check_bind(int rc) const {
    if (rc != SQLITE_OK) db_.fail("binding a value", rc);
  }
  const SqliteConnection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the
// busy timeout instead of failing to upgrade a read lock (SQLITE_BUSY
// without retry). Rolls back unless commit() was reached.
class Transaction {
 public:
  explicit Transaction(const SqliteConnection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.handle, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  const SqliteConnection& db_;
  bool done_ = false;
};

// Migrations, index i brings user_version i to i + 1. Append only.
const char* const kMigrations[] = {
    // 0 -> 1: runs and their cases (Note [Store holds the JSON document]).
    R"sql(
    CREATE TABLE runs (
      run_id             TEXT PRIMARY KEY,
      schema_version     INTEGER NOT NULL,
      started_at         TEXT NOT NULL,
      finished_at        TEXT NOT NULL DEFAULT '',
      status             TEXT NOT NULL,
      host               TEXT NOT NULL,
      system_json        TEXT NOT NULL,
      settings_json      TEXT NOT NULL,
      writer_host        TEXT,
      writer_pid         INTEGER,
      writer_start_ticks INTEGER
    );
    CREATE INDEX runs_started_at ON runs(started_at);
    CREATE TABLE cases (
      run_id   TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
      seq      INTEGER NOT NULL,
      model    TEXT NOT NULL,
      device   TEXT NOT NULL,
      mode     TEXT NOT NULL,
      status   TEXT NOT NULL,
      document TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX cases_model_device_mode ON cases(model, device, mode);
    )sql",
};
constexpr int kMigrationCount = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kMigrationCount == kStoreSchemaVersion, "one migration per store schema version");

void insert_case(const SqliteConnection& db, const std::string& run_id, int64_t seq, const CaseRecord& c) {
  Statement insert(db,
                   "INSERT INTO cases (run_id, seq, model, device, mode, status, document) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, run_id)
      .bind(2, seq)
      .bind(3, c.model)
      .bind(4, c.device.str())
      .bind(5, to_string(c.mode))
      .bind(6, to_string(c.status));
  insert.bind(7, case_to_json(c).dump());
  insert.run();
}

bool run_exists(const SqliteConnection& db, const std::string& run_id) {
  Statement query(db, "SELECT 1 FROM runs WHERE run_id = ?1");
  query.bind(1, run_id);
  return query.step();
}

// Inserts the header of `run`; writer columns are NULL when `writer` is false.
void insert_header(const SqliteConnection& db, const RunRecord& run, const std::string& status, bool writer) {
  const json document = run_to_json(run);
  Statement insert(
      db,
      "INSERT INTO runs (run_id, schema_version, started_at, finished_at, status, host, system_json, "
      "settings_json, writer_host, writer_pid, writer_start_ticks) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  insert.bind(1, run.run_id).bind(2, int64_t{run.schema_version}).bind(3, run.started_at);
  insert.bind(4, writer ? std::string() : run.finished_at);  // a begun run has not finished
  insert.bind(5, status).bind(6, run.system.hostname);
  insert.bind(7, document.at("system").dump()).bind(8, document.at("settings").dump());
  if (writer) {
    const int64_t pid = static_cast<int64_t>(getpid());
    insert.bind(9, this_host()).bind(10, pid).bind(11, process_start_ticks(pid));
  } else {
    insert.bind_null(9).bind_null(10).bind_null(11);
  }
  insert.run();
}

}  // namespace

std::string ResultStore::default_path() {
  const char* explicit_path = std::getenv("EFFBENCH_DB");
  if (explicit_path && *explicit_path) return explicit_path;
  const char* data_home = std::getenv("XDG_DATA_HOME");
  if (data_home && *data_home) return std::string(data_home) + "/effbench/results.db";
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    throw Error(
        "cannot find a place for the results database: HOME, XDG_DATA_HOME and EFFBENCH_DB are unset "
        "(pass --db PATH or set EFFBENCH_DB)");
  }
  return std::string(home) + "/.local/share/effbench/results.db";
}

ResultStore::ResultStore(const std::string& path) : path_(path), db_(std::make_unique<SqliteConnection>()) {
  db_->path = path;
  check(!path.empty(), "--db: expected a file path but got an empty string");
  const std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec)
      throw Error("results database " + path + ": cannot create folder " + file.parent_path().string() +
                  ": " + ec.message());
  }
  if (std::filesystem::is_directory(file))
    throw Error("results database " + path + ": is a directory, expected a file");
  const int rc = sqlite3_open_v2(path.c_str(), &db_->handle,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) db_->fail("cannot open", rc);
  sqlite3_extended_result_codes(db_->handle, 1);
  sqlite3_busy_timeout(db_->handle, kBusyTimeoutMs);
  // Note [Busy while opening]
  // SQLite answers SQLITE_BUSY at once, without the busy handler, where
  // waiting could deadlock: switching a new file to WAL while another
  // connection reads it, or a read transaction that another writer got ahead
  // of. Two processes opening one new database hit exactly that, so the
  // opening steps are retried until the busy timeout has passed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  while (true) {
    try {
      migrate();
      return;
    } catch (const Error&) {
      const int code = sqlite3_extended_errcode(db_->handle) & 0xff;
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline)
        throw;
      sqlite3_exec(db_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

ResultStore::~ResultStore() { mark_incomplete_begun_runs(); }

void ResultStore::mark_incomplete_begun_runs() noexcept {
  if (!db_ || !db_->handle) return;
  for (const auto& run_id : begun_runs_) {
    try {
      Statement update(*db_,
                       "UPDATE runs SET status = 'incomplete' WHERE run_id = ?1 AND status = 'running'");
      update.bind(1, run_id).run();
    } catch (...) {
      // Best effort: a run left "running" is still reported incomplete once
      // this process is gone (Note [Incomplete runs]).
    }
  }
  begun_runs_.clear();
}

void ResultStore::migrate() {
  // The first read tells a SQLite file from anything else (SQLITE_NOTADB).
  auto read_int_pragma = [this](const char* sql) {
    Statement pragma(*db_, sql);
    return pragma.step() ? pragma.integer(0) : int64_t{0};
  };
  // The three identifying reads share one read transaction: another process
  // creating the same new file commits tables, application_id and
  // user_version together, and a snapshot sees all of them or none.
  db_->exec("BEGIN");
  int64_t version = 0, application_id = 0, tables = 0;
  try {
    version = read_int_pragma("PRAGMA user_version");
    application_id = read_int_pragma("PRAGMA application_id");
    tables = read_int_pragma("SELECT count(*) FROM sqlite_master");
  } catch (...) {
    sqlite3_exec(db_->handle, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  db_->exec("COMMIT");
  if (version > kStoreSchemaVersion) {
    throw Error("results database " + path_ + ": store schema version " + std::to_string(version) +
                " was written by a newer effbench (this one reads up to " +
                std::to_string(kStoreSchemaVersion) +
                "); upgrade effbench or pass --db PATH to use another file");
  }
  if (application_id != kApplicationId && (tables > 0 || version != 0)) {
    throw Error("results database " + path_ + ": is a SQLite file of another program (application_id " +
                std::to_string(application_id) + ", " + std::to_string(tables) +
                " schema objects), not an effbench results database; pass --db PATH to use another file");
  }
  // WAL lets readers go on while one process writes; setting it needs the
  // write lock, so it waits on the busy timeout like any writer.
  {
    Statement wal(*db_, "PRAGMA journal_mode = WAL");
    wal.run();
  }
  db_->exec("PRAGMA synchronous = NORMAL");
  db_->exec("PRAGMA foreign_keys = ON");
  if (version == kStoreSchemaVersion) return;

  // Two processes may create the same new file at once: re-read the version
  // under the write lock and let the loser see the winner's tables.
  Transaction transaction(*db_);
  version = read_int_pragma("PRAGMA user_version");
  for (int64_t v = version; v < kStoreSchemaVersion; ++v) db_->exec(kMigrations[v]);
  db_->exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  db_->exec("PRAGMA user_version = " + std::to_string(kStoreSchemaVersion));
  transaction.commit();
}

void ResultStore::begin_run(const RunRecord& run) {
  check(!run.run_id.empty(), "begin_run: expected a run id but got an empty string");
  Transaction transaction(*db_);
  if (run_exists(*db_, run.run_id)) {
    throw Error("results database " + path_ + ": a run with id '" + run.run_id + "' exists already");
  }
  insert_header(*db_, run, "running", /*writer=*/true);
  transaction.commit();
  begun_runs_.push_back(run.run_id);
}

void ResultStore::add_case(const std::string& run_id, const CaseRecord& c) {
  Transaction transaction(*db_);
  if (!run_exists(*db_, run_id)) throw Error(no_run_message(run_id));
  Statement next(*db_, "SELECT COALESCE(MAX(seq) + 1, 0) FROM cases WHERE run_id = ?1");
  next.bind(1, run_id);
  next.step();
  insert_case(*db_, run_id, next.integer(0), c);
  transaction.commit();
}

void ResultStore::finish_run(const std::string& run_id, RunStatus status, const std::string& finished_at) {
  Transaction transaction(*db_);
  Statement update(*db_, "UPDATE runs SET status = ?2, finished_at = ?3 WHERE run_id = ?1");
  update.bind(1, run_id).bind(2, to_string(status)).bind(3, finished_at).run();
  if (sqlite3_changes(db_->handle) == 0) throw Error(no_run_message(run_id));
  transaction.commit();
  begun_runs_.erase(std::remove(begun_runs_.begin(), begun_runs_.end(), run_id), begun_runs_.end());
}

bool ResultStore::import_run(const RunRecord& run) {
  check(!run.run_id.empty(), "import: expected a run id but got an empty string");
  Transaction transaction(*db_);
  if (run_exists(*db_, run.run_id)) return false;  // the transaction rolls back: nothing written
  insert_header(*db_, run, to_string(run.status), /*writer=*/false);
  for (size_t i = 0; i < run.cases.size(); ++i)
    insert_case(*db_, run.run_id, static_cast<int64_t>(i), run.cases[i]);
  transaction.commit();
  return true;
}

std::string ResultStore::effective_status(const std::string& stored_status, const std::string& writer_host,
                                          int64_t writer_pid, int64_t writer_start_ticks) const {
  if (stored_status != "running") return stored_status;
  if (writer_pid <= 0 || writer_host != this_host()) return "incomplete";
  const int64_t ticks = process_start_ticks(writer_pid);
  if (ticks < 0) {
    // No /proc entry: the process is gone (or /proc is not mounted; then ask the kernel).
    if (std::filesystem::exists("/proc/self/stat")) return "incomplete";
    return (kill(static_cast<pid_t>(writer_pid), 0) == 0 || errno == EPERM) ? "running" : "incomplete";
  }
  return (writer_start_ticks < 0 || ticks == writer_start_ticks) ? "running" : "incomplete";
}

RunRecord ResultStore::load_run(const std::string& run_id) const {
  json document;
  {
    Statement header(*db_,
                     "SELECT schema_version, started_at, finished_at, status, system_json, settings_json, "
                     "writer_host, writer_pid, writer_start_ticks FROM runs WHERE run_id = ?1");
    header.bind(1, run_id);
    if (!header.step()) throw Error(no_run_message(run_id));
    const std::string origin = "results database " + path_ + ": run " + run_id;
    try {
      document = json{{"tool", "effbench"},
                      {"schema_version", header.integer(0)},
                      {"run_id", run_id},
                      {"started_at", header.text(1)},
                      {"finished_at", header.text(2)},
                      {"status", effective_status(header.text(3), header.text(6),
                                                  header.is_null(7) ? -1 : header.integer(7),
                                                  header.is_null(8) ? -1 : header.integer(8))},
                      {"system", json::parse(header.text(4))},
                      {"settings", json::parse(header.text(5))},
                      {"cases", json::array()}};
      Statement cases(*db_, "SELECT document FROM cases WHERE run_id = ?1 ORDER BY seq");
      cases.bind(1, run_id);
      while (cases.step()) document["cases"].push_back(json::parse(cases.text(0)));
    } catch (const json::exception& e) {
      throw Error(origin + ": stored document is malformed: " + e.what());
    }
    return run_from_json(document, origin);
  }
}

std::vector<RunSummary> ResultStore::list_runs() const {
  std::vector<RunSummary> runs;
  Statement query(
      *db_,
      "SELECT run_id, started_at, finished_at, status, host, writer_host, writer_pid, writer_start_ticks "
      "FROM runs ORDER BY started_at DESC, run_id DESC");
  while (query.step()) {
    RunSummary s;
    s.run_id = query.text(0);
    s.started_at = query.text(1);
    s.finished_at = query.text(2);
    s.status = effective_status(query.text(3), query.text(5), query.is_null(6) ? -1 : query.integer(6),
                                query.is_null(7) ? -1 : query.integer(7));
    s.host = query.text(4);
    runs.push_back(std::move(s));
  }
  for (auto& s : runs) {
    Statement cases(*db_, "SELECT model, device FROM cases WHERE run_id = ?1");
    cases.bind(1, s.run_id);
    std::set<std::string> models, devices;
    while (cases.step()) {
      models.insert(cases.text(0));
      devices.insert(cases.text(1));
      ++s.case_count;
    }
    s.models.assign(models.begin(), models.end());
    s.devices.assign(devices.begin(), devices.end());
  }
  return runs;
}

std::vector<RunRecord> ResultStore::load_readable_runs(
    const std::function<void(const std::string& run_id, const std::string& error)>& unreadable) const {
  std::vector<RunRecord> runs;
  for (const RunSummary& s : list_runs()) {
    try {
      runs.push_back(load_run(s.run_id));
    } catch (const Error& e) {
      unreadable(s.run_id, e.what());
    }
  }
  return runs;
}

std::string ResultStore::latest_run_id() const {
  Statement query(*db_, "SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1");
  if (!query.step()) {
    throw Error("results database " + path_ +
                " holds no runs yet (run `effbench run` first, or pass --db PATH)");
  }
  return query.text(0);
}

void ResultStore::delete_run(const std::string& run_id) {
  Transaction transaction(*db_);
  Statement cases(*db_, "DELETE FROM cases WHERE run_id = ?1");
  cases.bind(1, run_id).run();
  Statement header(*db_, "DELETE FROM runs WHERE run_id = ?1");
  header.bind(1, run_id).run();
  if (sqlite3_changes(db_->handle) == 0) throw Error(no_run_message(run_id));
  transaction.commit();
}

json runs_to_json_document(const std::vector<RunRecord>& runs) {
  if (runs.size() == 1) return run_to_json(runs.front());
  json documents = json::array();
  for (const auto& run : runs) documents.push_back(run_to_json(run));
  return documents;
}

std::vector<RunRecord> read_run_documents(const std::string& path) {
  return run_documents_from_json(read_json_file(path), path);
}

std::vector<RunRecord> run_documents_from_json(const json& document, const std::string& origin) {
  std::vector<RunRecord> runs;
  if (document.is_array()) {
    for (size_t i = 0; i < document.size(); ++i)
      runs.push_back(run_from_json(document[i], origin + "[" + std::to_string(i) + "]"));
  } else {
    runs.push_back(run_from_json(document, origin));
  }
  return runs;
}

namespace {

std::string csv_escape(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

void write_runs_csv(const std::vector<RunRecord>& runs, std::ostream& out) {
  // Columns: run_id, then each written case field in case_fields() order; an
  // object-valued field becomes one column per member ("throughput.median"),
  // in first-seen order over all rows.
  using Row = std::map<std::string, std::string>;
  std::vector<std::string> columns = {"run_id"};
  std::set<std::string> known = {"run_id"};
  std::vector<Row> rows;
  std::map<std::string, std::vector<std::string>> members;  // field key -> member columns
  auto text_of = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      const json document = case_to_json(c);
      Row row{{"run_id", run.run_id}};
      for (const auto& field : case_fields()) {
        const auto it = document.find(field.key);
        if (it == document.end() || it->is_null()) continue;
        if (it->is_object()) {
          for (const auto& [member, value] : it->items()) {
            const std::string column = field.key + "." + member;
            auto& list = members[field.key];
            if (std::find(list.begin(), list.end(), column) == list.end()) list.push_back(column);
            row[column] = text_of(value);
          }
        } else {
          row[field.key] = text_of(*it);
        }
      }
      rows.push_back(std::move(row));
    }
  }
  for (const auto& field : case_fields()) {
    if (!field.write) continue;  // console-only
    const auto it = members.find(field.key);
    if (it == members.end()) {
      if (known.insert(field.key).second) columns.push_back(field.key);
    } else {
      for (const auto& column : it->second) {
        if (known.insert(column).second) columns.push_back(column);
      }
    }
  }
  for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << csv_escape(columns[i]);
  out << "\r\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out << ',';
      const auto it = row.find(columns[i]);
      if (it != row.end()) out << csv_escape(it->second);
    }
    out << "\r\n";
  }
}

}  // namespace effbench
