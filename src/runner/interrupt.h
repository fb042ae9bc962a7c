#pragma once
// Ctrl-C handling: the first SIGINT or SIGTERM asks the run to stop after the
// current iteration (finished cases are kept and written); a second one exits
// at once, and so does a step that has not returned 20 s after the first
// (Note [Interrupt grace]).

namespace effbench {

/// Installs the SIGINT/SIGTERM handler described above (and its SIGALRM).
void install_interrupt_handler();
/// True once SIGINT or SIGTERM was received (or request_interrupt() called).
bool interrupt_requested();
void request_interrupt();
/// The signal of the first interrupt (SIGINT or SIGTERM); 0 when none came
/// (none yet, or request_interrupt()).
int interrupt_signal();
/// True when that signal was sent by a process (kill, a job scheduler), not
/// by the terminal (Note [Stopping a command] in runner/command_case.cpp).
bool interrupt_sent_by_process();
/// While a monitored command runs (true), a second SIGINT or SIGTERM does
/// not end effbench: it sets interrupt_repeated() instead (Note [Interrupt
/// grace]).
void set_command_running(bool running);
/// True once a second signal came while a command ran.
bool interrupt_repeated();
/// Forgets an interrupt, and disarms its grace alarm.
void clear_interrupt();
/// Disarms the grace alarm of an interrupt that was honoured: the run's
/// steps have returned, and what is left (saving, tables, the report) may
/// take its time. The interrupt itself stays requested.
void disarm_interrupt_grace();

}  // namespace effbench
