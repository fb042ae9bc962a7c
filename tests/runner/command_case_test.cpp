#include "runner/command_case.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace effbench {
namespace {

TEST(PhaseLine, NameIsTaken) {
  std::string problem;
  EXPECT_EQ(parse_phase_line("EFFBENCH_PHASE train", problem), "train");
  EXPECT_EQ(parse_phase_line("EFFBENCH_PHASE eval.epoch-3:x_y\r", problem), "eval.epoch-3:x_y");
}

TEST(PhaseLine, OddLinesAreRefusedPrintably) {
  std::string problem;
  EXPECT_FALSE(parse_phase_line("EFFBENCH_PHASE", problem));
  EXPECT_FALSE(parse_phase_line("EFFBENCH_PHASE ", problem));
  EXPECT_FALSE(parse_phase_line("EFFBENCH_PHASE two words", problem));
  EXPECT_FALSE(parse_phase_line("EFFBENCH_PHASE " + std::string(kLongestPhaseName + 1, 'a'), problem));
  EXPECT_TRUE(parse_phase_line("EFFBENCH_PHASE " + std::string(kLongestPhaseName, 'a'), problem));
  EXPECT_FALSE(parse_phase_line("epoch 1 loss 0.3", problem));
  EXPECT_FALSE(parse_phase_line("EFFBENCH_PHASE evil\x1b[2J", problem));
  EXPECT_EQ(problem.find('\x1b'), std::string::npos) << problem;  // never raw to the terminal
}

TEST(PhaseLineSplitter, SplitsAcrossReadsAndDropsOverlongLines) {
  PhaseLineSplitter splitter;
  EXPECT_TRUE(splitter.add("EFFBENCH_PHA").empty());
  EXPECT_EQ(splitter.add("SE a\nEFFBENCH_PHASE b\nEFF"),
            (std::vector<std::string>{"EFFBENCH_PHASE a", "EFFBENCH_PHASE b"}));
  EXPECT_EQ(splitter.finish(), "EFF");
  const auto lines = splitter.add(std::string(kLongestPhaseLine + 10, 'x') + "\nEFFBENCH_PHASE c\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("longer than"), std::string::npos);
  EXPECT_EQ(lines[1], "EFFBENCH_PHASE c");
}

TEST(ProcessStat, ParsesNamesWithSpacesAndParentheses) {
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
  const std::string text =
      "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 "
      "12345 1000000 777 18446744073709551615 1 1 0 0 0\n";
  const auto stat = parse_process_stat(text);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->rss_pages, 777);
  EXPECT_FALSE(parse_process_stat("garbage"));
  EXPECT_FALSE(parse_process_stat("12 (short) S 1 2"));
}

// A /proc-like fixture: 10 -> {11 -> {13}, 12}, and 20 unrelated.
TEST(ProcessTree, SumsTheRootAndItsDescendantsOnly) {
  const std::filesystem::path root = std::filesystem::temp_directory_path() / "effbench_proc_fixture";
  std::filesystem::remove_all(root);
  const auto write = [&](int pid, int ppid, int rss_pages) {
    std::filesystem::create_directories(root / std::to_string(pid));
    std::ofstream(root / std::to_string(pid) / "stat")
        << pid << " (p " << pid << ") S " << ppid << " 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 " << rss_pages
        << " 0 0\n";
  };
  write(10, 1, 100);
  write(11, 10, 20);
  write(12, 10, 3);
  write(13, 11, 4000);
  write(20, 1, 99999);
  std::filesystem::create_directories(root / "self");  // not a PID
  const TreeSample sample = sample_process_tree(10, root.string(), 4096);
  EXPECT_EQ(sample.rss_bytes, (100 + 20 + 3 + 4000) * int64_t{4096});
  EXPECT_EQ(sample.pids.size(), 4u);
  EXPECT_EQ(sample_process_tree(11, root.string(), 1).rss_bytes, 4020);
  EXPECT_EQ(sample_process_tree(99, root.string(), 1).pids.size(), 0u);
  std::filesystem::remove_all(root);
}

TEST(ExitStatus, CodesAndSignalsMapAsAShellReports) {
  const auto status_of = [](const char* script) {
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", script, static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return exit_status_from_wait(status);
  };
  EXPECT_EQ(status_of("exit 0"), 0);
  EXPECT_EQ(status_of("exit 7"), 7);
  EXPECT_EQ(status_of("kill -TERM $$"), 128 + SIGTERM);
  EXPECT_EQ(status_of("kill -KILL $$"), 128 + SIGKILL);
}

TEST(RunCommand, PassesStatusPhasesAndTheirTimes) {
  std::vector<std::pair<std::string, double>> phases;
  double exited_s = -1;
  CommandHooks hooks;
  hooks.phase = [&](const std::string& name, double t_s) { phases.emplace_back(name, t_s); };
  hooks.exited = [&](double wall_s) { exited_s = wall_s; };
  const CommandOutcome outcome =
      run_command({"sh", "-c",
                   "echo 'EFFBENCH_PHASE one' >&$EFFBENCH_PHASE_FD; sleep 0.3; echo 'EFFBENCH_PHASE two' > "
                   "$EFFBENCH_PHASE_FILE; echo 'not a phase' >&$EFFBENCH_PHASE_FD; sleep 0.2; exit 3"},
                  hooks);
  EXPECT_EQ(outcome.exit_status, 3);
  EXPECT_FALSE(outcome.signal);
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].first, "one");
  EXPECT_EQ(phases[1].first, "two");
  EXPECT_NEAR(phases[1].second - phases[0].second, 0.3, 0.15);
  EXPECT_NEAR(outcome.wall_s, 0.5, 0.25);
  EXPECT_DOUBLE_EQ(exited_s, outcome.wall_s);
  ASSERT_EQ(outcome.warnings.size(), 1u);
  EXPECT_NE(outcome.warnings[0].find("not a phase"), std::string::npos);
}

