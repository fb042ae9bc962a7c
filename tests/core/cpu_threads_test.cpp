#include "core/cpu_threads.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace effbench {
namespace {

// Two sockets, two cores each, two SMT threads per core: processors 0-7,
// numbered socket-major as written here (the kernel's own order varies).
std::string two_socket_cpuinfo() {
  std::string text;
  int processor = 0;
  for (int socket = 0; socket < 2; ++socket)
    for (int core = 0; core < 2; ++core)
      for (int thread = 0; thread < 2; ++thread)
        text += "processor\t: " + std::to_string(processor++) + "\nphysical id\t: " + std::to_string(socket) +
                "\ncore id\t\t: " + std::to_string(core) + "\n\n";
  return text;
}

TEST(CpuThreads, CountsThePhysicalCoresOfTheAllowedCpus) {
  const std::string text = two_socket_cpuinfo();
  EXPECT_EQ(physical_cores_among(text, {0, 1, 2, 3, 4, 5, 6, 7}), 4);
  EXPECT_EQ(physical_cores_among(text, {0, 1}), 1);     // siblings of socket 0, core 0
  EXPECT_EQ(physical_cores_among(text, {0, 2}), 2);     // two cores of socket 0
  EXPECT_EQ(physical_cores_among(text, {1, 5, 7}), 3);  // core ids repeat across sockets
}

TEST(CpuThreads, WithoutTopologyEveryAllowedCpuIsACore) {
  EXPECT_EQ(physical_cores_among("processor : 0\nprocessor : 1\nprocessor : 2\n", {0, 2}), 2);
  EXPECT_EQ(physical_cores_among("", {0, 1, 2}), 3);
}

TEST(CpuThreads, WritesCpuListsAsTheKernelDoes) {
  EXPECT_EQ(cpu_list_text({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(cpu_list_text({5}), "5");
  EXPECT_EQ(cpu_list_text({}), "");
}

TEST(CpuThreads, TheDefaultIsWithinTheAllowedCpus) {
  const int64_t threads = default_cpu_threads();
  EXPECT_GE(threads, 1);
  EXPECT_LE(threads, static_cast<int64_t>(allowed_cpus().size()));
}

TEST(CpuThreads, TheDescriptionSaysWhoChoseTheCountAndIsKept) {
  const std::string chosen = describe_cpu_threads(3, true);
  EXPECT_NE(chosen.find("3 threads (--threads)"), std::string::npos) << chosen;
  EXPECT_EQ(cpu_threads_setting(), chosen);
  const std::string by_default = describe_cpu_threads(1, false);
  EXPECT_NE(by_default.find("1 thread, one per physical core"), std::string::npos) << by_default;
  EXPECT_NE(by_default.find("may run on CPUs " + cpu_list_text(allowed_cpus())), std::string::npos)
      << by_default;
}

TEST(CpuThreads, TheDescriptionNamesTheOpenMpVariablesSet) {
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::setenv("GOMP_SPINCOUNT", "1000", 1);
  const std::string text = describe_cpu_threads(2, false);
  ::unsetenv("OMP_WAIT_POLICY");
  ::unsetenv("GOMP_SPINCOUNT");
  EXPECT_NE(text.find("; OpenMP: "), std::string::npos) << text;
  EXPECT_NE(text.find("OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=1000"), std::string::npos) << text;
  EXPECT_EQ(describe_cpu_threads(2, false).find("OMP_WAIT_POLICY"), std::string::npos);
}

// The runtime binds the main thread before main() when these are set, so the
// affinity mask is no longer the process's: every online CPU counts.
TEST(CpuThreads, WhereOpenMpBindsThreadsEveryOnlineCpuIsUsable) {
  ::setenv("OMP_PROC_BIND", "close", 1);
  EXPECT_TRUE(openmp_binds_threads());
  EXPECT_EQ(usable_cpus().size(), static_cast<size_t>(std::thread::hardware_concurrency()));
  ::setenv("OMP_PROC_BIND", "false", 1);
  EXPECT_FALSE(openmp_binds_threads());
  EXPECT_EQ(usable_cpus(), allowed_cpus());
  ::setenv("OMP_PLACES", "cores", 1);  // places alone bind (as OMP_PROC_BIND=true) unless binding is off
  EXPECT_FALSE(openmp_binds_threads());
  ::unsetenv("OMP_PROC_BIND");
  EXPECT_TRUE(openmp_binds_threads());
  ::unsetenv("OMP_PLACES");
  ::setenv("GOMP_CPU_AFFINITY", "0-1", 1);
  EXPECT_TRUE(openmp_binds_threads());
  ::unsetenv("GOMP_CPU_AFFINITY");
  EXPECT_FALSE(openmp_binds_threads());
}

}  // namespace
}  // namespace effbench
