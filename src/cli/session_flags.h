#pragma once
// The flags every command that runs a session shares (`run`, `monitor`):
// energy estimate, idle power and where the run is written.

#include <CLI/CLI.hpp>

#include <string>

#include "runner/session.h"

namespace effbench {

/// Adds --cpu-tdp, --idle-s, --db, --no-save, --report and --json to `cmd`,
/// writing into `settings`, `no_save` and `report_path` (which must outlive
/// the parse).
void add_session_output_flags(CLI::App& cmd, SessionSettings& settings, bool& no_save,
                              std::string& report_path);

}  // namespace effbench
