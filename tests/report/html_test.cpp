#include "report/html.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fixture_runs.h"
#include "report/vega_assets.h"
#include "results/store.h"

namespace effbench {
namespace {

namespace fs = std::filesystem;

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The JSON island with the chart specs, parsed back.
nlohmann::json chart_specs(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"effbench-specs\">";
  const size_t begin = page.find(open);
  EXPECT_NE(begin, std::string::npos);
  const size_t end = page.find("</script>", begin);
  return nlohmann::json::parse(page.substr(begin + open.size(), end - begin - open.size()));
}

TEST(HtmlEscape, EscapesMarkupAndScriptBreakers) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(script_safe_json(R"({"m":"</script>&"})"), R"({"m":"\u003c/script\u003e\u0026"})");
  // U+2028 (bytes e2 80 a8) becomes \u2028; the escaped JSON parses to the same value.
  const std::string raw = nlohmann::json{{"m", "a\xe2\x80\xa8z</script>"}}.dump();
  EXPECT_EQ(nlohmann::json::parse(script_safe_json(raw)), nlohmann::json::parse(raw));
  EXPECT_EQ(script_safe_json(raw).find('\xe2'), std::string::npos);
}

TEST(HtmlReport, EmbedsTheVendoredScriptsByteForByte) {
  // The generated source must reproduce the vendored files exactly.
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"vega.min.js", vega_js()},
                                   {"vega-lite.min.js", vega_lite_js()},
                                   {"vega-embed.min.js", vega_embed_js()}}) {
    const std::string vendored = read_file(std::string(EFFBENCH_SOURCE_DIR) + "/third_party/vega/" + name);
    ASSERT_FALSE(vendored.empty()) << name;
    EXPECT_EQ(text.size(), vendored.size()) << name;
    EXPECT_TRUE(text == vendored) << name;
  }
}

TEST(HtmlReport, GeneratedFromStoredRuns) {
  const fs::path dir = fs::temp_directory_path() / ("effbench_html_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const RunRecord original = fixture::make_run();
  {
    ResultStore store((dir / "results.db").string());
    store.begin_run(original);
    for (const auto& c : original.cases) store.add_case(original.run_id, c);
    store.finish_run(original.run_id, RunStatus::kComplete, original.finished_at);
  }
  ResultStore store((dir / "results.db").string());
  const RunRecord stored = store.load_run(store.latest_run_id());
  const std::string path = (dir / "report.html").string();
  write_html_report({stored}, path);
  const std::string page = read_file(path);
  fs::remove_all(dir);

  // Self-contained: scripts inline, nothing loaded from elsewhere.
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(page, "<script src"), 0u);
  EXPECT_EQ(count(page, "<link"), 0u);
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(page.find(vega_embed_js()), std::string::npos);

  // The evil model name never closes a script: exactly our 6 script elements
  // (error capture, 3 libraries, the JSON island, the page script) close.
  EXPECT_EQ(count(page, "</script>"), 6u);
  EXPECT_EQ(count(page, "<script>alert(1)"), 0u);
  EXPECT_NE(page.find("evil&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);

  // Every section is there with data.
  for (const char* section : {"id=\"system\"", "id=\"speedup\"", "id=\"throughput\"", "id=\"energy\"",
                              "id=\"accuracy\"", "id=\"power\"", "id=\"memory\""}) {
    EXPECT_NE(page.find(section), std::string::npos) << section;
  }
  EXPECT_NE(page.find("Test CPU 8-core @ 3.0GHz"), std::string::npos);
  EXPECT_NE(page.find("class=\"measured\">measured"), std::string::npos);
  EXPECT_NE(page.find("class=\"estimated\">estimated"), std::string::npos);
  EXPECT_NE(page.find("run as root"), std::string::npos);  // unavailable sensor reason

  const auto specs = chart_specs(page);
  // speedup 2 + throughput 2 + latency 1 + energy 1 + accuracy 1 + power 8
  // (one per successful cuda case: 4 models x 2 modes) + memory 1.
  EXPECT_EQ(specs.size(), 16u);
  // The failed case is listed with its error, not drawn.
  EXPECT_NE(page.find("CUDA out of memory"), std::string::npos);
  EXPECT_EQ(count(page, "<div class=\"chart\""), specs.size());
  // Speedup of conv6 inference on cuda:0: 40000 / 1500 = 26.67x, log axis.
  const auto& infer_speedup = specs.at(1).at("spec");
  EXPECT_EQ(infer_speedup.at("title"), "Inference speedup over cpu");
  EXPECT_EQ(infer_speedup.at("layer").at(0).at("encoding").at("y").at("scale").at("type"), "log");
  bool found = false;
  for (const auto& v : infer_speedup.at("data").at("values")) {
    if (v.at("model") == "conv6" && v.at("device") == "cuda:0") {
      EXPECT_NEAR(v.at("speedup").get<double>(), 40000.0 / 1500.0, 1e-9);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  // Pareto front of accuracy vs energy: (300, .55), (1500, .82), (5000, .93);
  // the cpu case (9000 J, .80) is dominated.
  const auto& front = specs.at(6).at("spec").at("layer").at(0).at("data").at("values");
  ASSERT_EQ(front.size(), 3u);
  EXPECT_EQ(front.at(0).at("energy_j"), 300.0);
  EXPECT_EQ(front.at(2).at("value"), 0.93);
  // The speedup table shows 26.67x for conv6 inference.
  EXPECT_NE(page.find("26.67x"), std::string::npos);
}

TEST(HtmlReport, RunWithoutEnergyOrAccuracySaysSo) {
  RunRecord run = fixture::make_run();
  for (auto& c : run.cases) {
    c.energy.clear();
    c.power_timeline.clear();
    c.accuracy.reset();
    c.memory = MemoryUsage{};
  }
  const std::string page = html_report({run});
  EXPECT_NE(page.find("No energy readings in these runs."), std::string::npos);
  EXPECT_NE(page.find("No training runs to a result"), std::string::npos);
  EXPECT_NE(page.find("No power timelines"), std::string::npos);
  EXPECT_NE(page.find("No memory figures"), std::string::npos);
  EXPECT_EQ(chart_specs(page).size(), 5u);  // speedup 2, throughput 2, latency 1
}

TEST(HtmlReport, UnwritablePathNamesThePath) {
  try {
    write_html_report({fixture::make_run()}, "/nonexistent-dir/x/report.html");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/report.html"), std::string::npos) << e.what();
  }
  EXPECT_THROW(html_report({}), Error);
}

}  // namespace
}  // namespace effbench
