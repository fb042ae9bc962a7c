#include "core/system_info.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace effbench {
namespace {

TEST(SystemInfo, NativeBf16IsAFlagOfTheCpu) {
  EXPECT_TRUE(cpu_has_native_bf16("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 vaes\n"));
  EXPECT_TRUE(cpu_has_native_bf16("flags\t: fpu amx_bf16 amx_tile\n"));
  // avx512bw is not bf16, and a flag elsewhere in the text is not a flag.
  EXPECT_FALSE(cpu_has_native_bf16("flags\t: fpu avx512f avx512bw\nbugs\t: avx512_bf16\n"));
  EXPECT_FALSE(cpu_has_native_bf16("processor : 0\n"));
}

TEST(SystemInfo, ReadsCpuModelAndMemoryFromProcFiles) {
  const auto root = std::filesystem::temp_directory_path() / "effbench_proc_test";
  std::filesystem::create_directories(root);
  std::ofstream(root / "cpuinfo") << "processor\t: 0\nmodel name\t: Test CPU 9000\n";
  std::ofstream(root / "meminfo") << "MemTotal:       2048 kB\nMemFree: 1 kB\n";
  const SystemInfo info = read_host_info(root.string());
  EXPECT_EQ(info.cpu_model, "Test CPU 9000");
  EXPECT_EQ(info.memory_bytes, 2048 * 1024);
  EXPECT_FALSE(memory_available_bytes(root.string()));  // no MemAvailable line
  std::ofstream(root / "meminfo") << "MemTotal:       2048 kB\nMemAvailable:    1536 kB\n";
  EXPECT_EQ(memory_available_bytes(root.string()), 1536 * 1024);
  EXPECT_GT(info.logical_cores, 0);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace effbench
