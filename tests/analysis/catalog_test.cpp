#include "analysis/catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace effbench {
namespace {

std::string shipped_path() { return std::string(EFFBENCH_SOURCE_DIR) + "/data/hardware_catalog.csv"; }

TEST(Catalog, ShippedRowsAreValid) {
  const std::vector<HardwareSpec> catalog = load_catalog(shipped_path());
  std::set<std::string> kinds;
  for (const HardwareSpec& s : catalog) {
    SCOPED_TRACE(s.id);
    kinds.insert(s.kind);
    EXPECT_FALSE(s.source.empty());
    EXPECT_FALSE(s.match.empty());
    ASSERT_TRUE(s.release_year.has_value());
    EXPECT_GE(*s.release_year, 2010);
    EXPECT_LE(*s.release_year, 2030);
    if (s.kind == "gpu" || s.kind == "tpu") {
      // Training devices: a matrix peak, a capacity and a bandwidth, in
      // plausible units (TFLOP/s, GB, GB/s).
      const auto matrix_peak = s.bf16_tflops ? s.bf16_tflops : s.fp16_tflops;
      ASSERT_TRUE(matrix_peak.has_value());
      EXPECT_GT(*matrix_peak, 10);
      EXPECT_LT(*matrix_peak, 5000);
      ASSERT_TRUE(s.memory_gb && s.memory_bandwidth_gb_s);
      EXPECT_GE(*s.memory_gb, 8);
      EXPECT_LE(*s.memory_gb, 512);
      EXPECT_GE(*s.memory_bandwidth_gb_s, 100);
      EXPECT_LE(*s.memory_bandwidth_gb_s, 20000);
      // Tensor/matrix rates are never below the plain fp32 rate.
      if (s.fp32_tflops) {
        EXPECT_GE(*matrix_peak, *s.fp32_tflops);
      }
      if (s.tf32_tflops && s.bf16_tflops) {
        EXPECT_GE(*s.bf16_tflops, *s.tf32_tflops);
      }
    }
    if (s.kind == "cpu") {
      EXPECT_FALSE(s.fp32_tflops.has_value()) << "no vendor publishes CPU peak FLOP/s";
      EXPECT_TRUE(s.peak_power_w.has_value());
    }
    if (s.kind == "dpu") {
      EXPECT_TRUE(s.io_bandwidth_gb_s.has_value());
    }
    if (s.kind == "qpu") {
      EXPECT_FALSE(s.fp32_tflops || s.bf16_tflops || s.fp16_tflops);
    }
    if (s.peak_power_w) {
      EXPECT_GE(*s.peak_power_w, 10);
      EXPECT_LE(*s.peak_power_w, 2000);
    }
    if (s.typical_power_w && s.peak_power_w) {
      EXPECT_LE(*s.typical_power_w, *s.peak_power_w);
    }
    if (s.price_usd_per_hour) {
      EXPECT_LT(*s.price_usd_per_hour, 100);
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"cpu", "gpu", "tpu", "dpu", "qpu"}));
  for (const char* id : {"t4", "v100-sxm2-16gb", "a100-sxm4-40gb", "h100-sxm", "h200-sxm", "l4", "rtx-4090",
                         "tpu-v4", "tpu-v5e", "tpu-v5p", "bluefield-2", "bluefield-3"}) {
    EXPECT_NE(find_hardware(catalog, id), nullptr) << id;
  }
}

TEST(Catalog, MatchesDriverReportedNames) {
  const std::vector<HardwareSpec> catalog = load_catalog(shipped_path());
  const auto id_of = [&](const std::string& name) {
    const HardwareSpec* s = match_device(catalog, name);
    return s ? s->id : std::string("(none)");
  };
  EXPECT_EQ(id_of("NVIDIA H100 80GB HBM3"), "h100-sxm");
  EXPECT_EQ(id_of("NVIDIA H100 PCIe"), "h100-pcie");
  EXPECT_EQ(id_of("NVIDIA H200"), "h200-sxm");
  EXPECT_EQ(id_of("Tesla T4"), "t4");
  EXPECT_EQ(id_of("Tesla V100-SXM2-32GB"), "v100-sxm2-32gb");
  EXPECT_EQ(id_of("Tesla V100-SXM2-16GB"), "v100-sxm2-16gb");
  EXPECT_EQ(id_of("NVIDIA A100-SXM4-80GB"), "a100-sxm4-80gb");
  EXPECT_EQ(id_of("NVIDIA A100-SXM4-40GB"), "a100-sxm4-40gb");
  EXPECT_EQ(id_of("NVIDIA A100 80GB PCIe"), "a100-pcie-80gb");
  EXPECT_EQ(id_of("NVIDIA A10"), "a10");
  EXPECT_EQ(id_of("NVIDIA L4"), "l4");
  EXPECT_EQ(id_of("NVIDIA L40S"), "l40s");
  EXPECT_EQ(id_of("NVIDIA GeForce RTX 4090"), "rtx-4090");
  EXPECT_EQ(id_of("AMD EPYC 9654 96-Core Processor"), "epyc-9654");
  EXPECT_EQ(id_of("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"), "(none)");
  EXPECT_EQ(id_of("NVIDIA L40"), "(none)");  // "L4" must not match inside "L40"
  EXPECT_EQ(id_of(""), "(none)");
}

