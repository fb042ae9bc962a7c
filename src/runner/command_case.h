#pragma once
// A command case (`effbench monitor -- COMMAND`): starts any program, waits
// for it while sampling the resident memory of its process tree and reading
// the phase lines it writes, and returns its exit status and CPU time. The
// session (runner/session.cpp) meters it in windows like any other case.
// Torch-free: the pieces are plain POSIX and unit-tested with hand values.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace effbench {

// Note [Phase lines]
// The command may split its energy by phase: effbench gives it the write end
// of a pipe, open across exec, as EFFBENCH_PHASE_FD=N and
// EFFBENCH_PHASE_FILE=/proc/self/fd/N, and reads lines "EFFBENCH_PHASE
// <name>" from it. A phase lasts from its line to the next phase line or the
// command's exit. A name is 1 to kLongestPhaseName characters of [A-Za-z0-9_.:-];
// any other line is ignored with a warning that shows it with its control
// characters escaped, so that a child's bytes never reach the terminal raw.
// Each phase line cuts the meter windows (Note [Named meter windows]), so
// phases are meant to be coarse: after kMostPhases, later lines are ignored
// with one warning. See docs/monitor.md for the protocol with a Python example.
inline constexpr size_t kLongestPhaseName = 64;
inline constexpr size_t kMostPhases = 1000;
inline constexpr size_t kLongestPhaseLine = 4096;

/// The phase name of one line (without its '\n'), or nullopt with `problem`
/// set to why the line is ignored (printable: control characters escaped).
std::optional<std::string> parse_phase_line(const std::string& line, std::string& problem);

/// Splits the bytes read from the phase pipe into lines. Lines longer than
/// kLongestPhaseLine are dropped (reported as one "too long" line).
class PhaseLineSplitter {
 public:
  /// Appends `bytes` and returns the complete lines they finish, without '\n'.
  std::vector<std::string> add(const std::string& bytes);
  /// The unterminated rest, as a last line (empty when there is none).
  std::string finish();

 private:
  std::string pending_;
  bool overlong_ = false;  // dropping the rest of a line past kLongestPhaseLine
};

/// One process as /proc/<pid>/stat describes it.
struct ProcessStat {
  int64_t pid = 0;
  int64_t ppid = 0;
  int64_t rss_pages = 0;
};

/// Parses the text of /proc/<pid>/stat (the name in parentheses may hold
/// spaces and ')'); nullopt when it is not such a line.
std::optional<ProcessStat> parse_process_stat(const std::string& text);

/// One sample of a process tree's memory.
struct TreeSample {
  int64_t rss_bytes = 0;      // resident bytes summed over the tree's processes
  std::vector<int64_t> pids;  // the root and its descendants found
};

// Note [Peak memory of a process tree]
// ru_maxrss (wait4, RUSAGE_CHILDREN) is the peak of the single largest
// process, not of the tree: a launcher with four 1 GB data-loader workers
// reads 1 GB. And it is wrong for a spawned child: the kernel carries the
// high-water mark of effbench's own memory (LibTorch, ~150 MiB) across the
// exec. So the tree is sampled every kRssPeriodS: every process under
// `proc_root` whose parent chain leads to the root, with their resident
// sizes summed per sample; the peak is the largest sum. A peak shorter than
// the period can be missed (the figure is then a lower bound). Pages shared between the processes
// (fork's copy-on-write pages, shared libraries) count once per process, so
// the sum is an upper bound of the memory the tree held.
inline constexpr double kRssPeriodS = 0.1;

/// Sums the resident memory of `root_pid` and its descendants as read from
/// `proc_root`/<pid>/stat; `page_bytes` is the page size.
TreeSample sample_process_tree(int64_t root_pid, const std::string& proc_root, int64_t page_bytes);

/// The exit status effbench passes through for a wait() status: the exit
/// code, or 128 + the signal that ended the command (as a shell reports it).
int exit_status_from_wait(int wait_status);

/// What happened to the command.
struct CommandOutcome {
  int exit_status = 0;                    // exit_status_from_wait
  std::optional<int> signal;              // the signal that ended it (optional)
  double wall_s = 0;                      // from start to exit, steady clock
  double cpu_user_s = 0;                  // the tree's user time (wait4: the child and what it waited for)
  double cpu_system_s = 0;                // the tree's system time
  std::optional<int64_t> peak_rss_bytes;  // Note [Peak memory of a process tree]
  int64_t rss_samples = 0;
  std::set<int64_t> tree_pids;  // every PID seen in the tree, for NVML's process lists
  std::vector<std::string> warnings;
  bool interrupted = false;  // effbench was asked to stop and forwarded the signal
};

/// What the session does as the command runs; each runs on the caller's thread.
struct CommandHooks {
  std::function<void()> started;                                   // the command is running
  std::function<void(const std::string& name, double t_s)> phase;  // a phase line, t_s since start
  std::function<void(double wall_s)> exited;                // the command has exited, wall_s after start
  std::function<void(const std::string& line)> on_message;  // a warning worth showing now
};

/// Throws effbench::Error naming `program` when it is neither an executable
/// path (with a '/') nor found as one in PATH: checked before a run begins.
void check_program_exists(const std::string& program);

/// Starts `argv` (searched in PATH) with the phase pipe (Note [Phase lines])
/// and waits for it, sampling its tree's memory. SIGINT/SIGTERM sent to
/// effbench by another process are forwarded to the command (Note [Stopping
/// a command]). Throws effbench::Error, naming the program, when it cannot
/// be started; nothing has run then. The phase pipe is read by this thread's
/// poll loop, not by a reader thread, so that every hook runs on the caller's
/// thread: the session's hooks cut meter windows, which are not thread-safe.
CommandOutcome run_command(const std::vector<std::string>& argv, const CommandHooks& hooks,
                           const std::string& proc_root = "/proc");

}  // namespace effbench
