#pragma once
// How subcommands plug into the effbench binary. Each command lives in its
// own src/cli/<name>_command.cpp with an add_<name>_command(CLI::App&)
// function listed once in main.cpp's command table.
//
// A command's callback parses nothing itself (CLI11 does), calls into the
// libraries, and throws effbench::Error for bad input; main() turns that into
// exit code 2 with the message. A command that finished but wants another exit
// code (some cases failed, a regression was found) calls request_exit_code().

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace effbench {

/// Asks main() to exit with `code` after the command returns. The largest
/// requested code wins.
void request_exit_code(int code);
int requested_exit_code();

/// The process's arguments, kept by main() for the run record.
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

/// Prints "effbench: warning: run ID left out: ERROR" to stderr: the
/// callback of ResultStore::load_readable_runs for every command.
void warn_unreadable_run(const std::string& run_id, const std::string& error);

void add_run_command(CLI::App& app);
void add_list_command(CLI::App& app);

}  // namespace effbench