TEST(Catalog, PeakTflopsByDeviceNameAndPrecision) {
  // Uses the shipped catalog through data_dir() (compiled-in path).
  EXPECT_DOUBLE_EQ(peak_tflops("NVIDIA H100 80GB HBM3", "bf16").value(), 989.4);
  EXPECT_DOUBLE_EQ(peak_tflops("NVIDIA H100 80GB HBM3", "fp32").value(), 67);
  EXPECT_DOUBLE_EQ(peak_tflops("Tesla T4", "fp16").value(), 65);
  EXPECT_DOUBLE_EQ(peak_tflops("Tesla T4", "amp").value(), 65);
  EXPECT_DOUBLE_EQ(peak_tflops("Tesla T4", "float32").value(), 8.1);
  EXPECT_FALSE(peak_tflops("Tesla T4", "bf16").has_value());  // Turing has none
  EXPECT_FALSE(peak_tflops("AMD EPYC 9654 96-Core Processor", "fp32").has_value());
  EXPECT_FALSE(peak_tflops("Some Unknown Accelerator", "fp32").has_value());
  EXPECT_FALSE(peak_tflops("Tesla T4", "int8").has_value());
}

TEST(Catalog, FindHardwareByIdNameOrMatch) {
  const std::vector<HardwareSpec> catalog = load_catalog(shipped_path());
  EXPECT_EQ(find_hardware(catalog, "H100-SXM")->id, "h100-sxm");
  EXPECT_EQ(find_hardware(catalog, "TPU v5e")->id, "tpu-v5e");
  EXPECT_EQ(find_hardware(catalog, "nope"), nullptr);
  try {
    require_hardware(catalog, "nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown hardware 'nope'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("h100-sxm"), std::string::npos);
  }
}

TEST(Catalog, RejectsInvalidRowsNamingLineAndColumn) {
  const std::string header =
      "id,name,kind,vendor,match,fp32_tflops,tf32_tflops,bf16_tflops,fp16_tflops,memory_gb,"
      "memory_bandwidth_gb_s,io_bandwidth_gb_s,typical_power_w,peak_power_w,price_usd_per_hour,release_year,"
      "source,notes\n";
  const auto message = [&](const std::string& row) {
    try {
      parse_catalog(parse_csv(header + row + "\n", "cat.csv"));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message("x1,X,gpu,V,X1,1,,,,,,,,,,2020,src,"), "(no error)");
  EXPECT_NE(message("x1,X,gpu,V,X1,-1,,,,,,,,,,2020,src,").find("cat.csv:2: column 'fp32_tflops': -1"),
            std::string::npos);
  EXPECT_NE(message("x1,X,gpu,V,X1,1,,,,,,,,,,2020,,").find("column 'source' is empty"), std::string::npos);
  EXPECT_NE(message("x1,X,npu,V,X1,1,,,,,,,,,,2020,src,").find("'npu' is not one of"), std::string::npos);
  EXPECT_NE(message("x1,X,gpu,V,X1,fast,,,,,,,,,,2020,src,").find("'fast' is not a number"),
            std::string::npos);
  EXPECT_NE(message("X 1,X,gpu,V,X1,1,,,,,,,,,,2020,src,").find("column 'id'"), std::string::npos);
  EXPECT_NE(
      message("x1,X,gpu,V,X1,1,,,,,,,,,,2020,src,\nx1,Y,gpu,V,Y,1,,,,,,,,,,2020,src,").find("appears twice"),
      std::string::npos);
  EXPECT_THROW(parse_catalog(parse_csv("id,name\nx,y\n", "short.csv")), Error);
}

TEST(Catalog, NormalizesPrecisionNames) {
  EXPECT_EQ(normalize_precision("FP32"), "fp32");
  EXPECT_EQ(normalize_precision("bfloat16"), "bf16");
  EXPECT_EQ(normalize_precision("half"), "fp16");
  EXPECT_EQ(normalize_precision("int8"), "");
}

}  // namespace
}  // namespace effbench
