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
