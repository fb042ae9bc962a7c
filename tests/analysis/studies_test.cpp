// Note [Study verdicts], against runs and figures made up by hand.

#include "analysis/studies.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

const std::string kHeader =
    "gpu_id,model,input,mode,precision,batch,samples_per_s,forward_gmacs_per_sample,source,quote,notes\n";

CaseRecord throughput_case(const std::string& device, const std::string& device_name, Mode mode,
                           double samples_per_s, Exec exec = Exec::kEager) {
  CaseRecord c;
  c.model = "conv6";
  c.device = Device::parse(device, "test");
  c.device_name = device_name;
  c.mode = mode;
  c.exec = exec;
  c.batch = 64;
  c.step_flops_per_sample = 1e9;
  ThroughputSummary t;
  t.median = samples_per_s;
  c.throughput = t;
  return c;
}

struct Fixture {
  std::vector<PublishedThroughput> published = parse_published_throughputs(
      parse_csv(kHeader + "t4,resnet50,3x224x224,train,amp-fp16,256,250,4.09,src A,q,\n"
                          "t4,resnet50,3x224x224,train,fp32,128,80,4.09,src B,q,\n",
                "fixture.csv"),
      default_catalog());
  StudyInputs inputs() const {
    StudyInputs in;
    in.catalog = &default_catalog();
    in.published = &published;
    return in;
  }
};

// A copy: the studies are often temporaries of the expression.
StudyRow row(const StudyReproduction& study, const std::string& claim_start) {
  for (const auto& r : study.rows) {
    if (r.claim.rfind(claim_start, 0) == 0) return r;
  }
  ADD_FAILURE() << "no row " << claim_start;
  return {};
}

// The fixture's T4 projection of a 1 GFLOP step at 100/s (gpu_projection_test
// works the same rows out): 2.97720x to 50.4130x, extrapolated (the rows are
// 24.5 GFLOP per step). 246x lies above it, and a projection names no cause.
// Measured on a T4 at 24600/s, with windows of 24600 +- 246 and 100 +- 1
// (stddev 246 and 1 over three windows: t(0.975, 2) x 1% / sqrt(3) = 2.484% each,
// 3.513% in quadrature), the interval 237.4x-254.6x holds 246x; one tenth
// of it (24.6x) is 10x off: on the same GPU, the study's CPU was 10x slower.
TEST(Studies, Study1SpeedupsAreProjectedWithoutAGpuAndMeasuredWithAT4) {
  const Fixture f;
  RunRecord run;
  run.cases = {throughput_case("cpu", "AMD EPYC", Mode::kTrain, 100)};
  const auto studies = reproduce_studies({run}, f.inputs());
  ASSERT_EQ(studies.size(), 3u);
  const StudyRow conv6 = row(studies[0], "Conv6 training speedup");
  EXPECT_EQ(conv6.published, "246x");
  EXPECT_EQ(conv6.verdict, Verdict::kContradicts);
  EXPECT_NE(conv6.here.find("2.98x-50.4x projected on a T4 over this CPU (extrapolated)"), std::string::npos)
      << conv6.here;
  EXPECT_NE(conv6.why.find("outside the projected interval"), std::string::npos) << conv6.why;
  EXPECT_EQ(conv6.why.find("slower"), std::string::npos) << conv6.why;
  EXPECT_EQ(row(studies[0], "VGG16 training speedup").verdict, Verdict::kCannotMeasure);
  EXPECT_NE(row(studies[0], "VGG16 training speedup").why.find("effbench run --model vgg16 --mode train"),
            std::string::npos);

  // A T4 that ran 246x the CPU's throughput: measured, and it matches.
  run.cases[0].throughput->window_samples_per_s = {99, 100, 101};
  RunRecord gpu_run;
  gpu_run.cases = {throughput_case("cuda:0", "Tesla T4", Mode::kTrain, 24600)};
  gpu_run.cases[0].throughput->window_samples_per_s = {24354, 24600, 24846};
  const auto measured = reproduce_studies({run, gpu_run}, f.inputs());
  const StudyRow on_t4 = row(measured[0], "Conv6 training speedup");
  EXPECT_EQ(on_t4.verdict, Verdict::kMatches);
  EXPECT_NE(on_t4.here.find("measured 237x-255x on Tesla T4"), std::string::npos) << on_t4.here;
  gpu_run.cases[0].throughput->median = 2460;
  gpu_run.cases[0].throughput->window_samples_per_s = {2435.4, 2460, 2484.6};
  const auto slower = reproduce_studies({run, gpu_run}, f.inputs());
  const StudyRow tenth = row(slower[0], "Conv6 training speedup");
  EXPECT_EQ(tenth.verdict, Verdict::kContradicts);
  EXPECT_NE(tenth.why.find("on the same GPU, the study's CPU baseline was about 10x slower"),
            std::string::npos)
      << tenth.why;
}

