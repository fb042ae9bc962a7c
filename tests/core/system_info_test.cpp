#include "core/system_info.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace effbench {
namespace {

TEST(SystemInfo, CountsPhysicalCoresFromTopology) {
  // Two sockets, two cores each, hyper-threaded: 8 logical, 4 physical.
  std::string text;
  for (int socket = 0; socket < 2; ++socket)
    for (int core = 0; core < 2; ++core)
      for (int thread = 0; thread < 2; ++thread)
        text += "processor\t: x\nphysical id\t: " + std::to_string(socket) +
                "\ncore id\t\t: " + std::to_string(core) + "\n\n";
  EXPECT_EQ(count_physical_cores(text, 8), 4);
  EXPECT_EQ(count_physical_cores("processor : 0\n", 3), 3);
}

TEST(SystemInfo, ReadsCpuModelAndMemoryFromProcFiles) {
  const auto root = std::filesystem::temp_directory_path() / "effbench_proc_test";
  std::filesystem::create_directories(root);
  std::ofstream(root / "cpuinfo") << "processor\t: 0\nmodel name\t: Test CPU 9000\n";
  std::ofstream(root / "meminfo") << "MemTotal:       2048 kB\nMemFree: 1 kB\n";
  const SystemInfo info = read_host_info(root.string());
  EXPECT_EQ(info.cpu_model, "Test CPU 9000");
  EXPECT_EQ(info.memory_bytes, 2048 * 1024);
  EXPECT_GT(info.logical_cores, 0);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace effbench
