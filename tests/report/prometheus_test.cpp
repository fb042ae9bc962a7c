// report/prometheus.h: the writer's output read back by a strict parser of
// the text format (prometheus_text_parser.h), with every expected value
// worked out by hand from the hand-made run below.

#include "report/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "prometheus_text_parser.h"

namespace effbench {
namespace {

using test::ParsedFamily;
using test::ParsedSample;
using test::PrometheusTextParser;

// A model name with a double quote, a backslash and a line feed.
const std::string kNastyModel = "con\"v\\6\nx";

EnergyReading reading(EnergySource source, const std::string& scope, const std::string& device, bool measured,
                      double joules, double uncertainty_j) {
  EnergyReading r;
  r.source = source;
  r.scope = scope;
  r.device = device;
  r.measured = measured;
  r.available = true;
  r.joules = joules;
  r.uncertainty_j = uncertainty_j;
  return r;
}

CaseRecord make_case(const std::string& model, const std::string& device, Mode mode, int64_t batch) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test");
  c.device_name = device == "cpu" ? "Test CPU" : "Test GPU";
  c.mode = mode;
  c.batch = batch;
  return c;
}

// Four cases: measured energy with a psys and an estimate beside it; a NaN
// throughput without energy; a failed case; a training case with only an estimate.
RunRecord hand_made_run() {
  RunRecord run;
  run.run_id = "20260101T000000-host-abcdef";
  run.status = RunStatus::kComplete;
  run.system.hostname = "host";
  run.system.effbench_version = "0.1.0";

  CaseRecord a = make_case(kNastyModel, "cpu", Mode::kTrain, 32);
  a.throughput = ThroughputSummary{"samples/s", 123.5, 0, 123.5, 123.5, 0, {123.5}};
  a.timed_iterations = 10;  // 10 x 32 = 320 samples
  a.timed_s = 2.5;
  a.energy = {reading(EnergySource::kRapl, "cpu-package", "package-0", true, 100, 3),
              reading(EnergySource::kRapl, "dram", "dram-0", true, 20, 4),
              reading(EnergySource::kRapl, "psys", "psys", true, 130, 1),  // holds the two above: not counted
              reading(EnergySource::kEstimate, "cpu-package", "cpu", false, 50, 25)};
  EnergyReading missing;
  missing.source = EnergySource::kNvmlEnergyCounter;
  missing.unavailable_reason = "no GPU";
  a.energy.push_back(missing);
  a.memory.peak_rss_bytes = 1048576;

  CaseRecord b = make_case("vgg16", "cpu", Mode::kInfer, 1);
  b.throughput = ThroughputSummary{"samples/s", std::nan(""), 0, 0, 0, 0, {}};
  b.latency_ms = LatencyMs{2, 3, 5, 100};

  CaseRecord c = make_case("resnet18", "cpu", Mode::kTrain, 32);
  c.status = CaseStatus::kFailed;
  c.error = "out of memory";

  CaseRecord d = make_case("conv6", "cuda:0", Mode::kTrain, 64);
  d.timed_s = 30;
  d.energy = {reading(EnergySource::kEstimate, "cpu-package", "cpu", false, 360, 180)};
  d.accuracy = AccuracyResult{};
  d.accuracy->dataset = "fashion-mnist";
  d.accuracy->metric = "test_accuracy";
  d.accuracy->value = 0.875;

  run.cases = {a, b, c, d};
  return run;
}

// A copy, so no reference outlives a temporary name (GCC 14's -Wdangling-reference).
ParsedFamily family(const std::vector<ParsedFamily>& families, const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return f;
  }
  throw std::runtime_error("no family " + name);
}

// The one sample of `name` whose labels include `labels`.
double value_of(const std::vector<ParsedFamily>& families, const std::string& name,
                const std::map<std::string, std::string>& labels) {
  const ParsedFamily named = family(families, name);
  const ParsedSample* found = nullptr;
  for (const auto& s : named.samples) {
    bool match = true;
    for (const auto& [key, value] : labels) {
      const auto it = s.labels.find(key);
      match = match && it != s.labels.end() && it->second == value;
    }
    if (!match) continue;
    if (found != nullptr) throw std::runtime_error("two samples of " + name + " match");
    found = &s;
  }
  if (found == nullptr) throw std::runtime_error("no sample of " + name + " matches");
  return found->value;
}

