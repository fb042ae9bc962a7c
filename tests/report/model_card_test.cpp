// report/model_card.h: the co2_eq_emissions block of a hand-made training
// run, every figure worked out by hand (1 kWh = 3.6e6 J).

#include "report/model_card.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace effbench {
namespace {

EnergyReading reading(EnergySource source, const std::string& scope, bool measured, double joules,
                      double uncertainty_j) {
  EnergyReading r;
  r.source = source;
  r.scope = scope;
  r.device = scope == "dram" ? "dram-0" : "package-0";
  r.measured = measured;
  r.available = true;
  r.joules = joules;
  r.uncertainty_j = uncertainty_j;
  return r;
}

CaseRecord training_case(const std::string& model, const std::string& device) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test");
  c.device_name = device == "cpu" ? "Test CPU" : "Test GPU";
  c.threads = 8;
  c.mode = Mode::kTrain;
  c.batch = 64;
  c.accuracy = AccuracyResult{};
  c.accuracy->dataset = "fashion-mnist";
  c.accuracy->metric = "test_accuracy";
  c.accuracy->value = 0.9;
  return c;
}

// 3.0e6 J + 0.6e6 J = 3.6e6 J = 1 kWh measured; 30 kJ and 40 kJ in quadrature = 50 kJ.
RunRecord measured_run() {
  RunRecord run;
  run.run_id = "r1";
  run.system.effbench_version = "0.1.0";
  CaseRecord c = training_case("conv6", "cpu");
  c.energy = {
      reading(EnergySource::kRapl, "cpu-package", true, 3.0e6, 3e4),
      reading(EnergySource::kRapl, "dram", true, 0.6e6, 4e4),
      reading(EnergySource::kEstimate, "cpu-package", false, 9e9, 1)};  // never added to a measurement
  run.cases = {c};
  return run;
}

ModelCardSettings at_grid(double g_per_kwh) {
  ModelCardSettings settings;
  settings.grid_g_per_kwh = g_per_kwh;
  return settings;
}

std::string error_of(const RunRecord& run, const ModelCardSettings& settings) {
  try {
    model_card_co2_yaml(run, settings);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ModelCard, OneMeasuredKilowattHourAt400GramsIs400Grams) {
  ModelCardSettings settings = at_grid(400);
  settings.location = "Quebec, \"Canada\"";
  // 1 kWh x 400 g/kWh = 400 g; 50 kJ = 1/72 kWh -> 400/72 = 5.56 g.
  EXPECT_EQ(
      model_card_co2_yaml(measured_run(), settings),
      "co2_eq_emissions:\n"
      "  emissions: 400.0\n"
      "  source: \"effbench 0.1.0, energy measured by rapl (cpu-package, dram): 3600000 J \u00b1 50000 J to "
      "train conv6 on fashion-mnist at 400.0 gCO2e/kWh = 400.0 g \u00b1 5.6 g CO2e (run r1)\"\n"
      "  training_type: \"pre-training\"\n"
      "  geographical_location: \"Quebec, \\\"Canada\\\"\"\n"
      "  hardware_used: \"Test CPU (cpu, 8 threads)\"\n");
}

TEST(ModelCard, AnEstimateSaysItWasNotMeasured) {
  RunRecord run = measured_run();
  run.cases[0].device = Device::cuda(0);
  run.cases[0].device_name = "Test GPU";
  // 7.2e6 J = 2 kWh estimated, +-50%: at 500 g/kWh, 1000 g +- 500 g.
  run.cases[0].energy = {reading(EnergySource::kEstimate, "cpu-package", false, 7.2e6, 3.6e6)};
  EXPECT_EQ(
      model_card_co2_yaml(run, at_grid(500)),
      "co2_eq_emissions:\n"
      "  emissions: 1000\n"
      "  source: \"effbench 0.1.0, energy estimated from CPU TDP (not measured): 7200000 J \u00b1 3600000 J "
      "to train conv6 on fashion-mnist at 500.0 gCO2e/kWh = 1000 g \u00b1 500 g CO2e (run r1)\"\n"
      "  training_type: \"pre-training\"\n"
      "  hardware_used: \"1 x Test GPU (cuda:0)\"\n");
}

TEST(ModelCard, YamlQuotingEscapesWhatWouldEndOrBreakTheString) {
  EXPECT_EQ(yaml_quoted("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\x01\"");
  EXPECT_EQ(yaml_quoted("Zürich: #1"), "\"Zürich: #1\"");
}

TEST(ModelCard, RefusesARunWithoutTrainingOrEnergy) {
  RunRecord throughput = measured_run();
  throughput.cases[0].accuracy.reset();
  EXPECT_NE(error_of(throughput, at_grid(400)).find("run r1 has no training case"), std::string::npos)
      << error_of(throughput, at_grid(400));

  RunRecord no_energy = measured_run();
  no_energy.cases[0].energy.clear();
  EXPECT_NE(error_of(no_energy, at_grid(400)).find("run r1: the training of conv6 on cpu has no energy"),
            std::string::npos)
      << error_of(no_energy, at_grid(400));

  RunRecord failed = measured_run();
  failed.cases[0].status = CaseStatus::kInterrupted;
  EXPECT_NE(error_of(failed, at_grid(400)).find("did not finish (status interrupted)"), std::string::npos);
}

TEST(ModelCard, RefusesAGridIntensityThatIsNegativeOrNotFinite) {
  EXPECT_NE(error_of(measured_run(), at_grid(-1)).find("--grid-g-per-kwh: expected"), std::string::npos)
      << error_of(measured_run(), at_grid(-1));
  EXPECT_NE(error_of(measured_run(), at_grid(-1)).find("but got -1"), std::string::npos);
  EXPECT_NE(error_of(measured_run(), at_grid(std::nan(""))).find("but got nan"), std::string::npos);
  EXPECT_NE(error_of(measured_run(), at_grid(1e6)).find("--grid-g-per-kwh"), std::string::npos);
  EXPECT_NE(model_card_co2_yaml(measured_run(), at_grid(0)).find("\n  emissions: 0\n"), std::string::npos);
}

TEST(ModelCard, SeveralTrainingCasesNeedOnePicked) {
  RunRecord run = measured_run();
  CaseRecord gpu = run.cases[0];
  gpu.device = Device::cuda(0);
  gpu.device_name = "Test GPU";
  run.cases.push_back(gpu);
  EXPECT_NE(error_of(run, at_grid(400)).find("2 training cases (conv6 on cpu, conv6 on cuda:0)"),
            std::string::npos)
      << error_of(run, at_grid(400));
  ModelCardSettings pick = at_grid(400);
  pick.device = "cuda:0";
  EXPECT_EQ(&model_card_case(run, pick), &run.cases[1]);
  pick.model = "vgg16";
  EXPECT_NE(error_of(run, pick).find("no training case matching --model vgg16 --device cuda:0"),
            std::string::npos)
      << error_of(run, pick);
}

}  // namespace
}  // namespace effbench
