#include "results/record.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

EnergyReading reading(const std::string& source, const std::string& scope, const std::string& device) {
  EnergyReading r;
  r.source = source;
  r.scope = scope;
  r.device = device;
  return r;
}

TEST(Record, CpuCasesKeepHostReadingsOnly) {
  EXPECT_TRUE(reading_belongs_to_case(reading("rapl", "cpu-package", "package-0"), "cpu"));
  EXPECT_TRUE(reading_belongs_to_case(reading("estimate", "cpu-package", "cpu"), "cpu"));
  EXPECT_FALSE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:0"), "cpu"));
}

TEST(Record, GpuCasesKeepTheirGpuAndTheHost) {
  EXPECT_TRUE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:1"), "cuda:1"));
  EXPECT_FALSE(reading_belongs_to_case(reading("nvml-energy-counter", "gpu-board", "cuda:0"), "cuda:1"));
  EXPECT_TRUE(reading_belongs_to_case(reading("rapl", "dram", "package-0"), "cuda:1"));
}

TEST(Record, RunIdsAreUniqueAndNameTheHost) {
  const std::string a = make_run_id("lab server");
  const std::string b = make_run_id("lab server");
  EXPECT_NE(a, b);  // 24 random bits each
  EXPECT_NE(a.find("-lab-server-"), std::string::npos);
}

}  // namespace
}  // namespace effbench
