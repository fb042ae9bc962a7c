#include "runner/command_case.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>

#include "core/clock.h"
#include "core/error.h"
#include "core/terminal_text.h"
#include "meters/sampling.h"
#include "runner/interrupt.h"

extern char** environ;

namespace effbench {

namespace {

const char kPhaseWord[] = "EFFBENCH_PHASE";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == ':' || c == '-';
}

std::string shown(const std::string& line) { return "'" + printable(line.substr(0, 80)) + "'"; }

}  // namespace

std::optional<std::string> parse_phase_line(const std::string& line, std::string& problem) {
  std::string text = line;
  if (!text.empty() && text.back() == '\r') text.pop_back();  // a line written on Windows
  const std::string prefix = std::string(kPhaseWord) + " ";
  if (text.rfind(prefix, 0) != 0) {
    problem = "expected 'EFFBENCH_PHASE <name>' but got " + shown(text);
    return std::nullopt;
  }
  const std::string name = text.substr(prefix.size());
  const bool valid = !name.empty() && name.size() <= kLongestPhaseName &&
                     std::all_of(name.begin(), name.end(), is_name_char);
  if (!valid) {
    problem = "expected a phase name of 1 to " + std::to_string(kLongestPhaseName) +
              " characters from [A-Za-z0-9_.:-] but got " + shown(name);
    return std::nullopt;
  }
  return name;
}

std::vector<std::string> PhaseLineSplitter::add(const std::string& bytes) {
  std::vector<std::string> lines;
  for (const char c : bytes) {
    if (c == '\n') {
      lines.push_back(overlong_ ? std::string(kPhaseWord) + " line longer than " +
                                      std::to_string(kLongestPhaseLine) + " bytes"
                                : pending_);
      pending_.clear();
      overlong_ = false;
    } else if (!overlong_) {
      pending_ += c;
      if (pending_.size() > kLongestPhaseLine) {
        overlong_ = true;
        pending_.clear();
      }
    }
  }
  return lines;
}

std::string PhaseLineSplitter::finish() {
  std::string rest =
      overlong_ ? "line longer than " + std::to_string(kLongestPhaseLine) + " bytes" : pending_;
  pending_.clear();
  overlong_ = false;
  return rest;
}

std::optional<ProcessStat> parse_process_stat(const std::string& text) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');  // the name may itself hold ')'
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessStat stat;
  try {
    stat.pid = std::stoll(text.substr(0, open));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  // After the name: field 3 state, 4 ppid, ..., 24 rss (pages).
  std::vector<std::string> fields;
  size_t at = close + 1;
  while (at < text.size() && fields.size() < 22) {
    const auto begin = text.find_first_not_of(" \n", at);
    if (begin == std::string::npos) break;
    const auto end = text.find_first_of(" \n", begin);
    fields.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    at = end == std::string::npos ? text.size() : end;
  }
  if (fields.size() < 22) return std::nullopt;
  uint64_t ppid = 0;
  uint64_t rss = 0;
  if (!parse_u64(fields[1], ppid)) return std::nullopt;
  // A negative rss never occurs in practice; a kernel thread reads 0.
  if (!parse_u64(fields[21], rss)) rss = 0;
  stat.ppid = static_cast<int64_t>(ppid);
  stat.rss_pages = static_cast<int64_t>(rss);
  return stat;
}

TreeSample sample_process_tree(int64_t root_pid, const std::string& proc_root, int64_t page_bytes) {
  std::map<int64_t, ProcessStat> processes;
  if (DIR* dir = opendir(proc_root.c_str())) {
    while (const dirent* entry = readdir(dir)) {
      uint64_t pid = 0;
      if (!parse_u64(entry->d_name, pid)) continue;
      const FileRead stat = read_small_file(proc_root + "/" + entry->d_name + "/stat");
      if (!stat.ok) continue;  // gone since readdir
      if (const auto parsed = parse_process_stat(stat.text)) processes[parsed->pid] = *parsed;
    }
    closedir(dir);
  }
  std::multimap<int64_t, int64_t> children;  // ppid -> pid
  for (const auto& [pid, stat] : processes) children.emplace(stat.ppid, pid);
  TreeSample sample;
  std::vector<int64_t> queue = {root_pid};
  while (!queue.empty()) {
    const int64_t pid = queue.back();
    queue.pop_back();
    const auto found = processes.find(pid);
    if (found == processes.end()) continue;
    sample.pids.push_back(pid);
    sample.rss_bytes += found->second.rss_pages * page_bytes;
    const auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) queue.push_back(it->second);
  }
  return sample;
}

int exit_status_from_wait(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;  // stopped or continued: not an end
}

