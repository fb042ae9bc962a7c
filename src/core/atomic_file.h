#pragma once
// Writing an output file so that a reader never sees half of it.

#include <string>
#include <utility>
#include <vector>

namespace effbench {

/// Throws effbench::Error naming both options when two of `outputs` (option,
/// path; empty paths are not given) are the same file, existing or not.
void check_outputs_apart(const std::vector<std::pair<std::string, std::string>>& outputs);

/// True when `path` is an existing SQLite database (its first 16 bytes are
/// SQLite's header). False for a missing or unreadable file.
bool is_sqlite_database(const std::string& path);

/// Throws effbench::Error naming `what` and `path` when write_file_atomically
/// would refuse or fail to start: `path` is an SQLite database, or its
/// temporary file cannot be created. For checking an output before anything
/// is measured.
void check_can_write(const std::string& path, const std::string& what = "");

/// Writes `bytes` to `path + ".tmp"`, then renames it over `path` (atomic on
/// POSIX within one file system): a reader sees the old file or the whole new
/// one, and an interrupted write leaves the old file. Throws effbench::Error
/// naming `what` (the option or output, e.g. "--json"; optional) and `path`
/// when the file cannot be written; the temporary file is removed then.
/// Refuses to replace an SQLite database (an output pointed at the results
/// database by mistake would destroy every stored run).
void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what = "");

}  // namespace effbench
