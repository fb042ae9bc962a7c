#include "results/json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "results/fields.h"
#include "results/store.h"

namespace effbench {
namespace {

CaseRecord sample_case() {
  CaseRecord c;
  c.model = "conv6";
  c.device = Device::parse("cpu", "test case");
  c.mode = Mode::kInfer;
  c.batch = 64;
  c.input_shape = {3, 32, 32};
  c.params = 2261546;
  c.flops_per_sample = 1.0e8;
  c.throughput = ThroughputSummary{"samples/s", 100, 5, 90, 110, 0.04, {90, 100, 110}};
  c.latency_ms = LatencyMs{1.5, 2.0, 3.0, 100};
  EnergyReading estimate;
  estimate.source = EnergySource::kEstimate;
  estimate.scope = "cpu-package";
  estimate.available = true;
  estimate.joules = 12.5;
  estimate.formula = "P x T";
  c.energy.push_back(estimate);
  c.memory.peak_rss_bytes = 123456789;
  c.notes.push_back("reduced");
  return c;
}

TEST(Json, CaseRoundTripKeepsEveryField) {
  const CaseRecord original = sample_case();
  const nlohmann::json j = case_to_json(original);
  EXPECT_EQ(j.at("model"), "conv6");
  EXPECT_EQ(j.at("throughput").at("median"), 100.0);
  EXPECT_EQ(j.at("latency_ms").at("p99"), 3.0);
  EXPECT_FALSE(j.contains("accuracy"));               // absent optional stays absent
  EXPECT_FALSE(j.contains("throughput_cv_display"));  // console-only field
  const CaseRecord back = case_from_json(j);
  EXPECT_EQ(case_to_json(back), j);
  EXPECT_EQ(back.memory.peak_rss_bytes.value(), 123456789);
  EXPECT_EQ(back.energy.at(0).formula, "P x T");
}

TEST(Json, DevicesAreReadAsDevicesAndAnUnknownOneIsNamed) {
  nlohmann::json j = case_to_json(sample_case());
  j["device"] = "cuda:3";
  EXPECT_EQ(case_from_json(j).device, Device::cuda(3));
  for (const nlohmann::json& bad : {nlohmann::json("tpu:0"), nlohmann::json("cuda:x"), nlohmann::json(7)}) {
    j["device"] = bad;
    try {
      case_from_json(j);
      FAIL() << "expected an error for device " << bad.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("device"), std::string::npos) << e.what();
      if (bad.is_string()) {
        EXPECT_NE(std::string(e.what()).find(bad.get<std::string>()), std::string::npos) << e.what();
      }
    }
  }
}

// Note [Checking imported documents]: each class of bad document is refused
// naming the file and the field; the expected texts are written by hand.
std::string import_error(const std::string& name, const std::string& text) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  try {
    read_run_documents(path);
  } catch (const Error& e) {
    std::filesystem::remove(path);
    std::string message = e.what();
    const std::string folder = path.substr(0, path.size() - name.size());
    if (message.rfind(folder, 0) == 0) message.erase(0, folder.size());  // the message as for a relative path
    return message;
  }
  std::filesystem::remove(path);
  return "accepted";
}

