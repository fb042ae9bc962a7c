#include "cli/command.h"

#include <algorithm>
#include <atomic>
#include <iostream>

namespace effbench {
namespace {
std::atomic<int> g_exit_code{0};
std::vector<std::string> g_command_line;
}  // namespace

void request_exit_code(int code) {
  int current = g_exit_code.load();
  while (code > current && !g_exit_code.compare_exchange_weak(current, code)) {
  }
}

int requested_exit_code() { return g_exit_code.load(); }

void set_command_line(int argc, char** argv) { g_command_line.assign(argv, argv + argc); }
const std::vector<std::string>& command_line() { return g_command_line; }

void warn_unreadable_run(const std::string& run_id, const std::string& error) {
  std::cerr << "effbench: warning: run " << run_id << " left out: " << error << "\n";
}

}  // namespace effbench