TEST(Studies, KernelFusionMatchesWithinAFactorOfTwoOfFifteenPercent) {
  const Fixture f;
  const auto with_latency = [](Exec exec, double p50_ms) {
    CaseRecord c = throughput_case("cpu", "AMD EPYC", Mode::kInfer, 500, exec);
    LatencyMs l;
    l.p50 = p50_ms;
    c.latency_ms = l;
    return c;
  };
  RunRecord run;
  run.cases = {with_latency(Exec::kEager, 10), with_latency(Exec::kFused, 8.5)};  // 15% cut
  EXPECT_EQ(row(reproduce_studies({run}, f.inputs())[0], "Conv6 inference latency cut").verdict,
            Verdict::kMatches);
  RunRecord later;
  later.cases = {with_latency(Exec::kFused, 9.9)};  // the newest fused case: a 1% cut
  const auto studies = reproduce_studies({run, later}, f.inputs());
  const StudyRow small = row(studies[0], "Conv6 inference latency cut");
  EXPECT_EQ(small.verdict, Verdict::kContradicts);
  EXPECT_NE(small.here.find("1%"), std::string::npos) << small.here;
  EXPECT_EQ(row(reproduce_studies({}, f.inputs())[0], "Inference latency cut").verdict,
            Verdict::kCannotMeasure);
}

TEST(Studies, ACaseWithoutFlopsIsSaidNotFatal) {
  const Fixture f;
  RunRecord run;
  run.cases = {throughput_case("cpu", "AMD EPYC", Mode::kTrain, 100)};
  run.cases[0].step_flops_per_sample = 0;  // a stored run from before FLOPs were recorded
  const auto studies = reproduce_studies({run}, f.inputs());
  const StudyRow conv6 = row(studies[0], "Conv6 training speedup");
  EXPECT_EQ(conv6.verdict, Verdict::kCannotMeasure);
  EXPECT_NE(conv6.why.find("no FLOPs per step"), std::string::npos) << conv6.why;
}

TEST(Studies, Study3ChecksTheArithmeticAndStudy2SaysWhatToRun) {
  const Fixture f;
  const auto studies = reproduce_studies({}, f.inputs());
  const StudyRow arithmetic = row(studies[2], "E = P x T for one hour");
  EXPECT_EQ(arithmetic.verdict, Verdict::kMatches);
  EXPECT_NE(arithmetic.here.find("1.44 / 1.08 / 0.27 / 0.18 MJ"), std::string::npos) << arithmetic.here;
  EXPECT_EQ(row(studies[2], "GPU power").verdict, Verdict::kMatches);  // 400 W among the catalog's GPUs
  EXPECT_EQ(row(studies[2], "QPU power").verdict, Verdict::kCannotMeasure);
  EXPECT_NE(row(studies[1], "GQI is undefined").why.find("effbench run --dataset fashion-mnist"),
            std::string::npos);
}

// Three fit years force degree 1 (leave-one-out needs degree + 2 distinct
// years); by hand, least squares through (2000, 1.0), (2001, 2.2), (2002,
// 2.9) predicts 3.93333 at 2003 (95% interval -0.80199 to 8.66866, t(0.975,
// 1) = 12.7062) and 4.88333 at 2004 (-1.38091 to 11.1476): 4.1 lies inside,
// 40 does not; the errors are 4.065% and 87.79%, median 45.93%. 2006 is past
// the 3-year horizon.
TEST(Studies, TrendBacktestByHand) {
  const CsvTable table =
      parse_csv("year,memory_gb\n2000,1.0\n2001,2.2\n2002,2.9\n2003,4.1\n2004,40\n2006,5\n", "memory.csv");
  const TrendBacktest b = backtest_trend(table, 2002);
  EXPECT_EQ(b.degree, 1);
  EXPECT_EQ(b.held_out, 2);
  EXPECT_EQ(b.inside_interval, 1);
  EXPECT_NEAR(b.median_abs_relative_error, (0.0406504 + 0.8779167) / 2, 1e-6);
}

}  // namespace
}  // namespace effbench
