#include "analysis/projection.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace effbench {
namespace {

// A small hand-made catalog, independent of the shipped figures.
HardwareSpec gpu(const std::string& id, double fp32_tflops, double bandwidth_gb_s, double memory_gb,
                 double power_w, std::optional<double> price) {
  HardwareSpec s;
  s.id = id;
  s.name = "GPU " + id;
  s.kind = "gpu";
  s.match = {"GPU " + id};
  s.fp32_tflops = fp32_tflops;
  s.memory_bandwidth_gb_s = bandwidth_gb_s;
  s.memory_gb = memory_gb;
  s.peak_power_w = power_w;
  s.price_usd_per_hour = price;
  s.source = "test";
  return s;
}

std::vector<HardwareSpec> test_catalog() {
  std::vector<HardwareSpec> c = {gpu("old", 15.7, 900, 16, 300, 2.0), gpu("new", 19.5, 1555, 40, 400, 3.6),
                                 gpu("small", 19.5, 1555, 1, 400, std::nullopt)};
  HardwareSpec tpu;
  tpu.id = "tpu";
  tpu.name = "TPU";
  tpu.kind = "tpu";
  tpu.bf16_tflops = 200;
  tpu.memory_bandwidth_gb_s = 800;
  tpu.memory_gb = 16;
  tpu.source = "test";
  HardwareSpec dpu;
  dpu.id = "dpu";
  dpu.name = "DPU";
  dpu.kind = "dpu";
  dpu.io_bandwidth_gb_s = 25;
  dpu.typical_power_w = 75;
  dpu.source = "test";
  HardwareSpec qpu;
  qpu.id = "qpu";
  qpu.name = "QPU";
  qpu.kind = "qpu";
  qpu.source = "test";
  c.push_back(tpu);
  c.push_back(dpu);
  c.push_back(qpu);
  return c;
}

CaseRecord measured_case() {
  CaseRecord c;
  c.model = "net";
  c.device = Device::parse("cuda:0", "test case");
  c.device_name = "GPU old";
  c.mode = Mode::kTrain;
  c.batch = 100;
  c.precision = Precision::kFp32;
  c.input_shape = {3, 32, 32};
  c.params = 1000000;
  c.step_flops_per_sample = 1.57e9;
  c.throughput = ThroughputSummary{};
  c.throughput->median = 2000;                         // samples/s
  c.memory.cuda_peak_allocated_bytes = 2'000'000'000;  // 2 GB
  return c;
}

TEST(Projection, HandComputedComputeBoundRoofline) {
  const auto catalog = test_catalog();
  ProjectionOptions options;
  options.bytes_per_sample = 1e6;  // intensity I = 1.57e9 / 1e6 = 1570 FLOP/B
  const Projection p = project_case(measured_case(), {catalog[1]}, catalog, options);
  const MeasuredBasis& m = p.measured;
  // Achieved on "old": 1.57e9 FLOP x 2000 /s = 3.14e12 = 3.14 TFLOP/s.
  EXPECT_NEAR(m.achieved_tflops, 3.14, 1e-12);
  // Roofline on "old": min(15.7, 1570 x 900 GB/s = 1413 TFLOP/s) = 15.7 -> e = 3.14 / 15.7 = 0.2.
  EXPECT_NEAR(*m.roofline_tflops, 15.7, 1e-12);
  EXPECT_NEAR(*m.efficiency, 0.2, 1e-12);
  // Measured time: 50000 / 2000 = 25 s; rental 2 $/h x 25 s / 3600.
  EXPECT_NEAR(m.time_s, 25, 1e-12);
  EXPECT_NEAR(*m.rental_cost_usd, 2.0 * 25 / 3600, 1e-12);

  ASSERT_EQ(p.targets.size(), 1u);
  const TargetProjection& t = p.targets[0];
  EXPECT_EQ(t.status, "projected");
  EXPECT_EQ(t.bound_by, "compute");
  // "new": roofline min(19.5, 1570 x 1555 / 1000) = 19.5; achieved 0.2 x 19.5 = 3.9 TFLOP/s;
  // throughput 3.9e12 / 1.57e9 = 2484.076 samples/s; epoch 50000 / that = 20.128 s.
  EXPECT_NEAR(*t.roofline_tflops, 19.5, 1e-12);
  EXPECT_NEAR(*t.throughput_samples_per_s, 3.9e12 / 1.57e9, 1e-9);
  EXPECT_NEAR(*t.epoch_time_s, 50000 * 1.57e9 / 3.9e12, 1e-9);
  EXPECT_NEAR(*t.time_s, *t.epoch_time_s, 1e-12);  // one epoch by default
  // Bound: 50000 x 1.57e9 / 19.5e12 = 4.0256 s.
  EXPECT_NEAR(*t.bound_time_s, 50000 * 1.57e9 / 19.5e12, 1e-9);
  // Energy: TDP 400 W x 20.128 s = 8051.28 J = 0.0022365 kWh; CO2e at 481 g/kWh.
  const double time_s = 50000 * 1.57e9 / 3.9e12;
  EXPECT_NEAR(*t.energy_j, 400 * time_s, 1e-6);
  EXPECT_EQ(t.power_basis, "TDP (upper bound on the draw)");
  EXPECT_NEAR(t.energy_derived->kwh, 400 * time_s / 3.6e6, 1e-12);
  EXPECT_NEAR(t.energy_derived->co2e_g, 400 * time_s / 3.6e6 * 481, 1e-9);
  EXPECT_NEAR(*t.rental_cost_usd, 3.6 * time_s / 3600, 1e-12);
  EXPECT_FALSE(p.assumptions.empty());
}

TEST(Projection, HandComputedMemoryBoundMeasurement) {
  const auto catalog = test_catalog();
  ProjectionOptions options;
  options.bytes_per_sample = 1e8;  // I = 1.57e9 / 1e8 = 15.7 FLOP/B
  options.samples = 10000;
  options.epochs = 3;
  const Projection p = project_case(measured_case(), {catalog[1]}, catalog, options);
  // "old": memory roof 15.7 x 900 / 1000 = 14.13 < 15.7 -> e = 3.14 / 14.13 = 0.22222.
  EXPECT_NEAR(*p.measured.roofline_tflops, 14.13, 1e-12);
  EXPECT_NEAR(*p.measured.efficiency, 3.14 / 14.13, 1e-12);
  // "new": memory roof 15.7 x 1555 / 1000 = 24.4135 > 19.5 -> compute-bound at 19.5;
  // achieved 0.22222 x 19.5 = 4.3333 TFLOP/s; 30000 samples x 1.57e9 / 4.3333e12 = 10.869 s.
  const TargetProjection& t = p.targets[0];
  EXPECT_EQ(t.bound_by, "compute");
  const double achieved = 3.14 / 14.13 * 19.5;
  EXPECT_NEAR(*t.time_s, 30000 * 1.57e9 / (achieved * 1e12), 1e-9);
  EXPECT_NEAR(*t.epoch_time_s, *t.time_s / 3, 1e-9);
}

TEST(Projection, DoesNotFitTpuDpuAndQpu) {
  const auto catalog = test_catalog();
  ProjectionOptions options;
  options.bytes_per_sample = 1e6;
  const Projection p =
      project_case(measured_case(), {catalog[2], catalog[3], catalog[4], catalog[5]}, catalog, options);
  ASSERT_EQ(p.targets.size(), 4u);
  // "small" has 1 GB; the case used 2 GB.
  EXPECT_EQ(p.targets[0].status, "does not fit");
  EXPECT_FALSE(p.targets[0].time_s.has_value());
  // TPU: fp32 case projected at the bf16 peak, with the note saying so.
  // Roofline min(200, 1570 x 800 / 1000) = 200; 0.2 x 200 = 40 TFLOP/s; 50000 x 1.57e9 / 40e12 = 1.9625 s.
  EXPECT_EQ(p.targets[1].status, "projected");
  EXPECT_EQ(p.targets[1].precision, "bf16");
  EXPECT_NEAR(*p.targets[1].time_s, 1.9625, 1e-12);
  EXPECT_FALSE(p.targets[1].energy_j.has_value());  // no published power
  ASSERT_FALSE(p.targets[1].notes.empty());
  // DPU: stream 50000 inputs of 3 x 32 x 32 x 4 B = 12288 B at 25 GB/s:
  // 6.144e8 B / 2.5e10 B/s = 0.024576 s; energy 75 W x that = 1.8432 J.
  EXPECT_EQ(p.targets[2].status, "data movement only");
  EXPECT_NEAR(*p.targets[2].time_s, 0.024576, 1e-12);
  EXPECT_NEAR(*p.targets[2].energy_j, 1.8432, 1e-9);
  EXPECT_NE(p.targets[2].reason.find("no hardware to train"), std::string::npos);
  // QPU: nothing projected, a reason given.
  EXPECT_EQ(p.targets[3].status, "not applicable");
  EXPECT_FALSE(p.targets[3].time_s || p.targets[3].energy_j);
  EXPECT_FALSE(p.targets[3].reason.empty());
}

TEST(Projection, UnknownMeasuredDeviceGivesBoundsOnly) {
  const auto catalog = test_catalog();
  CaseRecord c = measured_case();
  c.device = Device::parse("cpu", "test case");
  c.device_name = "Some CPU";
  c.memory = {};
  c.memory.peak_rss_bytes = 1'000'000'000;
  ProjectionOptions options;
  options.bytes_per_sample = 1e6;
  const Projection p = project_case(c, {catalog[1]}, catalog, options);
  EXPECT_FALSE(p.measured.efficiency.has_value());
  EXPECT_NE(p.measured.efficiency_basis.find("not in the hardware catalog"), std::string::npos);
  const TargetProjection& t = p.targets[0];
  EXPECT_EQ(t.status, "projected");
  EXPECT_FALSE(t.time_s.has_value());
  EXPECT_NEAR(*t.bound_time_s, 50000 * 1.57e9 / 19.5e12, 1e-9);
  EXPECT_TRUE(t.energy_at_bound);
  EXPECT_NEAR(*t.energy_j, 400 * *t.bound_time_s, 1e-9);

  // With --efficiency 0.5 the time is 2x the bound.
  options.efficiency = 0.5;
  const Projection q = project_case(c, {catalog[1]}, catalog, options);
  EXPECT_NEAR(*q.targets[0].time_s, 2 * *q.targets[0].bound_time_s, 1e-9);
}

TEST(Projection, BytesPerSampleEstimateIsHandComputable) {
  // Train fp32: input 3 x 32 x 32 x 4 B = 12288 B; weights 4 passes x 1e6 x 4 B / batch 100 = 160000 B.
  std::string basis;
  EXPECT_DOUBLE_EQ(estimate_bytes_per_sample(measured_case(), &basis), 12288 + 160000);
  EXPECT_NE(basis.find("activations not counted"), std::string::npos);
  CaseRecord infer = measured_case();
  infer.mode = Mode::kInfer;
  infer.precision = Precision::kBf16;
  // bf16 infer: 3072 x 2 + 1 x 1e6 x 2 / 100 = 6144 + 20000.
  EXPECT_DOUBLE_EQ(estimate_bytes_per_sample(infer), 6144 + 20000);
}

TEST(Projection, RejectsCasesThatCannotBeProjected) {
  const auto catalog = test_catalog();
  CaseRecord failed = measured_case();
  failed.status = CaseStatus::kFailed;
  EXPECT_THROW(project_case(failed, {}, catalog), Error);
  CaseRecord no_throughput = measured_case();
  no_throughput.throughput.reset();
  EXPECT_THROW(project_case(no_throughput, {}, catalog), Error);
  CaseRecord no_flops = measured_case();
  no_flops.step_flops_per_sample = 0;
  EXPECT_THROW(project_case(no_flops, {}, catalog), Error);
  ProjectionOptions bad;
  bad.efficiency = 1.5;
  EXPECT_THROW(project_case(measured_case(), {}, catalog, bad), Error);
}

}  // namespace
}  // namespace effbench
