#pragma once
// Ctrl-C handling: the first SIGINT asks the run to stop after the current
// iteration (finished cases are kept and written); a second one exits at once.

namespace effbench {

/// Installs the SIGINT handler described above.
void install_interrupt_handler();
/// True once SIGINT was received (or request_interrupt() called).
bool interrupt_requested();
void request_interrupt();
void clear_interrupt();

}  // namespace effbench
