#pragma once
// Note [One field list]
// case_fields() is the single definition of a case's fields. The JSON writer
// and reader walk it, the console table shows the fields that have a header,
// and the database stores the same document. A field added here appears in
// every format at once.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/record.h"

namespace effbench {

struct CaseField {
  std::string key;     // JSON key
  std::string header;  // console column header; empty = not a console column
  std::function<void(const CaseRecord&, nlohmann::json&)> write;  // sets j[key] (or leaves it absent)
  std::function<void(const nlohmann::json&, CaseRecord&)> read;   // reads j[key], present
  std::function<std::string(const CaseRecord&)> cell;             // console text (optional)
};

/// Energy per sample of the timed windows for the console: measured total,
/// or "~" + the estimate when nothing was measured, or "-".
std::string energy_per_sample_text(const CaseRecord& c);

/// Every field of CaseRecord, in document order.
const std::vector<CaseField>& case_fields();

}  // namespace effbench
