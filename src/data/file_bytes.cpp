#include "data/file_bytes.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace effbench {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(path + ": no such file (expected a readable regular file)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size_bytes = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size_bytes < 0) throw Error(path + ": cannot determine the file size");
  std::vector<uint8_t> bytes(static_cast<size_t>(size_bytes));
  if (size_bytes > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size_bytes)) {
    throw Error(path + ": read failed after " + std::to_string(in.gcount()) + " of " +
                std::to_string(size_bytes) + " bytes");
  }
  return bytes;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool has_gzip_magic(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

// Note [Strict gzip]
// gzread() hides a truncated stream as a short read, which a loader could take
// for a short file. Driving inflate() directly lets us require the end-of-stream
// marker and a matching CRC-32/length trailer for every member, and report the
// compressed offset where the stream broke.
//
// Note [Bounded inflation]
// A few MB of gzip can inflate to GBs (deflate reaches ~1032:1). So the
// caller says how many bytes it can accept (an IDX reader: what its header
// declares), and inflation stops there: the output buffer never grows past
// `max_bytes` + 1, and a stream that goes on is refused, or, for `prefix`,
// cut (only the first `max_bytes` bytes are wanted, e.g. a header).
std::vector<uint8_t> inflate_gzip(const std::string& path, const std::vector<uint8_t>& packed,
                                  size_t max_bytes, bool prefix) {
  // The trailer's ISIZE (length mod 2^32) is only a size hint: a truncated file
  // ends in arbitrary bytes, and deflate never expands more than ~1032:1.
  size_t hint_bytes = 0;
  if (packed.size() >= 18) {
    const uint8_t* t = packed.data() + packed.size() - 4;
    hint_bytes = size_t(t[0]) | size_t(t[1]) << 8 | size_t(t[2]) << 16 | size_t(t[3]) << 24;
    hint_bytes = std::min(hint_bytes, packed.size() * 1032);
  }
  const size_t buffer_cap_bytes = max_bytes == SIZE_MAX ? SIZE_MAX : max_bytes + 1;
  std::vector<uint8_t> out;
  out.resize(std::min(std::max<size_t>(hint_bytes, 1 << 16), buffer_cap_bytes));

  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(path + ": zlib inflateInit2 failed");
  zs.next_in = const_cast<Bytef*>(packed.data());
  size_t in_left = packed.size();
  size_t produced = 0;
  bool stream_ended = false;
  auto fail = [&](const std::string& what) {
    const uint64_t offset = packed.size() - in_left;
    inflateEnd(&zs);
    throw Error(path + ": corrupt gzip data at compressed byte offset " + std::to_string(offset) + " of " +
                std::to_string(packed.size()) + ": " + what);
  };
  while (true) {
    if (produced > max_bytes) break;  // Note [Bounded inflation]
    if (produced == out.size()) out.resize(std::min(out.size() * 2, buffer_cap_bytes));
    const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    const uInt out_chunk = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    zs.avail_in = in_chunk;
    zs.next_out = out.data() + produced;
    zs.avail_out = out_chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another member may follow (gzip allows concatenation); anything else is junk.
      const uint8_t* rest = packed.data() + (packed.size() - in_left);
      if (in_left == 0) {
        stream_ended = true;
        break;
      }
      if (!has_gzip_magic(rest, in_left)) {
        fail("expected end of file or another gzip member after the end-of-stream marker, found " +
             std::to_string(in_left) + " trailing bytes");
      }
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_DATA_ERROR)
      fail(std::string("invalid deflate data (") + (zs.msg ? zs.msg : "no detail") + ")");
    if (rc == Z_MEM_ERROR) fail("out of memory while inflating");
    if (rc == Z_NEED_DICT) fail("stream needs a preset dictionary, which gzip files never use");
    // Z_OK or Z_BUF_ERROR: keep going while there is input or output space.
    if (in_left == 0 && zs.avail_out != 0) break;  // input exhausted before the end marker
    if (rc == Z_BUF_ERROR && zs.avail_in == in_chunk && zs.avail_out == out_chunk) break;  // no progress
  }
  inflateEnd(&zs);
  if (produced > max_bytes) {
    if (!prefix) {
      throw Error(path + ": decompresses to more than " + std::to_string(max_bytes) +
                  " bytes, the most its reader accepts here; stopped inflating at compressed byte offset " +
                  std::to_string(packed.size() - in_left) + " of " + std::to_string(packed.size()));
    }
    out.resize(max_bytes);
    return out;
  }
  if (!stream_ended) {
    throw Error(path +
                ": truncated gzip stream: expected an end-of-stream marker and CRC trailer, found end " +
                "of file at compressed byte offset " + std::to_string(packed.size()) + " (" +
                std::to_string(produced) + " bytes decompressed); the file is incomplete, download it again");
  }
  out.resize(produced);
  out.shrink_to_fit();
  return out;
}

}  // namespace

std::vector<uint8_t> maybe_inflate(const std::string& path, std::vector<uint8_t> file, size_t max_bytes) {
  if (has_gzip_magic(file.data(), file.size())) return inflate_gzip(path, file, max_bytes, false);
  if (ends_with(path, ".gz")) {
    char found[16] = "(empty file)";
    if (file.size() >= 2) std::snprintf(found, sizeof found, "%02x %02x", file[0], file[1]);
    throw Error(path + ": bad gzip magic at offset 0: expected 1f 8b, found " + found);
  }
  return file;
}

std::vector<uint8_t> maybe_inflate_prefix(const std::string& path, const std::vector<uint8_t>& file,
                                          size_t prefix_bytes) {
  if (has_gzip_magic(file.data(), file.size())) return inflate_gzip(path, file, prefix_bytes, true);
  const auto end = file.begin() + static_cast<std::ptrdiff_t>(std::min(prefix_bytes, file.size()));
  return maybe_inflate(path, std::vector<uint8_t>(file.begin(), end));
}

std::vector<uint8_t> read_maybe_gzip(const std::string& path, size_t max_bytes) {
  return maybe_inflate(path, read_file_bytes(path), max_bytes);
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace effbench
