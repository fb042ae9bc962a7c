#include "analysis/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace effbench {
namespace {

std::vector<double> range(double from, double to) {
  std::vector<double> values;
  for (double v = from; v <= to; v += 1) values.push_back(v);
  return values;
}

// Exact null distribution of U for n1 = n2 = 3: the C(6,3) = 20 arrangements
// have U = 0..9 with counts 1,1,2,3,3,3,3,2,1,1 (partitions of u into at most
// 3 parts, each at most 3).
TEST(MannWhitney, ExactSmallSamplesMatchHandCountedDistribution) {
  // a entirely below b: U = 0, P(U <= 0) = 1/20, two-sided p = 2/20.
  auto r = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_DOUBLE_EQ(r.p_value, 0.1);
  // Interleaved: pairs a > b are 3>2, 5>2, 5>4, so U = 3;
  // P(U <= 3) = (1+1+2+3)/20 = 7/20, two-sided p = 14/20.
  r = mann_whitney_u({1, 3, 5}, {2, 4, 6});
  EXPECT_DOUBLE_EQ(r.u, 3);
  EXPECT_DOUBLE_EQ(r.p_value, 0.7);
  // Symmetric: swapping the samples gives U' = n1 n2 - U and the same p.
  r = mann_whitney_u({2, 4, 6}, {1, 3, 5});
  EXPECT_DOUBLE_EQ(r.u, 6);
  EXPECT_DOUBLE_EQ(r.p_value, 0.7);
  // n1 = n2 = 5, separated: two-sided p = 2 / C(10,5) = 2/252.
  r = mann_whitney_u(range(1, 5), range(6, 10));
  EXPECT_NEAR(r.p_value, 2.0 / 252.0, 1e-15);
}

TEST(MannWhitney, TiesUseTheNormalApproximationWithTieCorrection) {
  // Pooled {1,2,2,2,3,3,4,5}: mid-ranks 1; 3,3,3; 5.5,5.5; 7; 8.
  // R_a = 1 + 3 + 3 + 5.5 = 12.5, U = 12.5 - 4*5/2 = 2.5, mean 8.
  // Tie term (3^3-3) + (2^3-2) = 30; var = 16/12 * (9 - 30/56) = 11.2857142857.
  // z = (|2.5 - 8| - 0.5) / sqrt(var) = 1.48835139447;
  // p = erfc(z / sqrt 2) = 0.136658247738 (Python math.erfc).
  const auto r = mann_whitney_u({1, 2, 2, 3}, {2, 3, 4, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 2.5);
  EXPECT_NEAR(r.p_value, 0.13665824773814753, 1e-12);
}

TEST(MannWhitney, LargeSamplesUseTheNormalApproximation) {
  // n1 = n2 = 25, separated: U = 0, mean 312.5, var = 25*25*51/12 = 2656.25,
  // z = 312 / 51.5388... = 6.05368920091, p = erfc(z / sqrt 2) = 1.41565622485e-9.
  const auto r = mann_whitney_u(range(1, 25), range(26, 50));
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p_value / 1.4156562248495634e-09, 1.0, 1e-8);
}

TEST(MannWhitney, AllEqualGivesNoEvidenceAndEmptyIsAnError) {
  EXPECT_DOUBLE_EQ(mann_whitney_u({5, 5, 5}, {5, 5}).p_value, 1.0);
  EXPECT_THROW(mann_whitney_u({}, {1}), Error);
}

TEST(Bootstrap, ConstantSamplesGiveAPointInterval) {
  const auto r = bootstrap_median_ratio({100, 100, 100, 100}, {250, 250, 250});
  EXPECT_DOUBLE_EQ(r.ratio, 2.5);
  EXPECT_DOUBLE_EQ(r.low, 2.5);
  EXPECT_DOUBLE_EQ(r.high, 2.5);
}

TEST(Bootstrap, IntervalIsSeededAndBoundedByTheExtremeRatios) {
  const std::vector<double> a = {98, 99, 100, 101, 102, 100.5, 99.5};
  const std::vector<double> b = {118, 119, 120, 121, 122, 120.5, 119.5};
  const auto r1 = bootstrap_median_ratio(a, b, 7);
  const auto r2 = bootstrap_median_ratio(a, b, 7);
  EXPECT_EQ(r1.low, r2.low);
  EXPECT_EQ(r1.high, r2.high);
  EXPECT_DOUBLE_EQ(r1.ratio, 120.0 / 100.0);  // medians 100 and 120
  // Any resampled median lies within a side's range, so every bootstrap ratio
  // lies within [min b / max a, max b / min a] = [118/102, 122/98].
  EXPECT_GE(r1.low, 118.0 / 102.0);
  EXPECT_LE(r1.high, 122.0 / 98.0);
  EXPECT_LT(r1.low, r1.ratio);
  EXPECT_GT(r1.high, r1.ratio);
  EXPECT_THROW(bootstrap_median_ratio({0, 0}, {1}), Error);
}

CaseRecord make_case(const std::string& model, const std::string& device, const std::string& mode,
                     std::vector<double> samples) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test case");
  c.mode = parse_word<Mode>(mode, "test");
  c.batch = 32;
  ThroughputSummary t;
  t.window_samples_per_s = samples;
  std::sort(samples.begin(), samples.end());
  t.median = samples.size() % 2 ? samples[samples.size() / 2]
                                : (samples[samples.size() / 2 - 1] + samples[samples.size() / 2]) / 2;
  c.throughput = t;
  return c;
}

