#include "runner/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace effbench {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  if (g_interrupted.exchange(true)) _exit(130);  // second Ctrl-C: leave now
  const char message[] = "\neffbench: interrupted; finishing the current step and saving finished cases "
                         "(Ctrl-C again to quit at once)\n";
  (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() { return g_interrupted.load(); }
void request_interrupt() { g_interrupted.store(true); }
void clear_interrupt() { g_interrupted.store(false); }

}  // namespace effbench
