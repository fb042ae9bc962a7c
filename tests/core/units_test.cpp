#include "core/units.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/uncertain.h"

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

TEST(Uncertain, PrintsTwoSignificantDigitsOfTheHalfWidth) {
  EXPECT_EQ(format_plus_minus({412.345, 9.1}, "J"), "412.3 J \u00b1 9.1 J");
  EXPECT_EQ(format_plus_minus({0.83421, 0.0234}), "0.834 \u00b1 0.023");
  EXPECT_EQ(format_plus_minus({41234, 1234}), "41200 \u00b1 1200");
  EXPECT_EQ(format_plus_minus({412.345, 0}, "J"), "412.3 J");       // no interval known: the value alone
  EXPECT_EQ(format_plus_minus({-0.004, 0.5}), "0.00 \u00b1 0.50");  // never "-0.00"
  EXPECT_EQ(format_plus_minus({1.296, std::numeric_limits<double>::infinity()}), "1.296 \u00b1 unbounded");
}

TEST(Uncertain, ScalesAndCombines) {
  EXPECT_DOUBLE_EQ(in_quadrature(3, 4), 5.0);
  const Uncertain x = scaled({10, 2}, -0.5);
  EXPECT_DOUBLE_EQ(x.value, -5.0);
  EXPECT_DOUBLE_EQ(x.half_width, 1.0);
  EXPECT_DOUBLE_EQ(relative_half_width({-8, 2}), 0.25);
  EXPECT_DOUBLE_EQ(relative_half_width({0, 2}), 0.0);
}

}  // namespace
}  // namespace effbench
