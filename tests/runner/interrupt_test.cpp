#include "runner/interrupt.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace effbench {
namespace {

using Clock = std::chrono::steady_clock;

// Forks a child that installs the handler, receives `signals` SIGTERMs and
// then never returns from its "step"; returns its exit status and how long
// it lived in seconds.
std::pair<int, double> run_stuck_child(int signals) {
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    install_interrupt_handler();
    for (int i = 0; i < signals; ++i) kill(getpid(), SIGTERM);
    for (;;) pause();  // a step that never returns
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double lived_s = std::chrono::duration<double>(Clock::now() - start).count();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), lived_s};
}

TEST(Interrupt, AStepThatNeverReturnsEndsAfterTheGracePeriod) {
  const auto [code, lived_s] = run_stuck_child(1);
  EXPECT_EQ(code, 130);
  EXPECT_GE(lived_s, 19.0);  // Note [Interrupt grace]: 20 s
  EXPECT_LT(lived_s, 40.0);
}

TEST(Interrupt, ASecondSignalLeavesAtOnce) {
  const auto [code, lived_s] = run_stuck_child(2);
  EXPECT_EQ(code, 130);
  EXPECT_LT(lived_s, 10.0);
}

TEST(Interrupt, AHonouredInterruptDisarmsTheGracePeriod) {
  const pid_t pid = fork();
  if (pid == 0) {
    install_interrupt_handler();
    kill(getpid(), SIGTERM);
    disarm_interrupt_grace();  // the step returned; saving may take longer
    sleep(22);
    _exit(interrupt_requested() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);  // not 130: the alarm did not fire
}

TEST(Interrupt, TheFirstSignalOnlyAsks) {
  install_interrupt_handler();
  EXPECT_FALSE(interrupt_requested());
  raise(SIGINT);
  EXPECT_TRUE(interrupt_requested());
  clear_interrupt();  // disarms the grace alarm, or this test process would end
  EXPECT_FALSE(interrupt_requested());
}

}  // namespace
}  // namespace effbench