RunRecord make_run(const std::string& id, std::vector<CaseRecord> cases) {
  RunRecord run;
  run.run_id = id;
  run.cases = std::move(cases);
  return run;
}

TEST(Compare, RunsFlagASignificantChangeAboveTheNoise) {
  // conv6: 100 -> 80 samples/s (medians of distinct windows within +-1%): a
  // real 20% regression.
  // mlp: 100 -> 101, windows varying by ~5%: within the noise.
  const RunRecord a =
      make_run("A", {make_case("conv6", "cpu", "train", {99, 100.25, 101, 99.5, 100.5, 99.75}),
                     make_case("mlp", "cpu", "train", {95, 100, 105, 92, 108, 100}),
                     make_case("gone", "cpu", "train", {1, 1})});
  const RunRecord b = make_run("B", {make_case("conv6", "cpu", "train", {79, 80.25, 81, 79.5, 80.5, 79.75}),
                                     make_case("mlp", "cpu", "train", {96, 101, 106, 93, 109, 101}),
                                     make_case("new", "cpu", "train", {1, 1})});
  const Comparison c = compare_runs(a, b);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.unmatched.size(), 2u);
  const auto& conv = c.rows[0];
  EXPECT_EQ(conv.model, "conv6");
  EXPECT_DOUBLE_EQ(conv.ratio.ratio, 0.8);
  EXPECT_TRUE(conv.has_statistics);
  // 6 vs 6 windows, all of B below all of A: exact p = 2 / C(12,6) = 2/924.
  EXPECT_NEAR(conv.p_value, 2.0 / 924.0, 1e-15);
  EXPECT_TRUE(conv.significant);
  EXPECT_EQ(conv.verdict, "slower");
  const auto& mlp = c.rows[1];
  EXPECT_FALSE(mlp.significant);
  EXPECT_EQ(mlp.verdict, "no change");

  EXPECT_EQ(regressions(c, 10).size(), 1u);  // 20% > 10%
  EXPECT_EQ(regressions(c, 25).size(), 0u);  // 20% < 25%
}

TEST(Compare, DevicesOfOneRunAgainstTheCpu) {
  const RunRecord run = make_run("A", {make_case("conv6", "cpu", "infer", {10, 11, 12}),
                                       make_case("conv6", "cuda:0", "infer", {200, 220, 240}),
                                       make_case("mlp", "cuda:0", "infer", {5, 6})});
  const Comparison c = compare_devices(run);
  EXPECT_EQ(c.baseline_label, "cpu");
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(c.rows[0].ratio.ratio, 20.0);  // 220 / 11
  EXPECT_EQ(c.rows[0].candidate_device, "cuda:0");
  ASSERT_EQ(c.unmatched.size(), 1u);
  EXPECT_NE(c.unmatched[0].find("mlp"), std::string::npos);
}

