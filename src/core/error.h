#pragma once
// The one error type for user and input faults. `main` alone turns it into an
// exit code; everything below throws.

#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

namespace effbench {

/// Exit codes of the effbench binary.
enum class ExitCode : int {
  kOk = 0,
  kCasesFailed = 1,  // the run finished but some cases failed
  kUsage = 2,        // bad input: unknown name, bad value, unreadable file
  kInterrupted = 130,
};

/// A fault in the user's input or environment. The message names the input,
/// the offending value and what to do instead.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::kUsage)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

/// Throws effbench::Error(message) when `condition` is false.
inline void check(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

/// Throws effbench::Error with the message parts streamed together when
/// `condition` is false, as TORCH_CHECK does: the message is built only when
/// the check fails. EFFBENCH_CHECK(n > 0, "--repeats: expected a positive count but got ", n).
#define EFFBENCH_CHECK(condition, ...)                                                  \
  do {                                                                                  \
    if (!(condition)) throw ::effbench::Error(::effbench::detail::concat(__VA_ARGS__)); \
  } while (false)

/// The value of the environment variable `variable` when it is one of
/// `first` or `second`, `first` when it is unset or empty; otherwise throws
/// Error("VARIABLE: expected FIRST or SECOND but got 'VALUE'").
inline std::string env_choice(const char* variable, const std::string& first, const std::string& second) {
  const char* value = std::getenv(variable);
  const std::string choice = value != nullptr && *value != '\0' ? value : first;
  check(choice == first || choice == second,
        std::string(variable) + ": expected " + first + " or " + second + " but got '" + choice + "'");
  return choice;
}

}  // namespace effbench
