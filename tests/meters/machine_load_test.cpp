// Note [Busy machine]: the load between two snapshots, against figures
// worked out by hand, and a real busy process next to this one.

#include "meters/machine_load.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace effbench {
namespace {

namespace fs = std::filesystem;

LoadSnapshot snapshot(double wall_s, double own_cpu_s, uint64_t busy_ticks, uint64_t steal_ticks) {
  LoadSnapshot s;
  s.wall_s = wall_s;
  s.own_cpu_s = own_cpu_s;
  s.busy_ticks = busy_ticks;
  s.steal_ticks = steal_ticks;
  return s;
}

TEST(MachineLoad, OthersAreTheHostsBusyCoresLessOurs) {
  // 10 s of wall time at 100 ticks/s: the host was busy 1500 ticks = 1.5
  // cores, this process used 12 s of CPU = 1.2 cores, so others 0.3 cores;
  // 2 cores given: allowed max(0.1, 0.1 x 2) = 0.2 cores, so busy.
  const auto load = machine_load_between(snapshot(100, 50, 10000, 7), snapshot(110, 62, 11500, 17), 2, 100);
  ASSERT_TRUE(load);
  EXPECT_DOUBLE_EQ(load->wall_s, 10);
  EXPECT_DOUBLE_EQ(load->host_busy_cores, 1.5);
  EXPECT_DOUBLE_EQ(load->own_cores, 1.2);
  EXPECT_NEAR(load->others_cores, 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(load->steal_cores, 0.01);  // 10 ticks over 10 s
  EXPECT_TRUE(load->busy);
  // The same others on 4 given cores are within 0.1 x 4 = 0.4: quiet.
  EXPECT_FALSE(machine_load_between(snapshot(100, 50, 10000, 7), snapshot(110, 62, 11500, 17), 4, 100)->busy);
  // Steal alone makes a case busy: 300 ticks over 10 s = 0.3 cores.
  EXPECT_TRUE(machine_load_between(snapshot(0, 0, 0, 0), snapshot(10, 0, 0, 300), 2, 100)->busy);
  // Counted ticks a little below the process's exact time: others 0, not negative.
  EXPECT_DOUBLE_EQ(
      machine_load_between(snapshot(0, 0, 0, 0), snapshot(10, 10.5, 1000, 0), 2, 100)->others_cores, 0.0);
  // No /proc: no judgement.
  LoadSnapshot blind;
  blind.wall_s = 1;
  EXPECT_FALSE(machine_load_between(blind, snapshot(2, 0, 0, 0), 2, 100));
}

TEST(MachineLoad, SnapshotReadsProcStatsCpuLineAndRunQueue) {
  const fs::path root = fs::temp_directory_path() / ("effbench-load-" + std::to_string(::getpid()));
  fs::create_directories(root);
  // user nice system idle iowait irq softirq steal: busy = 100+2+30+4+5+6 = 147 ticks, steal 6.
  std::ofstream(root / "stat") << "cpu  100 2 30 500 40 4 5 6 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n"
                                  "intr 1\nprocs_running 3\nprocs_blocked 0\n";
  std::ofstream(root / "cpuinfo")
      << "processor\t: 0\ncpu MHz\t\t: 2000.5\n\nprocessor\t: 1\ncpu MHz\t\t: 3000.5\n";
  const fs::path cpu = root / "sys" / "devices" / "system" / "cpu";
  fs::create_directories(cpu / "cpu0" / "cpufreq");
  fs::create_directories(cpu / "smt");
  std::ofstream(cpu / "cpu0" / "cpufreq" / "scaling_governor") << "powersave\n";
  std::ofstream(cpu / "smt" / "active") << "1\n";
  const LoadSnapshot s = take_load_snapshot(
      root.string(), [] { return 5.0; }, (root / "sys").string());
  EXPECT_DOUBLE_EQ(s.cpu_mhz.value_or(0), 2500.5);  // the mean of the two processors
  EXPECT_EQ(s.governor, "powersave");
  EXPECT_EQ(s.smt_active, std::optional<bool>(true));
  EXPECT_GE(s.affinity_cores, 1);
  ASSERT_TRUE(s.busy_ticks);
  EXPECT_EQ(*s.busy_ticks, 141u);  // steal is counted apart
  EXPECT_EQ(*s.steal_ticks, 6u);
  EXPECT_EQ(s.procs_running, 3);
  EXPECT_DOUBLE_EQ(s.wall_s, 5.0);
  fs::remove_all(root);
}

TEST(MachineLoad, ABusyChildProcessIsSeen) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (volatile uint64_t spin = 0;; ++spin) {
    }
  }
  const LoadSnapshot before = take_load_snapshot();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // this process idles; the child spins
  const auto load =
      machine_load_between(before, take_load_snapshot(), 1, static_cast<double>(sysconf(_SC_CLK_TCK)));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(load) << "no /proc/stat on this machine";
  EXPECT_GT(load->others_cores, 0.5);  // the child alone keeps a core busy
  EXPECT_LT(load->own_cores, 0.2);
  EXPECT_TRUE(load->busy);
  EXPECT_NE(busy_machine_warning(*load).find("busy machine: other processes used"), std::string::npos);
}

