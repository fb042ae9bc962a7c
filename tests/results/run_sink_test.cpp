// Note [Outputs apart]: the database and the JSON document are saved
// independently, so a JSON write that fails loses nothing measured.

#include "results/run_sink.h"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace effbench