TEST(Compare, StudySpeedupTablesFromStoredRunsAndExecModes) {
  // Two runs (say, two machines' stored runs): the later case wins.
  const RunRecord first =
      make_run("A", {make_case("conv6", "cpu", "train", {10}), make_case("conv6", "cuda:0", "train", {100})});
  CaseRecord fused = make_case("conv6", "cuda:0", "train", {150});
  fused.exec = Exec::kFused;
  const RunRecord second = make_run(
      "B", {make_case("conv6", "cuda:0", "infer", {400}), make_case("conv6", "cpu", "infer", {20}), fused});
  const auto tables = study_speedup_tables({first, second});
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].mode, Mode::kTrain);
  EXPECT_EQ(tables[1].mode, Mode::kInfer);
  EXPECT_DOUBLE_EQ(tables[0].cell("conv6", "cuda:0")->speedup.value(), 10.0);  // eager only: 100 / 10
  EXPECT_DOUBLE_EQ(tables[1].cell("conv6", "cuda:0")->speedup.value(), 20.0);  // 400 / 20
  EXPECT_DOUBLE_EQ(tables[1].cell("conv6", "cpu")->speedup.value(), 1.0);

  const auto modes = exec_mode_table({first, second});
  ASSERT_EQ(modes.size(), 1u);
  EXPECT_EQ(modes[0].device, "cuda:0");
  ASSERT_EQ(modes[0].speedup_by_exec.size(), 2u);
  EXPECT_EQ(modes[0].speedup_by_exec[0].first, Exec::kEager);
  EXPECT_DOUBLE_EQ(modes[0].speedup_by_exec[1].second, 1.5);  // 150 / 100
}

// Grouped by model, device, mode, precision and batch; hand values:
// cuda eager 1000 samples/s, p50 2.0 ms; graph 1500, p50 1.5 ms -> 1.5x, -25%.
TEST(Compare, ExecModeRowsCompareExecModesAlone) {
  auto exec_case = [](const std::string& device, const std::string& exec, double median, double p50) {
    CaseRecord c = make_case("conv6", device, "infer", {median});
    c.exec = parse_word<Exec>(exec, "test");
    c.latency_ms = LatencyMs{p50, p50, p50, 10};
    return c;
  };
  CaseRecord failed_fused = exec_case("cpu", "fused", 0, 0);
  failed_fused.status = CaseStatus::kFailed;
  failed_fused.throughput.reset();
  CaseRecord other_batch = exec_case("cuda:0", "fused", 9999, 0.1);
  other_batch.batch = 64;  // another group: never divided by the batch-32 eager case
  CaseRecord bf16 = exec_case("cuda:0", "fused", 7777, 0.1);
  bf16.precision = Precision::kBf16;
  const std::vector<CaseRecord> cases = {exec_case("cuda:0", "graph", 1500, 1.5),
                                         exec_case("cuda:0", "eager", 1000, 2.0),
                                         exec_case("cpu", "eager", 100, 20.0),
                                         failed_fused,
                                         other_batch,
                                         bf16};
  const auto rows = exec_mode_rows(cases);
  ASSERT_EQ(rows.size(), 2u);  // cuda:0 fp32 batch 32, cpu fp32 batch 32
  EXPECT_EQ(rows[0].device, "cuda:0");
  EXPECT_EQ(rows[0].batch, 32);
  ASSERT_EQ(rows[0].execs.size(), 2u);
  EXPECT_EQ(rows[0].execs[0].exec, Exec::kEager);  // baseline first, whatever the case order
  EXPECT_DOUBLE_EQ(*rows[0].execs[0].throughput_ratio, 1.0);
  EXPECT_EQ(rows[0].execs[1].exec, Exec::kGraph);
  EXPECT_DOUBLE_EQ(rows[0].execs[1].samples_per_s, 1500.0);
  EXPECT_DOUBLE_EQ(*rows[0].execs[1].throughput_ratio, 1.5);
  EXPECT_DOUBLE_EQ(*rows[0].execs[1].latency_change, -0.25);
  EXPECT_EQ(rows[0].speedup_by_exec,
            (std::vector<std::pair<Exec, double>>{{Exec::kEager, 1.0}, {Exec::kGraph, 1.5}}));
  // The cpu row: fused failed, so it shows, without figures.
  EXPECT_EQ(rows[1].device, "cpu");
  ASSERT_EQ(rows[1].execs.size(), 2u);
  EXPECT_FALSE(rows[1].execs[1].ok);
  EXPECT_FALSE(rows[1].execs[1].throughput_ratio.has_value());
}

}  // namespace
}  // namespace effbench
