#include "cli/flag_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

namespace effbench {
namespace {

bool is_blank(const std::string& value) { return value.find_first_not_of(" \t\r\n") == std::string::npos; }

// True when `value` reads as an integer too large for 64 bits, which CLI11
// would clamp to the largest one without a word.
bool is_out_of_range_integer(const std::string& value) {
  const char* begin = value.c_str();
  char* end = nullptr;
  errno = 0;
  std::strtoll(begin, &end, 0);
  return end != begin && *end == '\0' && errno == ERANGE;
}

// True when `value` reads as a number that is not finite ("nan", "inf", "1e999").
bool is_non_finite_number(const std::string& value) {
  const char* begin = value.c_str();
  char* end = nullptr;
  const double number = std::strtod(begin, &end);
  return end != begin && *end == '\0' && !std::isfinite(number);
}

bool takes_values(const CLI::Option& option) { return option.get_type_size_max() > 0; }
bool takes_a_list(const CLI::Option& option) { return option.get_items_expected_max() > 1; }
bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }
bool takes_numbers(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  return starts_with(type, "FLOAT") || starts_with(type, "INT") || starts_with(type, "UINT") ||
         starts_with(type, "NUMBER");
}
bool takes_integers(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  return starts_with(type, "INT") || starts_with(type, "UINT");
}

void add_checks(CLI::Option& option) {
  if (!takes_values(option)) return;    // a flag: no value to check
  if (!option.nonpositional()) return;  // positionals: launch's command line may repeat its words
  const bool numbers = takes_numbers(option);
  const bool integers = takes_integers(option);
  // The values seen so far in this parse, for the list check (one parse per process).
  auto seen = std::make_shared<std::set<std::string>>();
  const bool list = takes_a_list(option);
  option.check(CLI::Validator(
      [numbers, integers, list, seen](std::string& value) -> std::string {
        if (is_blank(value)) return "empty value; give a value or leave the option out";
        if (numbers && is_non_finite_number(value)) {
          return "expected a finite number but got '" + value + "'";
        }
        if (integers && is_out_of_range_integer(value)) {
          return "'" + value + "' is out of range for a 64-bit integer";
        }
        if (list && !seen->insert(value).second) return "'" + value + "' is given twice";
        return "";
      },
      "", "checks every flag gets"));
}

}  // namespace

void add_checks_to_every_flag(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) add_checks(*option);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    add_checks_to_every_flag(*command);
  }
}

}  // namespace effbench