TEST(PrometheusTextParser, RefusesWhatTheFormatForbids) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no TYPE", "x 1\n"},
      {"unescaped quote", "# TYPE x gauge\nx{a=\"b\"c\"} 1\n"},
      {"duplicate series", "# TYPE x gauge\nx{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 2\n"},
      {"interleaved", "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"2\"} 1\n"},
      {"TYPE of another family between", "# TYPE x gauge\n# TYPE y gauge\nx 1\n"},
      {"bad metric name", "# TYPE 1x gauge\n1x 1\n"},
      {"bad label name", "# TYPE x gauge\nx{a-b=\"1\"} 1\n"},
      {"unknown escape", "# TYPE x gauge\nx{a=\"\\t\"} 1\n"},
      {"raw line feed in a label value", "# TYPE x gauge\nx{a=\"b\nc\"} 1\n"},
      {"no final line feed", "# TYPE x gauge\nx 1"},
      {"timestamp", "# TYPE x gauge\nx 1 1700000000\n"},
      {"not a number", "# TYPE x gauge\nx 1,5\n"},
      {"nan spelt otherwise", "# TYPE x gauge\nx nan\n"},
      {"TYPE after samples", "# TYPE x gauge\nx 1\n# TYPE x gauge\n"},
      {"two HELPs", "# HELP x a\n# HELP x b\n# TYPE x gauge\nx 1\n"},
      {"unknown type", "# TYPE x gauges\nx 1\n"},
      {"label given twice", "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n"},
  };
  for (const auto& [why, text] : bad)
    EXPECT_THROW(PrometheusTextParser::parse(text), std::runtime_error) << why;
  const auto good = PrometheusTextParser::parse(
      "# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{a=\"q\\\"\\\\\\n\",} NaN\nx -Inf\n\n# other comment\n");
  ASSERT_EQ(good.size(), 1u);
  EXPECT_EQ(good[0].help, "a \\ b\nc");
  ASSERT_EQ(good[0].samples.size(), 2u);
  EXPECT_EQ(good[0].samples[0].labels.at("a"), "q\"\\\n");
  EXPECT_TRUE(std::isnan(good[0].samples[0].value));
  EXPECT_EQ(good[0].samples[1].value, -INFINITY);
}

TEST(Prometheus, ValuesReadBackAsGoFloats) {
  EXPECT_EQ(prometheus_value(0.1), "0.1");
  EXPECT_EQ(prometheus_value(3), "3");
  EXPECT_EQ(prometheus_value(1e21), "1e+21");
  EXPECT_EQ(prometheus_value(std::nan("")), "NaN");
  EXPECT_EQ(prometheus_value(INFINITY), "+Inf");
  EXPECT_EQ(prometheus_value(-INFINITY), "-Inf");
  EXPECT_EQ(prometheus_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Prometheus, HandMadeRunReadsBackStrictly) {
  const std::string text = run_to_prometheus(hand_made_run());
  std::vector<ParsedFamily> families;
  ASSERT_NO_THROW(families = PrometheusTextParser::parse(text)) << text;

  // Every family is a gauge, with HELP, in this order (no family without a value).
  std::vector<std::string> names;
  for (const auto& f : families) {
    names.push_back(f.name);
    EXPECT_EQ(f.type, "gauge") << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "effbench_run_info", "effbench_case_ok", "effbench_throughput_samples_per_second",
                       "effbench_latency_seconds", "effbench_case_duration_seconds",
                       "effbench_case_energy_joules", "effbench_case_energy_uncertainty_joules",
                       "effbench_energy_joules", "effbench_energy_uncertainty_joules",
                       "effbench_energy_per_sample_joules", "effbench_energy_per_sample_uncertainty_joules",
                       "effbench_peak_memory_bytes", "effbench_accuracy_ratio"}));

  // The label set of each family is the same for every sample (Note [Prometheus series]).
  const std::set<std::string> case_keys = {"model",     "device", "device_name", "mode",
                                           "precision", "exec",   "batch"};
  const std::map<std::string, std::set<std::string>> extra = {
      {"effbench_latency_seconds", {"quantile"}},
      {"effbench_case_energy_joules", {"measured"}},
      {"effbench_case_energy_uncertainty_joules", {"measured"}},
      {"effbench_energy_per_sample_joules", {"measured"}},
      {"effbench_energy_per_sample_uncertainty_joules", {"measured"}},
      {"effbench_energy_joules", {"source", "scope", "sensor", "basis", "measured", "counted", "rank"}},
      {"effbench_energy_uncertainty_joules",
       {"source", "scope", "sensor", "basis", "measured", "counted", "rank"}},
      {"effbench_peak_memory_bytes", {"kind"}},
      {"effbench_accuracy_ratio", {"dataset"}}};
  for (const auto& f : families) {
    if (f.name == "effbench_run_info") continue;
    std::set<std::string> want = case_keys;
    if (extra.count(f.name)) want.insert(extra.at(f.name).begin(), extra.at(f.name).end());
    for (const auto& s : f.samples) {
      std::set<std::string> keys;
      for (const auto& [key, value] : s.labels) keys.insert(key);
      EXPECT_EQ(keys, want) << f.name;
    }
  }

  EXPECT_EQ(
      value_of(
          families, "effbench_run_info",
          {{"run_id", "20260101T000000-host-abcdef"}, {"status", "complete"}, {"effbench_version", "0.1.0"}}),
      1);
  // The nasty name comes back whole, and is escaped in the text.
  EXPECT_NE(text.find("model=\"con\\\"v\\\\6\\nx\""), std::string::npos) << text;
  const std::map<std::string, std::string> a = {{"model", kNastyModel}, {"device", "cpu"},
                                                {"mode", "train"},      {"batch", "32"},
                                                {"precision", "fp32"},  {"exec", "eager"}};
  EXPECT_EQ(value_of(families, "effbench_case_ok", a), 1);
  EXPECT_EQ(value_of(families, "effbench_case_ok", {{"model", "resnet18"}}), 0);  // the failed case
  EXPECT_EQ(value_of(families, "effbench_case_ok", {{"model", "vgg16"}}), 1);
  EXPECT_EQ(value_of(families, "effbench_throughput_samples_per_second", a), 123.5);
  EXPECT_TRUE(std::isnan(value_of(families, "effbench_throughput_samples_per_second", {{"model", "vgg16"}})));
  EXPECT_DOUBLE_EQ(value_of(families, "effbench_latency_seconds", {{"model", "vgg16"}, {"quantile", "0.5"}}),
                   0.002);
  EXPECT_DOUBLE_EQ(value_of(families, "effbench_latency_seconds", {{"model", "vgg16"}, {"quantile", "0.99"}}),
                   0.005);
  EXPECT_EQ(value_of(families, "effbench_case_duration_seconds", a), 2.5);
  EXPECT_EQ(value_of(families, "effbench_case_duration_seconds", {{"model", "conv6"}}), 30);

  // Counted energy: package 100 J + dram 20 J (psys holds them, the estimate is never added); 3 and 4 J in
  // quadrature = 5 J. The training case has only its estimate: 360 +- 180 J, measured="false".
  EXPECT_EQ(value_of(families, "effbench_case_energy_joules", a), 120);
  EXPECT_EQ(family(families, "effbench_case_energy_joules").samples[0].labels.at("measured"), "true");
  EXPECT_EQ(value_of(families, "effbench_case_energy_uncertainty_joules", a), 5);
  EXPECT_EQ(value_of(families, "effbench_case_energy_joules", {{"model", "conv6"}, {"measured", "false"}}),
            360);
  EXPECT_EQ(value_of(families, "effbench_case_energy_uncertainty_joules", {{"model", "conv6"}}), 180);
  EXPECT_EQ(family(families, "effbench_case_energy_joules").samples.size(), 2u);  // vgg16 and resnet18: none
  // Per sample: 120 J / (10 x 32) = 0.375 J, 5 J / 320 = 0.015625 J; conv6 timed no samples: none.
  EXPECT_EQ(value_of(families, "effbench_energy_per_sample_joules", a), 0.375);
  EXPECT_EQ(value_of(families, "effbench_energy_per_sample_uncertainty_joules", a), 0.015625);
  EXPECT_EQ(family(families, "effbench_energy_per_sample_joules").samples.size(), 1u);

  // Readings: the four available ones of the first case and the training case's estimate.
  EXPECT_EQ(family(families, "effbench_energy_joules").samples.size(), 5u);
  EXPECT_EQ(value_of(families, "effbench_energy_joules", {{"scope", "psys"}, {"counted", "false"}}), 130);
  EXPECT_EQ(
      value_of(families, "effbench_energy_joules",
               {{"model", kNastyModel}, {"source", "estimate"}, {"measured", "false"}, {"counted", "true"}}),
      50);
  EXPECT_EQ(
      value_of(
          families, "effbench_energy_joules",
          {{"source", "rapl"}, {"scope", "dram"}, {"sensor", "dram-0"}, {"basis", "gross"}, {"rank", ""}}),
      20);
  EXPECT_EQ(value_of(families, "effbench_energy_uncertainty_joules", {{"scope", "dram"}}), 4);

  EXPECT_EQ(value_of(families, "effbench_peak_memory_bytes", {{"kind", "rss"}}), 1048576);
  EXPECT_EQ(value_of(families, "effbench_accuracy_ratio",
                     {{"model", "conv6"}, {"device", "cuda:0"}, {"dataset", "fashion-mnist"}}),
            0.875);
}

