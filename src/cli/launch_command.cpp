// `effbench launch --nproc N -- run --distributed ...`: one machine's
// launcher, torchrun's conventions. Each rank is this same binary with RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a free
// MASTER_PORT in its environment. The launcher waits for every rank and exits
// with the first failing rank's code (128 + signal for a killed rank); the
// surviving ranks notice a dead peer themselves (--dist-timeout-s).

#include "cli/launch_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "core/error.h"

extern char** environ;

namespace effbench {
namespace {

struct LaunchOptions {
  int64_t nproc = 2;
  int master_port = 0;  // 0: a free port
  std::vector<std::string> arguments;
};

std::atomic<int> g_forward_signal{0};

void remember_signal(int signal_number) { g_forward_signal = signal_number; }

// A port nobody listens on now (the kernel's choice for port 0). Rank 0 binds
// it moments later; another process could take it in between, which rank 0
// then reports as "MASTER_PORT ... is in use".
int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  check(fd >= 0, std::string("launch: cannot open a socket to find a free port: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  check(ok, "launch: cannot find a free port on 127.0.0.1; pass --master-port");
  return ntohs(address.sin_port);
}

bool is_rank_variable(const std::string& entry) {
  for (const char* name :
       {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "LOCAL_WORLD_SIZE=", "MASTER_ADDR=", "MASTER_PORT="}) {
    if (entry.rfind(name, 0) == 0) return true;
  }
  return false;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int exit_code_of(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

void launch(const LaunchOptions& options) {
  check(options.nproc >= 1 && options.nproc <= 1024,
        "--nproc: expected 1..1024 processes but got " + std::to_string(options.nproc));
  check(!options.arguments.empty(),
        "launch: expected the effbench command to run after --, e.g. "
        "`effbench launch --nproc 2 -- run --model conv6`");
  check(options.arguments.front() != "launch", "launch: the command after -- cannot be launch itself");
  std::vector<std::string> arguments = options.arguments;
  if (arguments.front() == "run" &&
      std::find(arguments.begin(), arguments.end(), "--distributed") == arguments.end()) {
    arguments.insert(arguments.begin() + 1, "--distributed");
  }
  const int port = options.master_port > 0 ? options.master_port : free_loopback_port();
  check(port <= 65535, "--master-port: expected 1..65535 but got " + std::to_string(port));

  char self[4096] = {};
  const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  check(length > 0, "launch: cannot find the effbench binary through /proc/self/exe");

  std::cerr << "effbench launch: " << options.nproc << " ranks on 127.0.0.1:" << port << "\n";
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::vector<pid_t> pids;
  for (int64_t rank = 0; rank < options.nproc; ++rank) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!is_rank_variable(*e)) env.emplace_back(*e);
    }
    env.push_back("RANK=" + std::to_string(rank));
    env.push_back("WORLD_SIZE=" + std::to_string(options.nproc));
    env.push_back("LOCAL_RANK=" + std::to_string(rank));
    env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(options.nproc));
    env.push_back("MASTER_ADDR=127.0.0.1");
    env.push_back("MASTER_PORT=" + std::to_string(port));
    std::vector<char*> envp;
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = {self};
    argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, self, nullptr, nullptr, argv.data(), envp.data());
    if (error != 0) {
      for (pid_t started : pids) kill(started, SIGTERM);
      for (pid_t started : pids) waitpid(started, nullptr, 0);
      throw Error("launch: cannot start rank " + std::to_string(rank) + ": " + std::strerror(error));
    }
    pids.push_back(pid);
  }

  // Wait for every rank; Ctrl-C and SIGTERM are passed on to them.
  std::vector<bool> running(pids.size(), true);
  size_t left = pids.size();
  int exit_code = 0;
  bool forwarded = false;
  while (left > 0) {
    if (g_forward_signal != 0 && !forwarded) {
      for (size_t r = 0; r < pids.size(); ++r) {
        if (running[r]) kill(pids[r], g_forward_signal);
      }
      forwarded = true;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const auto it = std::find(pids.begin(), pids.end(), pid);
    if (it == pids.end()) continue;
    const auto rank = static_cast<size_t>(it - pids.begin());
    running[rank] = false;
    --left;
    if (status != 0) {
      std::cerr << "effbench launch: rank " << rank << " (pid " << pid << ") " << describe_status(status)
                << "\n";
      if (exit_code == 0) exit_code = exit_code_of(status);
    }
  }
  if (exit_code != 0) request_exit_code(exit_code);
}

}  // namespace

void add_launch_command(CLI::App& app) {
  auto options = std::make_shared<LaunchOptions>();
  auto* cmd =
      app.add_subcommand("launch",
                         "Start N local ranks of an effbench command on loopback (torchrun's environment), "
                         "e.g. `effbench launch --nproc 2 -- run --model conv6 --device cpu`");
  cmd->add_option("--nproc", options->nproc, "Processes (ranks) to start on this machine")
      ->capture_default_str();
  cmd->add_option("--master-port", options->master_port,
                  "Rendezvous port on 127.0.0.1 (default: a free port)");
  cmd->add_option("command", options->arguments, "The effbench command and its options, after --");
  cmd->callback([options] { launch(*options); });
}

}  // namespace effbench
