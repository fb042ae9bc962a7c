// Writes the report of the fixture runs (fixture_runs.h) to argv[1]: the page
// that tests/report/browser_check.sh opens in a real browser.

#include <iostream>

#include "core/error.h"
#include "fixture_runs.h"
#include "report/html.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: report_fixture OUTPUT.html\n";
    return 2;
  }
  try {
    effbench::write_html_report({effbench::fixture::make_run()}, argv[1]);
  } catch (const effbench::Error& e) {
    std::cerr << "report_fixture: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
