// The importer of run documents (results import, compare/report/trend on a
// JSON file): any bytes are read into runs or refused with effbench::Error.
// Anything else escaping, or a sanitizer report, is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "results/json.h"
#include "results/store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& run :
         effbench::run_documents_from_json(effbench::parse_json_text(text, "fuzz"), "fuzz")) {
      // What was accepted writes back and reads again to the same document.
      const nlohmann::json written = effbench::run_to_json(run);
      if (effbench::run_to_json(effbench::run_from_json(written, "again")) != written) __builtin_trap();
    }
  } catch (const effbench::Error&) {
  }
  return 0;
}
