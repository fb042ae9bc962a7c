#pragma once
// The interchange format: a versioned JSON document per run.

#include <string>

#include <nlohmann/json.hpp>

#include "results/record.h"

namespace effbench {

nlohmann::json case_to_json(const CaseRecord& record);
/// Throws effbench::Error naming the field and value when `j` is malformed.
CaseRecord case_from_json(const nlohmann::json& j);

nlohmann::json system_to_json(const SystemInfo& system);
SystemInfo system_from_json(const nlohmann::json& j);

nlohmann::json run_to_json(const RunRecord& run);
/// Throws effbench::Error when the document is not an effbench run or has
/// another schema_version; `origin` (a file name) is used in the message.
RunRecord run_from_json(const nlohmann::json& j, const std::string& origin = "document");

/// Writes the run to `path` atomically (temporary file + rename), so an
/// interrupted write never leaves a half-written file. Throws effbench::Error.
void write_run_json(const RunRecord& run, const std::string& path);

/// Parses the JSON file at `path`. Throws effbench::Error naming `path` when it
/// cannot be opened or is malformed.
nlohmann::json read_json_file(const std::string& path);

/// Parses `text`, the whole of it one JSON value (Note [Checking imported
/// documents]). Throws effbench::Error naming `origin` when it is malformed.
nlohmann::json parse_json_text(const std::string& text, const std::string& origin);

/// Reads and validates a run document. Throws effbench::Error naming `path`.
RunRecord read_run_json(const std::string& path);

}  // namespace effbench