TEST(Prometheus, ARunWithoutCasesIsItsInfoAlone) {
  RunRecord run;
  run.run_id = "empty";
  const std::string text = run_to_prometheus(run);
  EXPECT_EQ(text,
            "# HELP effbench_run_info The run these figures come from; always 1.\n"
            "# TYPE effbench_run_info gauge\n"
            "effbench_run_info{run_id=\"empty\",status=\"running\",host=\"\",effbench_version=\"\"} 1\n");
}

TEST(Prometheus, ACommandCaseHasNoModeOrBatch) {
  RunRecord run;
  run.run_id = "monitor";
  CaseRecord c;
  c.model = "command";
  c.timed_s = 4;
  c.command = CommandResult{};
  run.cases.push_back(c);
  const std::vector<ParsedFamily> families = PrometheusTextParser::parse(run_to_prometheus(run));
  const auto labels = family(families, "effbench_case_duration_seconds").samples.at(0).labels;
  EXPECT_EQ(labels.at("model"), "command");
  for (const char* key : {"mode", "precision", "exec", "batch"}) EXPECT_EQ(labels.at(key), "") << key;
  EXPECT_EQ(value_of(families, "effbench_case_duration_seconds", {{"model", "command"}}), 4);
}

TEST(Prometheus, RefusesTwoCasesWithTheSameLabels) {
  RunRecord run = hand_made_run();
  run.cases.push_back(run.cases[1]);
  try {
    run_to_prometheus(run);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model=\"vgg16\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(run.run_id), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace effbench
