#pragma once
// Checks every option of every command gets, whatever its command (Note
// [Checks every flag gets]).

#include <CLI/CLI.hpp>

namespace effbench {

// Note [Checks every flag gets]
// CLI11 converts each value to its option's type and nothing more. Three
// classes of bad input are closed here for every option at once, so that an
// option added later cannot reopen them:
// - An empty value (--batch "") is refused: CLI11 would count it as not
//   given, and the run would go on with the default the user tried to change.
// - A number that is not finite (nan, inf, 1e999) is refused: no option
//   means anything by it, range checks let NaN through (every comparison with
//   it is false), and a non-finite figure stored in a run makes the run
//   unreadable (JSON has no NaN or infinity).
// - An integer too large for 64 bits is refused (CLI11 would clamp it).
// - A list that names the same value twice (--model conv6,conv6) is refused:
//   it would run the same case twice or silently drop one.
// Positional arguments are left to their commands (launch passes its
// command line on as given). The options' own range checks (seconds > 0, a fraction in (0, 1]) stay
// with the settings they check.

/// Adds the checks of Note [Checks every flag gets] to every option of `app`
/// and of its subcommands, recursively. Call once, after every option is added.
void add_checks_to_every_flag(CLI::App& app);

}  // namespace effbench
