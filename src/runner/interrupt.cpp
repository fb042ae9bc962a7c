#include "runner/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace effbench {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};                // the first stop signal received
std::atomic<bool> g_sent_by_process{false};  // it came from kill(), not from the terminal
std::atomic<bool> g_command_running{false};  // a monitored command runs: a second signal must not leave
std::atomic<bool> g_repeated{false};         // a second signal came while a command ran

// Note [Interrupt grace]
// The first SIGINT or SIGTERM asks the run to stop after the current step;
// every finished case has already been saved (the JSON and the database are
// written after each case). A step can fail to return, though: a LibTorch
// call that never ends (TorchScript's fuser compiling with LLVM on 2.6 was
// one) would leave a process that ignores Ctrl-C and `kill`. So the first
// signal also arms an alarm: a step still unfinished kGraceS later ends the
// process with the interrupted exit code. Once the run's steps have returned
// it disarms the alarm (disarm_interrupt_grace), so that saving and the
// report are never cut short. A second signal leaves at once, except while a
// monitored command runs: leaving would orphan it and lose its measurement,
// so the second signal asks for the command's tree to be killed now
// (interrupt_repeated), and the case is still saved.
constexpr unsigned kGraceS = 20;

void write_stderr(const char* message, size_t size) { (void)!write(STDERR_FILENO, message, size); }

void on_grace_expired(int) {
  const char message[] =
      "\neffbench: the current step did not finish within 20 s of the interrupt; leaving now "
      "(finished cases were saved)\n";
  write_stderr(message, sizeof(message) - 1);
  _exit(130);
}

void on_stop_signal(int signal, siginfo_t* info, void*) {
  if (g_interrupted.load()) {  // a second signal
    if (!g_command_running.load()) _exit(130);
    g_repeated.store(true);
    return;
  }
  // What came first is stored before the flag that makes the run look at it.
  g_signal.store(signal);
  // SI_USER, SI_QUEUE, SI_TKILL are <= 0; a terminal's Ctrl-C is SI_KERNEL.
  g_sent_by_process.store(info != nullptr && info->si_code <= 0);
  g_interrupted.store(true);
  const char message[] =
      "\neffbench: interrupted; finishing the current step and saving finished cases "
      "(Ctrl-C again to quit at once)\n";
  write_stderr(message, sizeof(message) - 1);
  alarm(kGraceS);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_sigaction = on_stop_signal;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);  // one handler at a time
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  struct sigaction grace {};
  grace.sa_handler = on_grace_expired;
  sigemptyset(&grace.sa_mask);
  sigaction(SIGALRM, &grace, nullptr);
}

bool interrupt_requested() { return g_interrupted.load(); }
void request_interrupt() { g_interrupted.store(true); }
int interrupt_signal() { return g_signal.load(); }
bool interrupt_sent_by_process() { return g_sent_by_process.load(); }
void disarm_interrupt_grace() { alarm(0); }
void set_command_running(bool running) { g_command_running.store(running); }
bool interrupt_repeated() { return g_repeated.load(); }
void clear_interrupt() {
  alarm(0);
  g_repeated.store(false);
  g_interrupted.store(false);
  g_signal.store(0);
  g_sent_by_process.store(false);
}

}  // namespace effbench