TEST(Json, ImportedDocumentsAreCheckedFieldByField) {
  RunRecord run;
  run.run_id = "r1";
  run.cases.push_back(sample_case());
  const nlohmann::json good = run_to_json(run);
  EXPECT_EQ(import_error("good.json", good.dump()), "accepted");

  // Found by fuzz/json_import_fuzz.cpp: a field of the wrong type outside a case escaped as nlohmann's error.
  const std::string tool = import_error("tool.json", R"({"tool": 0, "run_id": "x", "cases": []})");
  EXPECT_EQ(tool, "tool.json: not an effbench run document (expected an object with \"tool\": \"effbench\")");
  nlohmann::json j = good;
  j["cases"] = {{"model", "conv6"}};
  EXPECT_EQ(import_error("cases.json", j.dump()), "cases.json: cases: expected an array but got object");
  j = good;
  j["settings"]["repeats"] = "five";
  const std::string repeats = import_error("repeats.json", j.dump());
  EXPECT_NE(repeats.find("repeats.json: malformed run document: [json.exception.type_error.302]"),
            std::string::npos)
      << repeats;

  const std::string trailing = import_error("trailing.json", good.dump() + " {}");
  EXPECT_NE(trailing.find("trailing.json: malformed JSON"), std::string::npos) << trailing;

  j = good;
  j["schema_version"] = "1";
  EXPECT_EQ(import_error("version.json", j.dump()),
            "version.json: schema_version: expected the integer 1 but got \"1\"");

  j = good;
  j["cases"][0]["batch"] = 1e300;  // would overflow the int64_t it is read into
  EXPECT_EQ(import_error("huge.json", j.dump()),
            "huge.json.cases[0].batch: expected a finite number below 9.2e18 in size but got 1e+300");
  const std::string overflowing = import_error("overflow.json",
                                               "{\"tool\": \"effbench\", \"schema_version\": 1, "
                                               "\"run_id\": \"x\", \"cases\": [{\"timed_s\": 1e999}]}");
  EXPECT_NE(overflowing.find("overflow.json: malformed JSON"), std::string::npos) << overflowing;

  j = good;
  j["cases"][0]["batch"] = -3;
  EXPECT_EQ(import_error("batch.json", j.dump()),
            "batch.json: cases[0]: batch: expected a batch size >= 1 but got -3");

  j = good;
  j["cases"][0]["throughput"]["median"] = -1.0;
  const std::string median = import_error("median.json", j.dump());
  EXPECT_NE(median.find("median.json: cases[0]: throughput: expected median"), std::string::npos) << median;

  j = good;
  j["cases"][0]["params"] = "many";
  const std::string params = import_error("params.json", j.dump());
  EXPECT_NE(params.find("params.json: cases[0]: case field 'params'"), std::string::npos) << params;

  const auto directory = std::filesystem::temp_directory_path() / "effbench_import_dir";
  std::filesystem::create_directories(directory);
  try {
    read_run_documents(directory.string());
    FAIL() << "a directory was read as a document";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  std::filesystem::remove(directory);
}

TEST(Json, RunFileRoundTrip) {
  RunRecord run;
  run.run_id = "20261122T000000-test-abcdef";
  run.status = RunStatus::kComplete;
  run.system.cpu_model = "Test CPU";
  run.cases.push_back(sample_case());
  const auto path = (std::filesystem::temp_directory_path() / "effbench_run_test.json").string();
  write_run_json(run, path);
  const RunRecord back = read_run_json(path);
  EXPECT_EQ(run_to_json(back), run_to_json(run));
  std::filesystem::remove(path);
}

TEST(Json, RejectsForeignDocumentsAndOtherSchemaVersions) {
  EXPECT_THROW(run_from_json(nlohmann::json{{"hello", 1}}), Error);
  nlohmann::json j = run_to_json(RunRecord{});
  j["schema_version"] = kSchemaVersion + 1;
  try {
    run_from_json(j, "other.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("other.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(std::to_string(kSchemaVersion + 1)), std::string::npos);
  }
}

TEST(Json, MalformedCaseFieldNamesTheField) {
  nlohmann::json j = case_to_json(sample_case());
  j["batch"] = "sixty-four";
  try {
    case_from_json(j);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batch"), std::string::npos);
  }
}

TEST(Json, EveryConsoleColumnHasACell) {
  for (const auto& field : case_fields()) {
    if (!field.header.empty()) {
      EXPECT_TRUE(static_cast<bool>(field.cell)) << field.key;
    }
  }
}

}  // namespace
}  // namespace effbench

namespace effbench {
namespace {

CaseRecord command_case() {
  CaseRecord c;
  c.model = "command";
  c.batch = 0;
  c.timed_s = 2.5;
  CommandResult command;
  command.argv = {"python3", "train.py", "--epochs", "2"};
  command.exit_status = 130;
  command.signal = 2;
  command.wall_s = 2.5;
  command.cpu_user_s = 3.25;
  command.cpu_system_s = 0.5;
  command.rss_samples = 25;
  EnergyReading estimate;
  estimate.source = EnergySource::kEstimate;
  estimate.scope = "cpu-package";
  estimate.available = true;
  estimate.joules = 40;
  estimate.uncertainty_j = 10;
  command.phases.push_back(CommandPhase{"train", 0.25, 2.0, {estimate}});
  command.gpu_processes.push_back(GpuProcess{4242, int64_t{1} << 30, "compute"});
  c.command = command;
  c.memory.peak_rss_bytes = int64_t{300} << 20;
  return c;
}

TEST(Json, CommandCaseRoundTrip) {
  const nlohmann::json j = case_to_json(command_case());
  EXPECT_EQ(j.at("command").at("argv").size(), 4u);
  EXPECT_EQ(j.at("command").at("exit_status"), 130);
  EXPECT_EQ(j.at("command").at("phases").at(0).at("counted_energy").at("joules"), 40.0);
  EXPECT_EQ(j.at("command").at("phases").at(0).at("counted_energy").at("uncertainty_j"), 10.0);
  const CaseRecord back = case_from_json(j);
  EXPECT_EQ(case_to_json(back), j);
  ASSERT_TRUE(back.command);
  EXPECT_EQ(back.command->signal.value(), 2);
  EXPECT_EQ(back.command->phases.at(0).name, "train");
  EXPECT_EQ(back.command->gpu_processes.at(0).pid, 4242);
  EXPECT_FALSE(case_to_json(sample_case()).contains("command"));  // other kinds stay as they were
}

TEST(Json, ACommandCaseAloneMayHaveNoBatch) {
  RunRecord run;
  run.run_id = "r";
  run.cases = {command_case()};
  EXPECT_NO_THROW(run_from_json(run_to_json(run), "doc"));
  run.cases.front().command.reset();
  EXPECT_THROW(run_from_json(run_to_json(run), "doc"), Error);
  run.cases = {command_case()};
  run.cases.front().command->argv.clear();
  EXPECT_THROW(run_from_json(run_to_json(run), "doc"), Error);
}

}  // namespace
}  // namespace effbench
