#pragma once
// SHA-256 (FIPS 180-4) of a file, to record which model file a case ran.

#include <string>

namespace effbench {

/// Lower-case hex SHA-256 of the bytes of the file at `path`, read in
/// chunks. Throws effbench::Error naming the path when it cannot be read.
std::string sha256_file_hex(const std::string& path);

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(const std::string& bytes);

}  // namespace effbench
