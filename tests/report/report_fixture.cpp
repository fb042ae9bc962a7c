// Writes the report of the fixture runs (fixture_runs.h) to argv[1]: the page
// that tests/report/browser_check.sh opens in a real browser. With
// --cpu-only first, the fixture run's cpu cases alone: a machine without a
// GPU, whose summary projects what one would buy.

#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "fixture_runs.h"
#include "report/html.h"

int main(int argc, char** argv) {
  const bool cpu_only = argc == 3 && std::string(argv[1]) == "--cpu-only";
  if (argc != 2 && !cpu_only) {
    std::cerr << "usage: report_fixture [--cpu-only] OUTPUT.html\n";
    return 2;
  }
  try {
    effbench::RunRecord run = effbench::fixture::make_run();
    if (cpu_only) {
      std::vector<effbench::CaseRecord> cpu_cases;
      for (const auto& c : run.cases) {
        if (c.device.is_cpu()) cpu_cases.push_back(c);
      }
      run.cases = cpu_cases;
      run.system.gpus.clear();
    }
    effbench::write_html_report({run}, argv[argc - 1]);
  } catch (const effbench::Error& e) {
    std::cerr << "report_fixture: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