TEST(RunCommand, CpuTimeOfASpinningTree) {
  // Two processes spin until each has used 0.6 s of CPU (counted by its own CPU clock, so a
  // busy machine makes them slower, not shorter): the tree's CPU time is 1.2 s plus start-up.
  const CommandOutcome outcome = run_command(
      {"sh", "-c",
       "python3 -c 'import time\nt=time.process_time()\nwhile time.process_time()-t<0.6: pass' & "
       "python3 -c 'import time\nt=time.process_time()\nwhile time.process_time()-t<0.6: pass'; wait"},
      CommandHooks{});
  EXPECT_EQ(outcome.exit_status, 0);
  const double cpu_s = outcome.cpu_user_s + outcome.cpu_system_s;
  EXPECT_GE(cpu_s, 1.2);
  EXPECT_LT(cpu_s, 1.2 + 0.6);  // plus the interpreters' start-up
}

TEST(RunCommand, PeakMemoryOfTheTreeSumsItsProcesses) {
  // Two children hold 150 MiB each at once: the tree's peak is >= 300 MiB, ru_maxrss alone would say 150.
  const std::string hold = "python3 -c 'import time\nb=bytearray(150<<20)\ntime.sleep(1.0)'";
  const CommandOutcome outcome = run_command({"sh", "-c", hold + " & " + hold + "; wait"}, CommandHooks{});
  EXPECT_EQ(outcome.exit_status, 0);
  ASSERT_TRUE(outcome.peak_rss_bytes);
  EXPECT_GE(*outcome.peak_rss_bytes, int64_t{300} << 20);
  EXPECT_LT(*outcome.peak_rss_bytes, int64_t{400} << 20);
  EXPECT_GE(outcome.rss_samples, 5);
  EXPECT_GE(outcome.tree_pids.size(), 3u);  // sh and the two pythons
}

TEST(RunCommand, AMissingProgramIsAnErrorNamingIt) {
  try {
    check_program_exists("effbench-no-such-program");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'effbench-no-such-program'"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
  EXPECT_THROW(run_command({"effbench-no-such-program"}, CommandHooks{}), Error);
  EXPECT_NO_THROW(check_program_exists("sh"));
  EXPECT_THROW(check_program_exists("/nonexistent/sh"), Error);
  EXPECT_THROW(check_program_exists("/tmp"), Error);  // a directory passes access(X_OK)
}

}  // namespace
}  // namespace effbench
