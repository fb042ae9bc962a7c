#include "analysis/trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "analysis/catalog.h"
#include "core/error.h"

namespace effbench {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Csv, ParsesQuotesCommentsAndCrlf) {
  const CsvTable t = parse_csv(
      "# a comment\r\n"
      "year,name,value\r\n"
      "\r\n"
      "2012,\"K20X, Kepler\",6\r\n"
      "2013,\"say \"\"hi\"\"\",12.5\n"
      "2014,\"two\nlines\",24",
      "mem.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"year", "name", "value"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].line, 4);
  EXPECT_EQ(t.rows[0].cells[1], "K20X, Kepler");
  EXPECT_EQ(t.rows[1].cells[1], "say \"hi\"");
  EXPECT_EQ(t.rows[2].cells[1], "two\nlines");
  EXPECT_EQ(t.rows[2].line, 6);
  EXPECT_EQ(t.numbers("value"), (std::vector<double>{6, 12.5, 24}));
}

TEST(Csv, MalformedInputNamesFileLineColumnAndValue) {
  const std::string bad_number =
      error_of([] { parse_csv("year,memory_gb\n2012,6\n2013,12GB\n", "mem.csv").numbers("memory_gb"); });
  EXPECT_NE(bad_number.find("mem.csv:3"), std::string::npos) << bad_number;
  EXPECT_NE(bad_number.find("'memory_gb' (column 2)"), std::string::npos) << bad_number;
  EXPECT_NE(bad_number.find("'12GB'"), std::string::npos) << bad_number;

  const std::string ragged = error_of([] { parse_csv("a,b\n1,2\n3,4,5\n", "r.csv"); });
  EXPECT_NE(ragged.find("r.csv:3"), std::string::npos) << ragged;
  EXPECT_NE(ragged.find("3 cells"), std::string::npos) << ragged;

  const std::string unclosed = error_of([] { parse_csv("a,b\n1,\"open\n", "q.csv"); });
  EXPECT_NE(unclosed.find("q.csv:2: column 2"), std::string::npos) << unclosed;

  const std::string stray = error_of([] { parse_csv("a,b\n1,ab\"c\n", "s.csv"); });
  EXPECT_NE(stray.find("s.csv:2: column 2"), std::string::npos) << stray;

  const std::string duplicate = error_of([] { parse_csv("a,a\n1,2\n", "d.csv"); });
  EXPECT_NE(duplicate.find("repeats the name 'a'"), std::string::npos) << duplicate;

  const std::string empty_cell = error_of([] { parse_csv("a,b\n1,\n", "e.csv").numbers("b"); });
  EXPECT_NE(empty_cell.find("e.csv:2: column 'b'"), std::string::npos) << empty_cell;

  const std::string missing = error_of([] { parse_csv("a,b\n1,2\n", "m.csv").column("c"); });
  EXPECT_NE(missing.find("no column 'c'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("a, b"), std::string::npos) << missing;

  EXPECT_THROW(parse_csv("# only a comment\n", "c.csv"), Error);
  EXPECT_THROW(read_csv_file("/nonexistent/effbench.csv"), Error);
  EXPECT_THROW(parse_csv("a\ninf\n", "i.csv").numbers("a"), Error);
}

TEST(Csv, SelectRowsKeepsMatchingRowsAndTheirLines) {
  const CsvTable t = parse_csv("kind,gb\ngpu,1\ntpu,2\ngpu,3\n", "k.csv");
  const CsvTable gpus = select_rows(t, "kind", "gpu");
  ASSERT_EQ(gpus.rows.size(), 2u);
  EXPECT_EQ(gpus.rows[1].line, 4);
  EXPECT_EQ(gpus.numbers("gb"), (std::vector<double>{1, 3}));
  EXPECT_THROW(select_rows(t, "vendor", "x"), Error);
}

TEST(Trend, FitsAndProjectsAFileTheTestWrote) {
  // y = 10 + 2 (x - 2000) exactly: projection at 2030 is 70 with a
  // zero-width interval (no residual).
  const std::string path = std::string(EFFBENCH_BINARY_DIR) + "/trend_test_line.csv";
  {
    std::ofstream out(path);
    out << "year,gb\n";
    for (int year = 2010; year <= 2020; ++year) out << year << "," << 10 + 2 * (year - 2000) << "\n";
  }
  TrendOptions options;
  options.y_column = "gb";
  options.to_x = {2030};
  const TrendResult r = compute_trend(read_csv_file(path), options);
  std::remove(path.c_str());
  EXPECT_EQ(r.fit.degree, 1);
  ASSERT_EQ(r.projections.size(), 1u);
  EXPECT_NEAR(r.projections[0].y, 70, 1e-9);
  EXPECT_NEAR(r.projections[0].upper - r.projections[0].lower, 0, 1e-6);
  EXPECT_FALSE(r.candidates.empty());
}

TEST(Trend, ShippedAcceleratorMemoryDataFits) {
  const CsvTable table = read_csv_file(std::string(EFFBENCH_SOURCE_DIR) + "/data/accelerator_memory.csv");
  TrendOptions options;
  options.to_x = {2030};
  const TrendResult r = compute_trend(table, options);
  ASSERT_EQ(r.projections.size(), 1u);
  const Prediction& p = r.projections[0];
  EXPECT_TRUE(p.extrapolated);
  EXPECT_LT(p.lower, p.y);
  EXPECT_GT(p.upper, p.y);
  // Capacity has grown: the fit at 2030 exceeds the 2012 K20X's 6 GB.
  EXPECT_GT(p.y, 6.0);
  // Every row names its source.
  const size_t source = table.column("source");
  for (const auto& row : table.rows) EXPECT_FALSE(row.cells[source].empty()) << "line " << row.line;

  options.log_y = true;
  const TrendResult log_fit = compute_trend(table, options);
  EXPECT_TRUE(log_fit.fit.log_y);
  EXPECT_GT(log_fit.projections[0].y, 0);
}

TEST(Trend, ShippedModelTrainingMemoryIsConsistent) {
  // training_memory_gb must be params x bytes_per_param / 1e9 on every row.
  const CsvTable t = read_csv_file(std::string(EFFBENCH_SOURCE_DIR) + "/data/model_training_memory.csv");
  const auto params = t.numbers("params");
  const auto bytes = t.numbers("bytes_per_param");
  const auto gb = t.numbers("training_memory_gb");
  const size_t source = t.column("source");
  const size_t notes = t.column("notes");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    EXPECT_NEAR(gb[i], params[i] * bytes[i] / 1e9, 1e-9 * gb[i]) << "line " << t.rows[i].line;
    EXPECT_FALSE(t.rows[i].cells[source].empty());
    EXPECT_FALSE(t.rows[i].cells[notes].empty()) << "every figure states its basis";
  }
}

TEST(Trend, LogYRejectsNonPositiveValuesNamingTheLine) {
  const CsvTable t = parse_csv("year,gb\n2010,1\n2011,0\n2012,4\n2013,8\n", "z.csv");
  TrendOptions options;
  options.y_column = "gb";
  options.log_y = true;
  const std::string message = error_of([&] { compute_trend(t, options); });
  EXPECT_NE(message.find("z.csv:3"), std::string::npos) << message;
}

CaseRecord train_case(const std::string& model, int64_t batch, int64_t cuda_bytes) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse("cuda:0", "test case");
  c.device_name = "Tesla T4";
  c.mode = Mode::kTrain;
  c.batch = batch;
  c.memory.cuda_peak_allocated_bytes = cuda_bytes;
  c.memory.peak_rss_bytes = 1;  // ignored on CUDA devices
  return c;
}

TEST(MeasuredTrend, LargestBatchWithinBudgetFromALinearMemoryModel) {
  // Memory = 500 MiB of weights and optimizer state + 20 MiB per sample.
  // A 4 GiB budget: 500 + 20 b <= 4096 -> b <= 179.8 -> 179.
  const int64_t mib = 1 << 20;
  RunRecord run;
  run.run_id = "r1";
  for (int64_t b : {8, 16, 32, 64}) run.cases.push_back(train_case("resnet18", b, (500 + 20 * b) * mib));
  CaseRecord failed = train_case("resnet18", 128, 1);
  failed.status = CaseStatus::kFailed;
  run.cases.push_back(failed);
  run.cases.push_back(train_case("vgg16", 32, 900 * mib));  // one batch size only
  const auto trends = memory_vs_batch({run}, 4096.0 * mib);
  ASSERT_EQ(trends.size(), 2u);
  const BatchMemoryTrend& r = trends[0];
  EXPECT_EQ(r.model, "resnet18");
  EXPECT_EQ(r.memory_field, "cuda_peak_allocated_bytes");
  EXPECT_EQ(r.points.size(), 4u);  // the failed case is not a point
  ASSERT_TRUE(r.fit.has_value());
  EXPECT_EQ(r.fit->fit.degree, 1);
  EXPECT_NEAR(r.fit->fit.coefficients[1], 20.0 * mib, 1e-3);
  ASSERT_TRUE(r.largest_batch.has_value());
  EXPECT_EQ(*r.largest_batch, 179);
  // Noise-free: the conservative answer is the same.
  EXPECT_EQ(*r.largest_batch_conservative, 179);
  EXPECT_NE(r.note.find("extrapolated"), std::string::npos);

  EXPECT_EQ(trends[1].model, "vgg16");
  EXPECT_FALSE(trends[1].fit.has_value());
  EXPECT_NE(trends[1].note.find("3 or more batch sizes"), std::string::npos);
}

TEST(MeasuredTrend, LargestBatchEdgeCases) {
  const PolyFit fit = fit_polynomial({1, 2, 3, 4}, {10, 20, 30, 40}, 1);  // 10 per sample
  EXPECT_EQ(largest_batch_within(fit, 5, false), 0);                      // batch 1 needs 10
  EXPECT_EQ(largest_batch_within(fit, 1000, false), 100);
  EXPECT_EQ(largest_batch_within(fit, 1e9, false, 0.95, 1000), std::nullopt);  // never reached
}

}  // namespace
}  // namespace effbench
