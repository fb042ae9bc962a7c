// The console and the HTML report show the same derived figures: one set of
// records goes to both renderers, and every row of the console's speedup,
// exec-mode and efficiency tables must appear, cell for cell, in a table of
// the HTML page; the key figures are also checked against hand values.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/compare.h"
#include "analysis/efficiency.h"
#include "fixture_runs.h"
#include "report/console.h"
#include "report/html.h"

namespace effbench {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string unescape(std::string text) {
  const std::vector<std::pair<std::string, std::string>> entities = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

// Every <tr> of the page as its cells' text (header cells included).
Rows html_rows(const std::string& page) {
  Rows rows;
  const std::regex row_re("<tr>(.*?)</tr>"), cell_re("<t[dh]>(.*?)</t[dh]>");
  for (std::sregex_iterator r(page.begin(), page.end(), row_re), end; r != end; ++r) {
    const std::string row = (*r)[1];
    rows.emplace_back();
    for (std::sregex_iterator c(row.begin(), row.end(), cell_re); c != end; ++c)
      rows.back().push_back(unescape(std::regex_replace(std::string((*c)[1]), std::regex("<[^>]*>"), "")));
  }
  return rows;
}

// The header and body rows of a console table (render_table): cells are
// separated by two or more spaces; the rule line and the notes are skipped.
Rows console_rows(const std::string& text) {
  Rows rows;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line.empty() || line[0] == '-' || line[0] == ' ') continue;
    rows.emplace_back();
    const std::regex gap(" {2,}");
    for (std::sregex_token_iterator t(line.begin(), line.end(), gap, -1), e; t != e; ++t)
      rows.back().push_back(*t);
  }
  return rows;
}

bool contains(const Rows& rows, const std::vector<std::string>& row) {
  return std::find(rows.begin(), rows.end(), row) != rows.end();
}

// The last row that starts with `prefix` (the inference speedup table
// follows the training one).
std::vector<std::string> row_starting(const Rows& rows, const std::vector<std::string>& prefix) {
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const auto& row = *it;
    if (row.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), row.begin())) return row;
  }
  return {};
}

TEST(ConsoleHtmlIdentity, SameSpeedupExecModeAndEfficiencyFigures) {
  const RunRecord run = fixture::make_multi_exec_run();
  const std::string page = html_report({run});
  const Rows html = html_rows(page);

  std::string console;
  for (const auto& table : study_speedup_tables({run})) console += speedup_text(table);
  console += exec_mode_text(run.cases);
  const GqiSettings gqi;  // the HTML report uses the default settings
  console += efficiency_table_text(case_efficiencies(run.cases, gqi), gqi);
  const Rows shown = console_rows(console);
  ASSERT_GE(shown.size(), 10u);
  for (const auto& row : shown) {
    std::string joined;
    for (const auto& cell : row) joined += "[" + cell + "]";
    EXPECT_TRUE(contains(html, row)) << "console row not in the HTML report: " << joined;
  }

  // Hand values. Training: 12000 / 400 = 30x. Inference, like with like: eager 40000 / 1500 = 26.67x, fused
  // 44000 / 1800 = 24.44x; graph has no cpu baseline: "-" (never 60000 / 1500).
  EXPECT_EQ(shown.at(1), (std::vector<std::string>{"conv6", "eager", "fp32", "1x", "30.00x"}));
  const auto eager = row_starting(shown, {"conv6", "eager", "fp32", "1x"});
  ASSERT_EQ(eager.size(), 5u);
  EXPECT_EQ(eager[4], "26.67x");
  EXPECT_EQ(row_starting(shown, {"conv6", "fused", "fp32", "1x"}).at(4), "24.44x");
  EXPECT_EQ(row_starting(shown, {"conv6", "graph", "fp32", "-"}).at(4), "-");
  // Exec modes on cuda:0: fused 44000 / 40000 = 1.1x, graph 60000 / 40000 = 1.5x.
  const auto cuda = row_starting(shown, {"conv6", "cuda:0", "infer", "fp32"});
  ASSERT_FALSE(cuda.empty());
  EXPECT_NE(std::find(cuda.begin(), cuda.end(), "1.1x"), cuda.end());
  EXPECT_NE(std::find(cuda.begin(), cuda.end(), "1.5x"), cuda.end());
  // Energy: the gpu counter's 1500 J, without the cross-check (1490 J) or
  // psys (5000 J); the cpu case's 9000 J estimate. Both on the Pareto front
  // (0.90 for 1500 J dominates nothing cheaper; 0.80 for 9000 J is dominated).
  const auto gpu_train = row_starting(shown, {"conv6", "cuda:0", "90.00%"});
  ASSERT_EQ(gpu_train.size(), 11u);
  EXPECT_EQ(gpu_train[4], "1500 meas.");
  EXPECT_EQ(gpu_train[10], "yes");
  const auto cpu_train = row_starting(shown, {"conv6", "cpu", "80.00%"});
  ASSERT_EQ(cpu_train.size(), 11u);
  EXPECT_EQ(cpu_train[4], "9000 est.");
  EXPECT_EQ(cpu_train[10], "no");

  // The accuracy chart plots the same energies and front.
  const std::string open = "id=\"effbench-specs\">";
  const size_t from = page.find(open) + open.size();
  const auto specs = nlohmann::json::parse(page.substr(from, page.find("</script>", from) - from));
  bool found = false;
  for (const auto& item : specs) {
    const auto& spec = item.at("spec");
    if (spec.at("title").get<std::string>().find("vs energy") == std::string::npos) continue;
    found = true;
    const auto& front = spec.at("layer").at(0).at("data").at("values");
    ASSERT_EQ(front.size(), 1u);
    EXPECT_EQ(front.at(0).at("energy_j"), 1500.0);
    const auto& points = spec.at("layer").at(1).at("data").at("values");
    ASSERT_EQ(points.size(), 2u);
    EXPECT_EQ(points.at(0).at("energy_j"), 1500.0);
    EXPECT_EQ(points.at(0).at("kind"), "measured");
    EXPECT_EQ(points.at(1).at("energy_j"), 9000.0);
    EXPECT_EQ(points.at(1).at("kind"), "estimated");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace effbench
