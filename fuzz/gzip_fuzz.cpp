// The dataset files' gzip layer (IDX and CIFAR files are read through it):
// any bytes inflate within the bound or are refused with effbench::Error
// (Note [Bounded inflation]).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "data/file_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxBytes = 1 << 20;
  const std::vector<uint8_t> file(data, data + size);
  try {
    const std::vector<uint8_t> whole = effbench::maybe_inflate("fuzz.gz", file, kMaxBytes);
    if (whole.size() > kMaxBytes) __builtin_trap();  // the bound was not kept
  } catch (const effbench::Error&) {
  }
  try {
    const std::vector<uint8_t> head = effbench::maybe_inflate_prefix("fuzz.gz", file, 16);
    if (head.size() > 16) __builtin_trap();
  } catch (const effbench::Error&) {
  }
  return 0;
}
