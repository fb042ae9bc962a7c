#include "results/store.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "results/json.h"

namespace effbench {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("effbench_store_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

CaseRecord make_case(const std::string& model, const std::string& device, const std::string& mode,
                     double median) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test case");
  c.device_name = device == "cpu" ? "Test CPU" : "Test GPU";
  c.mode = parse_word<Mode>(mode, "test");
  c.batch = 32;
  c.input_shape = {3, 32, 32};
  c.params = 1234567;
  c.flops_per_sample = 2.5e8;
  c.throughput = ThroughputSummary{"samples/s",
                                   median,
                                   1.5,
                                   median - 2,
                                   median + 2,
                                   0.01,
                                   {median - 2, median - 0.5, median, median + 0.25, median + 2}};
  if (mode == "infer") c.latency_ms = LatencyMs{1.25, 1.5, 2.75, 200};
  EnergyReading reading;
  reading.source = EnergySource::kEstimate;
  reading.scope = "cpu-package";
  reading.device = "package-0";
  reading.available = true;
  reading.joules = 42.125;
  reading.joules_per_sample = 0.0078125;
  reading.formula = "TDP x time";
  c.energy.push_back(reading);
  c.power_timeline.push_back(PowerTimeline{"rapl", "package-0", {{0.0, 10.5}, {0.5, 12.25}, {1.0, 11.0}}});
  c.memory.peak_rss_bytes = 987654321;
  c.notes.push_back("a \"quoted\", note");
  return c;
}

RunRecord make_run(const std::string& run_id, const std::string& started_at) {
  RunRecord run;
  run.run_id = run_id;
  run.started_at = started_at;
  run.finished_at = "2026-11-22T10:05:00Z";
  run.status = RunStatus::kComplete;
  run.system.hostname = "labhost";
  run.system.cpu_model = "Test CPU";
  run.system.logical_cores = 8;
  run.system.gpus.push_back(GpuInfo{0, "Test GPU", "GPU-1234", 8589934592, "8.6"});
  run.settings.repeats = 5;
  run.settings.seed = 7;
  run.settings.command_line = {"effbench", "run", "--models", "conv6"};
  run.cases.push_back(make_case("conv6", "cpu", "train", 100));
  run.cases.push_back(make_case("conv6", "cuda:0", "infer", 2500));
  return run;
}

// Runs `body` in a child process that ends with _exit (no destructors, like
// a killed process); returns the child's exit status.
template <typename Body>
int in_child(Body body) {
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    try {
      body();
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(StoreTest, DefaultPathFollowsEnvironment) {
  const char* old_db = std::getenv("EFFBENCH_DB");
  const std::string saved_db = old_db ? old_db : "";
  setenv("EFFBENCH_DB", "/x/y.db", 1);
  EXPECT_EQ(ResultStore::default_path(), "/x/y.db");
  unsetenv("EFFBENCH_DB");
  setenv("XDG_DATA_HOME", "/data", 1);
  EXPECT_EQ(ResultStore::default_path(), "/data/effbench/results.db");
  unsetenv("XDG_DATA_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(ResultStore::default_path(), "/home/u/.local/share/effbench/results.db");
  if (old_db) setenv("EFFBENCH_DB", saved_db.c_str(), 1);
}

TEST_F(StoreTest, RoundTripWriteReadExportImport) {
  const RunRecord run = make_run("20261122T100000-labhost-000001", "2026-11-22T10:00:00Z");
  {
    ResultStore store(path("a.db"));
    store.begin_run(run);
    for (const auto& c : run.cases) store.add_case(run.run_id, c);
    store.finish_run(run.run_id, RunStatus::kComplete, run.finished_at);
  }
  ResultStore store(path("a.db"));
  const RunRecord back = store.load_run(run.run_id);
  EXPECT_EQ(run_to_json(back), run_to_json(run));
  ASSERT_EQ(back.cases.size(), 2u);
  EXPECT_EQ(back.cases[1].device, Device::cuda(0));
  EXPECT_EQ(back.cases[0].power_timeline.at(0).points.at(1).watts, 12.25);

  // Export to a file, import into another database: the same document.
  const std::string exported = path("export.json");
  {
    std::ofstream out(exported);
    out << runs_to_json_document({back}).dump(2);
  }
  ResultStore other(path("b.db"));
  const auto documents = read_run_documents(exported);
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_TRUE(other.import_run(documents[0]));
  EXPECT_FALSE(other.import_run(documents[0]));  // de-duplicated by run id
  EXPECT_EQ(run_to_json(other.load_run(run.run_id)), run_to_json(run));
  EXPECT_EQ(other.list_runs().size(), 1u);
}

TEST_F(StoreTest, ExportOfSeveralRunsIsAnArrayThatImports) {
  const RunRecord a = make_run("run-a", "2026-11-22T10:00:00Z");
  const RunRecord b = make_run("run-b", "2026-11-23T10:00:00Z");
  const std::string file = path("two.json");
  {
    std::ofstream out(file);
    out << runs_to_json_document({a, b}).dump();
  }
  const auto documents = read_run_documents(file);
  ASSERT_EQ(documents.size(), 2u);
  ResultStore store(path("s.db"));
  for (const auto& run : documents) EXPECT_TRUE(store.import_run(run));
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, "run-b");  // newest first
  EXPECT_EQ(runs[1].run_id, "run-a");
  EXPECT_EQ(runs[0].host, "labhost");
  EXPECT_EQ(runs[0].status, "complete");
  EXPECT_EQ(runs[0].case_count, 2);
  EXPECT_EQ(runs[0].devices, (std::vector<std::string>{"cpu", "cuda:0"}));
  EXPECT_EQ(runs[0].models, (std::vector<std::string>{"conv6"}));
  EXPECT_EQ(store.latest_run_id(), "run-b");
}

TEST_F(StoreTest, CsvHasOneRowPerCaseWithQuoting) {
  RunRecord run = make_run("run-csv", "2026-11-22T10:00:00Z");
  std::ostringstream out;
  write_runs_csv({run}, out);
  const std::string csv = out.str();
  // Header + 2 rows, CRLF line ends.
  size_t lines = 0;
  for (size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", at + 2)) ++lines;
  EXPECT_EQ(lines, 3u);
  EXPECT_EQ(csv.rfind("run_id,model,", 0), 0u) << csv.substr(0, 80);
  EXPECT_NE(csv.find("\r\nrun-csv,conv6,cpu,"), std::string::npos);
  // The notes array ["a \"quoted\", note"] as compact JSON, CSV-quoted (quotes doubled).
  EXPECT_NE(csv.find(R"("[""a \""quoted\"", note""]")"), std::string::npos);
  // Nested objects become member columns: the cpu case's throughput median 100.
  const std::string header = csv.substr(0, csv.find("\r\n"));
  EXPECT_NE(header.find(",throughput.median,"), std::string::npos) << header;
  std::vector<std::string> names, cells;
  std::stringstream header_stream(header);
  for (std::string name; std::getline(header_stream, name, ',');) names.push_back(name);
  const size_t row_begin = csv.find("\r\n") + 2;
  // Split the first data row by hand, honouring quoted cells ("[3,32,32]").
  std::string cell;
  bool quoted = false;
  for (char ch : csv.substr(row_begin, csv.find("\r\n", row_begin) - row_begin)) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += ch;
    }
  }
  cells.push_back(cell);
  EXPECT_EQ(cells.size(), names.size());
  const size_t median_column = std::find(names.begin(), names.end(), "throughput.median") - names.begin();
  ASSERT_LT(median_column, cells.size());
  EXPECT_EQ(cells[median_column], "100.0");
}

TEST_F(StoreTest, UnknownRunIdsGiveClearErrors) {
  ResultStore store(path("s.db"));
  const std::string message = error_of([&] { store.load_run("nope"); });
  EXPECT_NE(message.find("no run with id 'nope'"), std::string::npos) << message;
  EXPECT_NE(message.find("effbench results list"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { store.delete_run("nope"); }).find("nope"), std::string::npos);
  EXPECT_NE(error_of([&] { store.add_case("nope", CaseRecord{}); }).find("nope"), std::string::npos);
  EXPECT_NE(error_of([&] { store.latest_run_id(); }).find("no runs"), std::string::npos);
}

TEST_F(StoreTest, DeleteRemovesRunAndCases) {
  ResultStore store(path("s.db"));
  store.import_run(make_run("keep", "2026-11-22T10:00:00Z"));
  store.import_run(make_run("drop", "2026-11-23T10:00:00Z"));
  store.delete_run("drop");
  ASSERT_EQ(store.list_runs().size(), 1u);
  EXPECT_EQ(store.list_runs()[0].run_id, "keep");
  EXPECT_THROW(store.load_run("drop"), Error);
  // The cases are gone as well (counted with the sqlite3 API directly).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path("s.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM cases", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 2);  // the 2 cases of "keep"
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(StoreTest, TwoConcurrentWritersLoseNothing) {
  const std::string db = path("shared.db");
  constexpr int kCases = 40;
  auto writer = [&](const std::string& run_id) {
    ResultStore store(db);  // its own connection
    RunRecord run = make_run(run_id, "2026-11-22T10:00:00Z");
    store.begin_run(run);
    for (int i = 0; i < kCases; ++i) {
      store.add_case(run_id, make_case("model" + std::to_string(i), "cpu", "infer", 100 + i));
    }
    store.finish_run(run_id, RunStatus::kComplete, "2026-11-22T10:05:00Z");
  };
  // Two processes (separate connections and locks, as two effbench runs) ...
  const pid_t first = fork();
  if (first == 0) {
    try {
      writer("process-1");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "writer process-1: %s\n", e.what());
      _exit(1);
    }
    _exit(0);
  }
  const int second = in_child([&] { writer("process-2"); });
  int status = 0;
  waitpid(first, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(second, 0);
  // ... and two threads of this one.
  std::thread t1(writer, "thread-1");
  std::thread t2(writer, "thread-2");
  t1.join();
  t2.join();

  ResultStore store(db);
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 4u);
  for (const auto& summary : runs) {
    EXPECT_EQ(summary.case_count, kCases) << summary.run_id;
    EXPECT_EQ(summary.status, "complete") << summary.run_id;
    const RunRecord run = store.load_run(summary.run_id);
    for (int i = 0; i < kCases; ++i) EXPECT_EQ(run.cases.at(i).model, "model" + std::to_string(i));
  }
}

TEST_F(StoreTest, KilledWriterLeavesFinishedCasesAndAnIncompleteRun) {
  const std::string db = path("killed.db");
  // The child begins a run, stores one case and dies without finishing.
  ASSERT_EQ(in_child([&] {
              ResultStore store(db);
              RunRecord run = make_run("killed-run", "2026-11-22T10:00:00Z");
              store.begin_run(run);
              store.add_case(run.run_id, run.cases[0]);
              _exit(0);  // no destructor, no finish_run
            }),
            0);
  ResultStore store(db);
  const auto runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "incomplete");
  EXPECT_EQ(runs[0].case_count, 1);
  const RunRecord run = store.load_run("killed-run");
  EXPECT_EQ(run.status, RunStatus::kIncomplete);
  EXPECT_EQ(run.finished_at, "");
  ASSERT_EQ(run.cases.size(), 1u);
  EXPECT_EQ(case_to_json(run.cases[0]), case_to_json(make_case("conv6", "cpu", "train", 100)));
}

TEST_F(StoreTest, RunningRunOfALiveWriterStaysRunningAndDestructionMarksItIncomplete) {
  const std::string db = path("live.db");
  {
    ResultStore writer(db);
    RunRecord run = make_run("live-run", "2026-11-22T10:00:00Z");
    writer.begin_run(run);
    writer.add_case(run.run_id, run.cases[0]);
    ResultStore reader(db);
    EXPECT_EQ(reader.list_runs().at(0).status, "running");
    // writer destroyed without finish_run (an exception unwound past it)
  }
  ResultStore store(db);
  EXPECT_EQ(store.list_runs().at(0).status, "incomplete");
  EXPECT_EQ(store.load_run("live-run").cases.size(), 1u);
}

TEST_F(StoreTest, CorruptedFileGivesAClearError) {
  const std::string db = path("garbage.db");
  const std::string line = "this is not a database at all\n";
  {
    std::ofstream out(db);
    for (int i = 0; i < 200; ++i) out << line;
  }
  const std::string message = error_of([&] { ResultStore store(db); });
  EXPECT_NE(message.find(db), std::string::npos) << message;
  EXPECT_NE(message.find("not an effbench results database"), std::string::npos) << message;
  // The file was left as it was.
  EXPECT_EQ(fs::file_size(db), 200u * line.size());
}

TEST_F(StoreTest, ForeignSqliteFileGivesAClearError) {
  const std::string db = path("foreign.db");
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle, "CREATE TABLE songs(title TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(handle);
  const std::string message = error_of([&] { ResultStore store(db); });
  EXPECT_NE(message.find(db), std::string::npos) << message;
  EXPECT_NE(message.find("another program"), std::string::npos) << message;
}

TEST_F(StoreTest, NewerStoreVersionGivesAClearError) {
  const std::string db = path("newer.db");
  { ResultStore store(db); }
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  const std::string pragma = "PRAGMA user_version = " + std::to_string(kStoreSchemaVersion + 1);
  ASSERT_EQ(sqlite3_exec(handle, pragma.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(handle);
  const std::string message = error_of([&] { ResultStore store(db); });
  EXPECT_NE(message.find(db), std::string::npos) << message;
  EXPECT_NE(message.find("newer effbench"), std::string::npos) << message;
}

TEST_F(StoreTest, ImportOfAnotherSchemaVersionOrMalformedJsonIsRefused) {
  const std::string other_version = path("v99.json");
  {
    nlohmann::json document = run_to_json(make_run("run-v99", "2026-11-22T10:00:00Z"));
    document["schema_version"] = 99;
    std::ofstream(other_version) << document.dump();
  }
  std::string message = error_of([&] { read_run_documents(other_version); });
  EXPECT_NE(message.find(other_version), std::string::npos) << message;
  EXPECT_NE(message.find("schema_version 99"), std::string::npos) << message;

  const std::string malformed = path("broken.json");
  std::ofstream(malformed) << "{\"tool\": \"effbench\", \"run_id\": ";
  message = error_of([&] { read_run_documents(malformed); });
  EXPECT_NE(message.find(malformed), std::string::npos) << message;
  EXPECT_NE(message.find("malformed JSON"), std::string::npos) << message;

  const std::string missing = path("missing.json");
  EXPECT_NE(error_of([&] { read_run_documents(missing); }).find(missing), std::string::npos);
}

TEST_F(StoreTest, FailedImportLeavesNothingBehind) {
  ResultStore store(path("s.db"));
  RunRecord run = make_run("dup-case", "2026-11-22T10:00:00Z");
  store.import_run(run);
  // A second store sees the finished import whole, never a part of it.
  ResultStore reader(path("s.db"));
  EXPECT_EQ(reader.load_run("dup-case").cases.size(), 2u);
  EXPECT_THROW(store.begin_run(run), Error);  // id exists already
  EXPECT_EQ(reader.list_runs().size(), 1u);
}

}  // namespace
}  // namespace effbench
