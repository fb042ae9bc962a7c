// Efficiency metrics against hand-computed cases: GQI (including its
// undefined region and the unit setting), the Pareto front, and the per-case
// figures.

#include <gtest/gtest.h>

#include <cmath>

#include "analysis/efficiency.h"
#include "core/error.h"

namespace effbench {
namespace {

constexpr double kKwh = 3.6e6;

TEST(Gqi, DefaultsOnHandComputedValues) {
  // 10 kWh: log10 = 1, so GQI = 10 * 0.9^5 = 5.9049.
  const GqiResult r = green_quotient_index(0.9, 10 * kKwh, GqiSettings{});
  ASSERT_TRUE(r.defined) << r.reason;
  EXPECT_NEAR(r.value, 5.9049, 1e-12);
  EXPECT_DOUBLE_EQ(r.energy_in_unit, 10.0);
  EXPECT_EQ(r.settings, "alpha 5, beta 10, E in kWh");
  // 100 kWh, alpha 2, beta 1: 0.81 / 2.
  const GqiResult s = green_quotient_index(0.9, 100 * kKwh, GqiSettings{2, 1, EnergyUnit::kKilowattHour});
  EXPECT_NEAR(s.value, 0.405, 1e-12);
}

TEST(Gqi, BelowOneUnitIsUndefinedAndSuggestsAUnit) {
  // 7200 J = 0.002 kWh: log10 < 0; 7200 J = 2 Wh > 1 Wh, so Wh is suggested.
  const GqiResult r = green_quotient_index(0.9, 7200, GqiSettings{});
  EXPECT_FALSE(r.defined);
  EXPECT_EQ(r.value, 0.0);
  EXPECT_NE(r.reason.find("log10(E)"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("negative"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("--gqi-unit Wh"), std::string::npos) << r.reason;
  // The same energy in Wh: 5.9049 / log10(2); in J: 5.9049 / log10(7200).
  const GqiResult wh = green_quotient_index(0.9, 7200, GqiSettings{5, 10, EnergyUnit::kWattHour});
  ASSERT_TRUE(wh.defined);
  EXPECT_NEAR(wh.value, 5.9049 / 0.30102999566398120, 1e-9);
  const GqiResult j = green_quotient_index(0.9, 7200, GqiSettings{5, 10, EnergyUnit::kJoule});
  ASSERT_TRUE(j.defined);
  EXPECT_NEAR(j.value, 5.9049 / 3.8573324964312685, 1e-9);
  EXPECT_EQ(j.settings, "alpha 5, beta 10, E in J");
}

TEST(Gqi, ExactlyOneUnitIsUndefinedNotInfinite) {
  const GqiResult r = green_quotient_index(0.9, kKwh, GqiSettings{});
  EXPECT_FALSE(r.defined);
  EXPECT_TRUE(std::isfinite(r.value));
  EXPECT_NE(r.reason.find("infinite"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("--gqi-unit Wh"), std::string::npos) << r.reason;
}

TEST(Gqi, NoUnitHelpsBelowOneJouleAndNoEnergyIsUndefined) {
  const GqiResult tiny = green_quotient_index(0.9, 0.5, GqiSettings{5, 10, EnergyUnit::kJoule});
  EXPECT_FALSE(tiny.defined);
  EXPECT_NE(tiny.reason.find("no unit"), std::string::npos) << tiny.reason;
  const GqiResult none = green_quotient_index(0.9, 0, GqiSettings{});
  EXPECT_FALSE(none.defined);
  EXPECT_NE(none.reason.find("no energy"), std::string::npos);
}

TEST(Gqi, UnitAndSettingsParsing) {
  EXPECT_EQ(parse_energy_unit("kwh"), EnergyUnit::kKilowattHour);
  EXPECT_EQ(parse_energy_unit("Wh"), EnergyUnit::kWattHour);
  EXPECT_EQ(parse_energy_unit("J"), EnergyUnit::kJoule);
  EXPECT_THROW(parse_energy_unit("MWh"), Error);
  EXPECT_DOUBLE_EQ(joules_per_unit(EnergyUnit::kWattHour), 3600.0);
  EXPECT_THROW(validate(GqiSettings{0, 10, EnergyUnit::kJoule}), Error);
  EXPECT_THROW(validate(GqiSettings{5, -1, EnergyUnit::kJoule}), Error);
  EXPECT_NO_THROW(validate(GqiSettings{}));
}

TEST(Pareto, HandComputedFront) {
  // A (0.90, 100 J) dominates C (0.89, 150 J); B (0.92, 200 J) trades energy for
  // accuracy; D equals A, and neither of two equal points dominates the other.
  const std::vector<ParetoPoint> points = {
      {0.90, true, 100, "acc"}, {0.92, true, 200, "acc"}, {0.89, true, 150, "acc"}, {0.90, true, 100, "acc"}};
  EXPECT_EQ(pareto_front(points), (std::vector<bool>{true, true, false, true}));
}

TEST(Pareto, LowerIsBetterAndGroupsAreSeparate) {
  const std::vector<ParetoPoint> points = {{0.1, false, 50, "l1"},
                                           {0.2, false, 40, "l1"},
                                           {0.3, false, 60, "l1"},     // worse than the first in both
                                           {0.5, true, 1000, "acc"}};  // alone in its group
  EXPECT_EQ(pareto_front(points), (std::vector<bool>{true, true, false, true}));
}

EnergyReading reading(double joules, bool measured) {
  EnergyReading r;
  r.source = measured ? EnergySource::kRapl : EnergySource::kEstimate;
  r.scope = measured ? "cpu-package" : "cpu";
  r.device = "package-0";
  r.measured = measured;
  r.available = true;
  r.joules = joules;
  return r;
}

CaseRecord trained(const std::string& model, double accuracy, double seconds, EnergyReading energy) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse("cpu", "test case");
  c.mode = Mode::kTrain;
  AccuracyResult a;
  a.dataset = "fashion-mnist";
  a.metric = "test_accuracy";
  a.value = accuracy;
  a.train_time_s = seconds;
  a.eval_images = 10000;
  c.accuracy = a;
  c.energy.push_back(energy);
  return c;
}

TEST(CaseEfficiency, FiguresOfOneCase) {
  // 0.9 accuracy, 36 kJ (0.01 kWh) measured, 180 s:
  // 90 accuracy/kWh, 36000 / 9000 correct = 4 J, 400 J and 2 s per point.
  const auto rows = case_efficiencies({trained("conv6", 0.9, 180, reading(36000, true))}, GqiSettings{});
  ASSERT_EQ(rows.size(), 1u);
  const CaseEfficiency& e = rows[0];
  EXPECT_TRUE(e.energy_available);
  EXPECT_FALSE(e.energy_estimated);
  EXPECT_NEAR(e.accuracy_per_kwh->value, 90.0, 1e-9);
  EXPECT_NEAR(e.joules_per_correct->value, 4.0, 1e-12);
  EXPECT_NEAR(e.joules_per_point->value, 400.0, 1e-9);
  EXPECT_NEAR(*e.seconds_per_point, 2.0, 1e-12);
  ASSERT_TRUE(e.gqi);
  EXPECT_FALSE(e.gqi->defined);  // 0.01 kWh: below one unit
  ASSERT_TRUE(e.pareto);
  EXPECT_TRUE(*e.pareto);
}

TEST(CaseEfficiency, EstimatesAreLabelledAndFrontIsOverCases) {
  CaseRecord failed = trained("vgg16", 0.95, 10, reading(1, true));
  failed.status = CaseStatus::kFailed;
  CaseRecord no_energy = trained("resnet18", 0.93, 100, reading(0, true));
  no_energy.energy.clear();
  CaseRecord target = trained("conv6", 0.91, 500, reading(4e5, false));
  target.accuracy->target = 0.9;
  target.accuracy->reached_target = true;
  target.accuracy->time_to_target_s = 300;
  const auto rows =
      case_efficiencies({trained("a", 0.90, 100, reading(1e5, true)),
                         trained("b", 0.92, 100, reading(3e5, true)), target, failed, no_energy},
                        GqiSettings{5, 10, EnergyUnit::kJoule});
  ASSERT_EQ(rows.size(), 4u);  // the failed case is left out
  EXPECT_TRUE(*rows[0].pareto);
  EXPECT_TRUE(*rows[1].pareto);
  EXPECT_FALSE(*rows[2].pareto);  // 0.91 at 4e5 J: "b" (0.92 at 3e5 J) dominates it
  EXPECT_TRUE(rows[2].energy_estimated);
  EXPECT_DOUBLE_EQ(rows[2].time_s, 300.0);  // time to target
  EXPECT_FALSE(rows[3].pareto);             // no energy: not on the front
  EXPECT_FALSE(rows[3].energy_available);
  EXPECT_FALSE(rows[3].accuracy_per_kwh);
  ASSERT_TRUE(rows[0].gqi);
  EXPECT_NEAR(rows[0].gqi->value, 10 * std::pow(0.9, 5) / 5.0, 1e-12);  // log10(1e5 J) = 5
}

// Note [Energy uncertainty]: 36 kJ ± 360 J (1%) gives each figure that
// scales with E a 1% half-width; GQI's is checked against a central
// difference of the index itself, not the derivative in the code.
TEST(CaseEfficiency, TheEnergyIntervalPropagatesToEveryFigure) {
  EnergyReading energy = reading(36000, true);
  energy.uncertainty_j = 360;
  const GqiSettings in_joules{5, 10, EnergyUnit::kJoule};
  const auto rows = case_efficiencies({trained("conv6", 0.9, 180, energy)}, in_joules);
  ASSERT_EQ(rows.size(), 1u);
  const CaseEfficiency& e = rows[0];
  EXPECT_DOUBLE_EQ(e.energy_j.half_width, 360.0);
  EXPECT_NEAR(e.accuracy_per_kwh->half_width, 0.9 / 0.0099 - 90, 1e-9);  // 0.9 / (0.01 - 0.0001 kWh) - 90
  EXPECT_NEAR(e.joules_per_correct->half_width, 0.04, 1e-12);            // 4 J x 1%
  EXPECT_NEAR(e.joules_per_point->half_width, 4.0, 1e-9);                // 400 J x 1%
  ASSERT_TRUE(e.gqi && e.gqi->defined);
  const double low = green_quotient_index(0.9, 36000 + 360, in_joules).value;
  const double high = green_quotient_index(0.9, 36000 - 360, in_joules).value;
  EXPECT_NEAR(e.gqi->half_width, (high - low) / 2, 1e-4 * e.gqi->half_width);
  // By hand: 10 x 0.9^5 / log10(36000) = 1.29599; x 0.01 / (ln 10 x 4.55630) = 0.0012353.
  EXPECT_NEAR(e.gqi->value, 1.29599, 1e-5);
  EXPECT_NEAR(e.gqi->half_width, 0.0012353, 1e-6);
}

// 4000 J ± 2000 J in Wh is 1.11 ± 0.56 Wh: the interval reaches E <= 1 Wh,
// where the index is undefined, so its half-width is unbounded, not finite.
TEST(CaseEfficiency, AGqiIntervalReachingOneUnitIsUnbounded) {
  const GqiResult r = green_quotient_index(0.9, 4000, GqiSettings{5, 10, EnergyUnit::kWattHour}, 2000);
  ASSERT_TRUE(r.defined);
  EXPECT_TRUE(std::isinf(r.half_width));
  EXPECT_TRUE(std::isfinite(
      green_quotient_index(0.9, 4000, GqiSettings{5, 10, EnergyUnit::kJoule}, 2000).half_width));
}

}  // namespace
}  // namespace effbench