namespace {

// Note [Stopping a command]
// Ctrl-C at a terminal sends SIGINT to the whole foreground process group,
// the command included: forwarding it again would interrupt the command's own
// clean-up (Python's second KeyboardInterrupt). So effbench forwards only a
// signal that another process sent it (kill, a job scheduler's SIGTERM), and
// waits for the command to end. The command gets kCommandGraceS to exit; then
// it is killed, so that what was measured is still saved; a second Ctrl-C
// or SIGTERM kills it at once (its whole tree, as last sampled), and the
// case is still saved. effbench's own
// grace alarm (Note [Interrupt grace]) is disarmed meanwhile: this loop
// answers within one poll.
constexpr double kCommandGraceS = 20;
constexpr int kPollMs = 20;

struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  ~Pipe() {
    if (read_fd >= 0) close(read_fd);
    if (write_fd >= 0) close(write_fd);
  }
};

// The environment of the command: effbench's, with the phase pipe's variables set.
std::vector<std::string> command_environment(int phase_fd) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (text.rfind("EFFBENCH_PHASE_FD=", 0) == 0 || text.rfind("EFFBENCH_PHASE_FILE=", 0) == 0) continue;
    env.push_back(text);
  }
  env.push_back("EFFBENCH_PHASE_FD=" + std::to_string(phase_fd));
  env.push_back("EFFBENCH_PHASE_FILE=/proc/self/fd/" + std::to_string(phase_fd));
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& words) {
  std::vector<char*> pointers;
  for (auto& word : words) pointers.push_back(word.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Reads what the pipe holds now; returns false at end of file or error.
bool read_available(int fd, std::string& bytes) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      bytes.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

class CommandWatch {
 public:
  CommandWatch(const CommandHooks& hooks, const std::string& proc_root)
      : hooks_(hooks), proc_root_(proc_root), page_bytes_(sysconf(_SC_PAGESIZE)) {}

  void take_lines(const std::string& bytes, double t_s) {
    for (const auto& line : splitter_.add(bytes)) take_line(line, t_s);
  }
  void finish_lines(double t_s) {
    const std::string rest = splitter_.finish();
    if (!rest.empty()) take_line(rest, t_s);
  }
  void sample(int64_t pid) {
    const TreeSample tree = sample_process_tree(pid, proc_root_, page_bytes_);
    if (tree.pids.empty()) return;  // not yet in /proc, or gone
    ++outcome.rss_samples;
    outcome.peak_rss_bytes = std::max(outcome.peak_rss_bytes.value_or(0), tree.rss_bytes);
    outcome.tree_pids.insert(tree.pids.begin(), tree.pids.end());
    latest_pids = tree.pids;
  }

  CommandOutcome outcome;
  std::vector<int64_t> latest_pids;  // the tree at the latest sample, for the grace period's SIGKILL

 private:
  void take_line(const std::string& line, double t_s) {
    std::string problem;
    if (const auto name = parse_phase_line(line, problem)) {
      if (hooks_.phase) hooks_.phase(*name, t_s);
      return;
    }
    const std::string warning = "phase line ignored: " + problem;
    if (ignored_lines_++ < 5) {  // a command that writes its log there would flood the screen
      outcome.warnings.push_back(warning);
      if (hooks_.on_message) hooks_.on_message(warning);
    }
  }

  const CommandHooks& hooks_;
  std::string proc_root_;
  int64_t page_bytes_;
  PhaseLineSplitter splitter_;
  int64_t ignored_lines_ = 0;
};

pid_t spawn(const std::vector<std::string>& argv, int phase_write_fd) {
  std::vector<std::string> words = argv;
  std::vector<std::string> env = command_environment(phase_write_fd);
  std::vector<char*> c_argv = c_strings(words);
  std::vector<char*> c_env = c_strings(env);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, argv.front().c_str(), nullptr, nullptr, c_argv.data(), c_env.data());
  EFFBENCH_CHECK(error == 0, "monitor: cannot start '", printable(argv.front()), "': ", std::strerror(error),
                 error == ENOENT ? " (not found in PATH; give its path or check the spelling)" : "");
  return pid;
}

// A regular file this process may execute (a directory passes access(X_OK)).
bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

void check_program_exists(const std::string& program) {
  EFFBENCH_CHECK(
      !program.empty(),
      "monitor: expected a command after '--' (e.g. effbench monitor -- python3 train.py) but got none");
  const std::string not_found = "monitor: cannot start '" + printable(program) + "': ";
  if (program.find('/') != std::string::npos) {
    EFFBENCH_CHECK(access(program.c_str(), X_OK) == 0, not_found, std::strerror(errno));
    EFFBENCH_CHECK(is_executable_file(program), not_found, "not an executable file");
    return;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t begin = 0;
  for (;;) {
    const size_t end = dirs.find(':', begin);
    std::string dir = dirs.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (dir.empty()) dir = ".";
    if (is_executable_file(dir + "/" + program)) return;
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  throw Error(not_found + "not found in PATH (give its path or check the spelling)");
}

CommandOutcome run_command(const std::vector<std::string>& argv, const CommandHooks& hooks,
                           const std::string& proc_root) {
  EFFBENCH_CHECK(
      !argv.empty() && !argv.front().empty(),
      "monitor: expected a command after '--' (e.g. effbench monitor -- python3 train.py) but got none");
  Pipe phase_pipe;
  int fds[2];
  EFFBENCH_CHECK(pipe(fds) == 0, "monitor: cannot create the phase pipe: ", std::strerror(errno));
  phase_pipe.read_fd = fds[0];
  phase_pipe.write_fd = fds[1];
  // The read end stays here; the write end is inherited by the command only.
  fcntl(phase_pipe.read_fd, F_SETFD, FD_CLOEXEC);
  fcntl(phase_pipe.read_fd, F_SETFL, O_NONBLOCK);

  Stopwatch clock;
  const pid_t pid = spawn(argv, phase_pipe.write_fd);
  // Note [Stopping a command]: from here a second signal kills the command instead of leaving.
  struct CommandRunning {
    CommandRunning() { set_command_running(true); }
    ~CommandRunning() { set_command_running(false); }
  } command_running;
  close(phase_pipe.write_fd);
  phase_pipe.write_fd = -1;
  if (hooks.started) hooks.started();

  CommandWatch watch(hooks, proc_root);
  std::string bytes;
  bool pipe_open = true;
  double next_sample_s = 0;
  std::optional<double> stop_asked_s;
  bool killed = false;  // the tree was sent SIGKILL (grace over, or a second signal)
  int wait_status = 0;
  struct rusage usage {};
  for (;;) {
    if (clock.elapsed_s() >= next_sample_s) {
      watch.sample(pid);
      next_sample_s = clock.elapsed_s() + kRssPeriodS;
    }
    const pid_t waited = wait4(pid, &wait_status, WNOHANG, &usage);
    if (waited == pid) break;
    if (waited < 0 && errno != EINTR)
      throw Error(std::string("monitor: wait4 failed: ") + std::strerror(errno));
    if (interrupt_requested() && !stop_asked_s) {
      stop_asked_s = clock.elapsed_s();
      disarm_interrupt_grace();  // Note [Stopping a command]
      if (interrupt_sent_by_process() && interrupt_signal() != 0) kill(pid, interrupt_signal());
    }
    if (stop_asked_s && !killed &&
        (interrupt_repeated() || clock.elapsed_s() - *stop_asked_s > kCommandGraceS)) {
      // The child first (so that it ends killed, not by reaping its own children), then the rest of
      // the tree as sampled just before (a launcher's workers hold the GPU too).
      watch.sample(pid);
      kill(pid, SIGKILL);
      for (const int64_t tree_pid : watch.latest_pids) {
        if (tree_pid != pid && tree_pid != getpid()) kill(static_cast<pid_t>(tree_pid), SIGKILL);
      }
      killed = true;
    }
    struct pollfd poll_fd {
      phase_pipe.read_fd, POLLIN, 0
    };
    if (pipe_open && poll(&poll_fd, 1, kPollMs) > 0) {
      bytes.clear();
      pipe_open = read_available(phase_pipe.read_fd, bytes);
      watch.take_lines(bytes, clock.elapsed_s());
    } else if (!pipe_open) {
      usleep(kPollMs * 1000);
    }
  }
  const double wall_s = clock.elapsed_s();
  // Lines written just before the exit (a descendant may still hold the pipe: read only what is there).
  bytes.clear();
  if (pipe_open) read_available(phase_pipe.read_fd, bytes);
  watch.take_lines(bytes, wall_s);
  watch.finish_lines(wall_s);
  if (hooks.exited) hooks.exited(wall_s);

  CommandOutcome outcome = std::move(watch.outcome);
  outcome.exit_status = exit_status_from_wait(wait_status);
  if (WIFSIGNALED(wait_status)) outcome.signal = WTERMSIG(wait_status);
  outcome.wall_s = wall_s;
  outcome.cpu_user_s =
      static_cast<double>(usage.ru_utime.tv_sec) + 1e-6 * static_cast<double>(usage.ru_utime.tv_usec);
  outcome.cpu_system_s =
      static_cast<double>(usage.ru_stime.tv_sec) + 1e-6 * static_cast<double>(usage.ru_stime.tv_usec);
  outcome.interrupted = stop_asked_s.has_value();
  return outcome;
}

}  // namespace effbench