// Note [Others on a GPU]: a CUDA case whose GPU lists other processes, or
// ends slowed by heat, is warned about; its ordinary power cap is not.
TEST(GpuStateWarnings, OtherProcessesAndSlowdownsAreSaid) {
  const fs::path proc = fs::temp_directory_path() / ("effbench-gpu-proc-" + std::to_string(getpid()));
  fs::create_directories(proc / "4242");  // 4242 is in this PID namespace, 99 is not
  CaseRecord c;
  c.device = Device::parse("cuda:0", "test");
  EnergyReading r;
  r.source = EnergySource::kNvmlEnergyCounter;
  r.scope = "gpu-board";
  r.device = "cuda:0";
  DeviceState start, end;
  start.other_processes = std::vector<GpuProcess>{{4242, int64_t{1} << 30, "compute"}};
  end.other_processes =
      std::vector<GpuProcess>{{4242, int64_t{1} << 30, "compute"}, {99, std::nullopt, "graphics"}};
  end.throttle_reason_names = {"sw_power_cap", "hw_thermal_slowdown"};
  end.temperature_c = 91;
  r.state_start = start;
  r.state_end = end;
  c.energy = {r};
  const auto warnings = gpu_state_warnings(c, proc.string());
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("shared GPU: other processes used cuda:0"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("pid 99 graphics [not in this PID namespace]"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("pid 4242 compute (1.00 GiB)"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[0].find("pid 4242 compute (1.00 GiB) [not"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("slowed by hw_thermal_slowdown at the end"), std::string::npos) << warnings[1];
  EXPECT_EQ(warnings[1].find("sw_power_cap"), std::string::npos) << warnings[1];

  // Alone on the GPU, at its power cap: nothing to say; nor for another GPU's readings or a cpu case.
  end.other_processes = std::vector<GpuProcess>{};
  end.throttle_reason_names = {"sw_power_cap"};
  c.energy[0].state_start->other_processes = std::vector<GpuProcess>{};
  c.energy[0].state_end = end;
  EXPECT_TRUE(gpu_state_warnings(c, proc.string()).empty());
  c.energy[0].state_start->other_processes = std::vector<GpuProcess>{{4242, std::nullopt, "compute"}};
  c.device = Device::parse("cuda:1", "test");
  EXPECT_TRUE(gpu_state_warnings(c, proc.string()).empty());
  c.device = Device::parse("cpu", "test");
  EXPECT_TRUE(gpu_state_warnings(c, proc.string()).empty());
  // A data-parallel case: rank 1's reading of its own cuda:0 (another host's, or a sibling rank's view)
  // and a cross-check are not this GPU's story.
  c.device = Device::parse("cuda:0", "test");
  c.energy[0].rank = 1;
  EXPECT_TRUE(gpu_state_warnings(c, proc.string()).empty());
  c.energy[0].rank = 0;
  c.energy[0].cross_check = true;
  EXPECT_TRUE(gpu_state_warnings(c, proc.string()).empty());
  c.energy[0].cross_check = false;
  EXPECT_EQ(gpu_state_warnings(c, proc.string()).size(), 1u);  // rank 0's own: the other process on it
  fs::remove_all(proc);
}

}  // namespace
}  // namespace effbench

namespace effbench {
namespace {

// Note [Busy machine]: a child effbench waited for (a monitored command) counts as its own CPU.
TEST(MachineLoad, AWaitedChildCountsAsOwn) {
  const LoadSnapshot before = take_load_snapshot();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const LoadSnapshot start = take_load_snapshot();
    while (take_load_snapshot().own_cpu_s - start.own_cpu_s < 0.5) {
    }
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  const auto load =
      machine_load_between(before, take_load_snapshot(), 1, static_cast<double>(sysconf(_SC_CLK_TCK)));
  ASSERT_TRUE(load) << "no /proc/stat on this machine";
  EXPECT_GE(load->own_cores * load->wall_s, 0.5);
}

TEST(ClaimCommandGpuProcesses, TheTreesProcessesAreTheCommands) {
  EnergyReading r;
  r.scope = "gpu-board";
  r.device = "cuda:0";
  DeviceState start, end;
  start.other_processes =
      std::vector<GpuProcess>{{100, int64_t{1000}, "compute"}, {200, int64_t{5}, "compute"}};
  end.other_processes = std::vector<GpuProcess>{{100, int64_t{3000}, "compute"}};
  r.state_start = start;
  r.state_end = end;
  std::vector<EnergyReading> readings = {r};
  std::vector<GpuProcess> claimed;
  claim_command_gpu_processes({100, 101}, readings, claimed);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].pid, 100);
  EXPECT_EQ(claimed[0].used_memory_bytes.value(), 3000);  // the largest seen
  ASSERT_EQ(readings[0].state_start->other_processes->size(), 1u);
  EXPECT_EQ(readings[0].state_start->other_processes->at(0).pid, 200);  // still someone else's
  EXPECT_TRUE(readings[0].state_end->other_processes->empty());
  CaseRecord record;
  record.device = Device::parse("cuda:0", "test");
  record.energy = readings;
  const auto warnings = gpu_state_warnings(record);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("pid 200"), std::string::npos);
  EXPECT_EQ(warnings[0].find("pid 100"), std::string::npos);
}

}  // namespace
}  // namespace effbench
