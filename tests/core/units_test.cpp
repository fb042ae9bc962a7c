#include "core/units.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

TEST(Units, FormatsBytesInBinaryUnits) {
  EXPECT_EQ(format_bytes(900), "900 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024), "3.00 GiB");
}

TEST(Units, FormatsSiPrefixes) {
  EXPECT_EQ(format_si(1.5e9, "FLOP"), "1.5 GFLOP");
  EXPECT_EQ(format_si(999, "W"), "999 W");
  EXPECT_EQ(format_si(12345, "J"), "12.3 kJ");
}

TEST(Units, FormatsNumbersToAboutFourDigits) {
  EXPECT_EQ(format_number(1234.56), "1235");
  EXPECT_EQ(format_number(12.346), "12.35");
  EXPECT_EQ(format_number(0.12345), "0.1235");
  EXPECT_EQ(format_number(0), "0");
}

}  // namespace
}  // namespace effbench
