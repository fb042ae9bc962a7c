#include "report/console.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

TEST(Console, RendersAlignedColumns) {
  const std::string text = render_table({"name", "value"}, {{"a", "1"}, {"long", "12345"}});
  // Widths: 4 and 5; first column left-aligned, second right-aligned.
  EXPECT_EQ(text,
            "name  value\n"
            "-----------\n"
            "a         1\n"
            "long  12345\n");
}

TEST(Console, SpeedupTableMarksFlopNormalisedCells) {
  SpeedupTable table;
  table.mode = Mode::kTrain;
  table.baseline = "cpu";
  table.models = {"conv6", "cyclegan"};
  table.devices = {"cpu", "cuda:0"};
  table.rows.push_back(
      {"conv6", Exec::kEager, Precision::kFp32, false, {SpeedupCell{1.0, false}, SpeedupCell{246.0, false}}});
  table.rows.push_back({"cyclegan",
                        Exec::kEager,
                        Precision::kFp32,
                        false,
                        {SpeedupCell{1.0, false}, SpeedupCell{11.04, true}}});
  const std::string text = speedup_text(table);
  // format_number: 4 significant digits; "*" marks the FLOP-normalised cell.
  EXPECT_NE(text.find("conv6     eager  fp32   1x   246.0x\n"), std::string::npos) << text;
  EXPECT_NE(text.find("246.0x"), std::string::npos);
  EXPECT_NE(text.find("11.04x*"), std::string::npos);
  EXPECT_NE(text.find("1x"), std::string::npos);
  EXPECT_NE(text.find("ratio of achieved FLOP/s"), std::string::npos);
}

TEST(Console, ResultsTableShowsFailuresAndNotes) {
  CaseRecord ok;
  ok.model = "conv6";
  ok.device = Device::parse("cpu", "test case");
  ok.mode = Mode::kTrain;
  ok.batch = 64;
  ok.input_shape = {3, 32, 32};
  ok.throughput = ThroughputSummary{"samples/s", 1234.6, 10, 1200, 1300, 0.15, {}};
  ok.notes.push_back("reduced to 64x64");
  CaseRecord failed = ok;
  failed.mode = Mode::kInfer;
  failed.throughput.reset();
  failed.status = CaseStatus::kFailed;
  failed.error = "out of memory";
  const std::string text = results_table({ok, failed});
  EXPECT_NE(text.find("1235"), std::string::npos);    // median, 4 significant digits
  EXPECT_NE(text.find("15.0%!"), std::string::npos);  // CV above 10% is flagged
  EXPECT_NE(text.find("3x32x32"), std::string::npos);
  EXPECT_NE(text.find("conv6/cpu/infer: out of memory"), std::string::npos);
  EXPECT_NE(text.find("reduced to 64x64"), std::string::npos);
}

}  // namespace
}  // namespace effbench

namespace effbench {
namespace {

// A command case (effbench monitor) in the results table: its own table with
// hand-computed cells, and no throughput to divide by.
TEST(Console, CommandCasesGetTheirOwnTable) {
  CaseRecord c;
  c.model = "command";
  c.batch = 0;
  EnergyReading estimate;
  estimate.source = EnergySource::kEstimate;
  estimate.scope = "cpu-package";
  estimate.available = true;
  estimate.joules = 40;
  estimate.uncertainty_j = 10;
  c.energy = {estimate};
  c.memory.peak_rss_bytes = int64_t{300} << 20;
  CommandResult command;
  command.argv = {"python3", "train.py"};
  command.exit_status = 7;
  command.wall_s = 4;
  command.cpu_user_s = 1.5;
  command.cpu_system_s = 0.5;
  EnergyReading phase_estimate = estimate;
  phase_estimate.joules = 30;
  phase_estimate.uncertainty_j = 7.5;
  command.phases = {CommandPhase{"train", 0.5, 3, {phase_estimate}}};
  c.command = command;
  const std::string text = results_table({c});
  EXPECT_NE(text.find("python3 train.py"), std::string::npos) << text;
  EXPECT_NE(text.find("~40 ± 10"), std::string::npos) << text;   // energy with its interval
  EXPECT_NE(text.find(" ~10.00  "), std::string::npos) << text;  // mean W = 40 J / 4 s, estimated
  EXPECT_NE(text.find("300.00 MiB"), std::string::npos) << text;
  EXPECT_NE(text.find("phase train: from 0.5 s for 3 s, ~30.0 ± 7.5 J"), std::string::npos) << text;
  EXPECT_EQ(command_table({}), "");
}

}  // namespace
}  // namespace effbench
