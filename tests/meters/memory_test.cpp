#include "meters/memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace effbench {
namespace {

TEST(Memory, ParsesVmHwm) {
  EXPECT_EQ(parse_vm_hwm_bytes("Name:\tx\nVmPeak:\t  9 kB\nVmHWM:\t    1234 kB\n").value(), 1234 * 1024);
  EXPECT_FALSE(parse_vm_hwm_bytes("Name:\tx\n"));
}

TEST(Memory, PeakRssSeesA64MiBAllocation) {
  reset_peak_rss();
  const int64_t before = read_peak_rss_bytes().value();
  {
    std::vector<char> block(64 << 20);
    std::memset(block.data(), 1, block.size());  // touch every page
    EXPECT_GE(read_peak_rss_bytes().value(), before + (60 << 20));
  }
  EXPECT_FALSE(reset_peak_rss("/nonexistent"));  // not permitted: reported, not thrown
}

}  // namespace
}  // namespace effbench
