// The trend data reader (trend --data FILE.csv): any bytes parse into a
// table or are refused with effbench::Error.

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/trend.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const effbench::CsvTable table = effbench::parse_csv(text, "fuzz.csv");
    for (size_t column = 0; column < table.header.size(); ++column) {
      for (size_t row = 0; row < table.rows.size(); ++row) {
        try {
          table.number(row, column);
        } catch (const effbench::Error&) {
        }
      }
    }
  } catch (const effbench::Error&) {
  }
  return 0;
}
