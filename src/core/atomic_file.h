#pragma once
// Writing an output file so that a reader never sees half of it.

#include <string>

namespace effbench {

/// Writes `bytes` to `path + ".tmp"`, then renames it over `path` (atomic on
/// POSIX within one file system): a reader sees the old file or the whole new
/// one, and an interrupted write leaves the old file. Throws effbench::Error
/// naming `what` (the option or output, e.g. "--json"; optional) and `path`
/// when the file cannot be written; the temporary file is removed then.
void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what = "");

}  // namespace effbench
