#pragma once
// Byte-by-byte writers for the loader tests: temporary folders, IDX, gzip and
// CIFAR-10 records. No torch.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"

namespace effbench::testing {

using Bytes = std::vector<uint8_t>;

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "effbench-data-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, const Bytes& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void append_be32(Bytes& b, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(uint8_t(v >> shift));
}

/// An IDX file of unsigned bytes: 00 00 08 rank, big-endian dims, payload.
inline Bytes idx_bytes(const std::vector<uint32_t>& dims, const Bytes& payload) {
  Bytes b = {0x00, 0x00, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims) append_be32(b, d);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// `count` images of rows x cols whose pixel (i, y, x) is (i * 31 + y * cols + x) % 256.
inline Bytes image_payload(uint32_t count, uint32_t rows, uint32_t cols) {
  Bytes p;
  for (uint32_t i = 0; i < count; ++i)
    for (uint32_t y = 0; y < rows; ++y)
      for (uint32_t x = 0; x < cols; ++x) p.push_back(uint8_t((i * 31 + y * cols + x) % 256));
  return p;
}

/// A gzip member (header, deflate, CRC-32, ISIZE) made by zlib's deflate.
inline Bytes gzip_bytes(const Bytes& plain) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  Bytes out(deflateBound(&zs, uLong(plain.size())) + 32);
  zs.next_in = const_cast<Bytef*>(plain.data());
  zs.avail_in = uInt(plain.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(zs.total_out);
  return out;
}

/// One CIFAR-10 record: label, then 1024 red, 1024 green, 1024 blue bytes; the
/// pixel of channel c at (y, x) is (seed + c * 50 + y + x) % 256.
inline Bytes cifar_record(uint8_t label, uint8_t seed) {
  Bytes r = {label};
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) r.push_back(uint8_t((seed + c * 50 + y + x) % 256));
  return r;
}

/// The message of the effbench::Error that `f` throws, or "(no error)".
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

/// Expects every one of `parts` in `message`.
inline void expect_contains(const std::string& message, const std::vector<std::string>& parts) {
  for (const auto& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "expected \"" << part << "\" in: " << message;
  }
}

}  // namespace effbench::testing
