#pragma once
// Whole-file reads for the dataset loaders, with transparent gzip. No torch.

#include <cstdint>
#include <string>
#include <vector>

namespace effbench {

/// Reads the whole file at `path`. Throws Error naming the path when it is
/// missing or unreadable.
std::vector<uint8_t> read_file_bytes(const std::string& path);

/// `file` (the bytes read from `path`), inflated when it begins with the gzip
/// magic 1f 8b (concatenated gzip members are joined). A truncated or corrupt
/// stream throws Error naming the file, the compressed byte offset and the
/// fault; data is never returned partially. A name ending in ".gz" without
/// gzip magic is an error too. A gzip stream that inflates past `max_bytes`
/// throws Error naming the file and the limit, having held at most
/// `max_bytes` + 1 bytes (Note [Bounded inflation]).
std::vector<uint8_t> maybe_inflate(const std::string& path, std::vector<uint8_t> file,
                                   size_t max_bytes = SIZE_MAX);

/// The first `prefix_bytes` bytes of what maybe_inflate would return (fewer
/// when there are fewer), inflating no further than that; the stream's end
/// and trailer are not checked.
std::vector<uint8_t> maybe_inflate_prefix(const std::string& path, const std::vector<uint8_t>& file,
                                          size_t prefix_bytes);

/// maybe_inflate() of the file at `path`.
std::vector<uint8_t> read_maybe_gzip(const std::string& path, size_t max_bytes = SIZE_MAX);

/// True when `path` names an existing regular file.
bool is_regular_file(const std::string& path);

/// True when `path` names an existing directory.
bool is_directory(const std::string& path);

/// "a/b" from ("a", "b"); keeps a single separator.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace effbench
