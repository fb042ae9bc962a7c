#include "core/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.h"

namespace effbench {
namespace {

// The FIPS 180-4 example digests (NIST CSRC "Example Algorithms", SHA-256).
TEST(Sha256, MatchesTheFipsExamples) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // 56 bytes: the length no longer fits the first block's padding.
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, HashesAFileInChunks) {
  const std::string path = ::testing::TempDir() + "sha256_million_a.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(1000000, 'a');  // more than one 64 KiB chunk
  }
  EXPECT_EQ(sha256_file_hex(path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::remove(path.c_str());
  EXPECT_THROW(sha256_file_hex(path), Error);
}

}  // namespace
}  // namespace effbench
