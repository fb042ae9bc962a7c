// Note [Outputs apart]: the database and the JSON document are saved
// independently, so a JSON write that fails loses nothing measured.

#include "results/run_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

#include "core/error.h"

namespace effbench {
namespace {

namespace fs = std::filesystem;

CaseRecord measured_case(const std::string& model) {
  CaseRecord c;
  c.model = model;
  c.batch = 8;
  c.throughput = ThroughputSummary{"samples/s", 100, 1, 99, 101, 0.01, {99, 100, 101}};
  return c;
}

TEST(RunSink, AFailedJsonWriteKeepsEveryCaseInTheDatabase) {
  const fs::path dir = fs::temp_directory_path() / ("effbench-sink-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "json");
  const std::string db = (dir / "results.db").string();
  const std::string json = (dir / "json" / "run.json").string();
  RunRecord run;
  run.run_id = "sink-test";
  run.status = RunStatus::kRunning;
  {
    RunSink sink(json, db);
    sink.save(run);
    EXPECT_FALSE(sink.document_error());
    fs::remove_all(dir / "json");  // the JSON's file system goes away (a full disk fails the same way)
    for (const char* model : {"conv6", "vgg16"}) {
      run.cases.push_back(measured_case(model));
      EXPECT_NO_THROW(sink.save(run));
      ASSERT_TRUE(sink.document_error());
      EXPECT_NE(sink.document_error()->find("--json " + json), std::string::npos) << *sink.document_error();
    }
    run.status = RunStatus::kComplete;
    sink.save(run);
  }
  const RunRecord stored = ResultStore(db).load_run("sink-test");
  ASSERT_EQ(stored.cases.size(), 2u);
  EXPECT_EQ(stored.cases[1].model, "vgg16");
  EXPECT_EQ(stored.status, RunStatus::kComplete);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();  // no temporary file left behind
  }
  fs::remove_all(dir);
}

TEST(RunSink, RefusesAJsonPathItCannotWriteBeforeTheDatabaseBeginsTheRun) {
  const fs::path dir = fs::temp_directory_path() / ("effbench-sink-early-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "results.db").string();
  EXPECT_THROW(RunSink((dir / "missing" / "run.json").string(), db), Error);
  EXPECT_TRUE(ResultStore(db).list_runs().empty());
  fs::remove_all(dir);
}

TEST(RunSink, ADocumentThatFailsLeavesTheOthersAndTheDatabase) {
  const fs::path dir = fs::temp_directory_path() / ("effbench-sink-docs-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "results.db").string();
  const std::string json = (dir / "run.json").string();
  const std::string prom = (dir / "run.prom").string();
  const std::string counts = (dir / "counts.txt").string();
  RunRecord run;
  run.run_id = "sink-docs";
  {
    // One printer refuses the second case; another writes the case count.
    RunSink sink(
        json, db,
        {{"--prometheus", prom,
          [](const RunRecord& r) {
            check(r.cases.size() < 2, "cannot print two cases");
            return std::string("cases ") + std::to_string(r.cases.size()) + "\n";
          }},
         {"--counts", counts, [](const RunRecord& r) { return std::to_string(r.cases.size()) + "\n"; }}});
    sink.save(run);
    EXPECT_FALSE(sink.document_error());
    run.cases.push_back(measured_case("conv6"));
    sink.save(run);
    EXPECT_FALSE(sink.document_error());
    run.cases.push_back(measured_case("vgg16"));
    run.status = RunStatus::kComplete;
    sink.save(run);
    ASSERT_TRUE(sink.document_error());
    EXPECT_EQ(*sink.document_error(), "--prometheus " + prom + ": cannot print two cases");
  }
  EXPECT_EQ(ResultStore(db).load_run("sink-docs").cases.size(), 2u);
  std::ifstream prom_in(prom), counts_in(counts);
  const std::string prom_text((std::istreambuf_iterator<char>(prom_in)), std::istreambuf_iterator<char>());
  const std::string counts_text((std::istreambuf_iterator<char>(counts_in)),
                                std::istreambuf_iterator<char>());
  EXPECT_EQ(prom_text, "cases 1\n");  // the last good file stays whole
  EXPECT_EQ(counts_text, "2\n");
  fs::remove_all(dir);
}

TEST(RunSink, RefusesADocumentPathItCannotWriteBeforeTheDatabaseBeginsTheRun) {
  const fs::path dir = fs::temp_directory_path() / ("effbench-sink-doc-early-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "results.db").string();
  const auto render = [](const RunRecord&) { return std::string(); };
  EXPECT_THROW(RunSink("", db, {{"--prometheus", (dir / "missing" / "run.prom").string(), render}}), Error);
  EXPECT_TRUE(ResultStore(db).list_runs().empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace effbench
