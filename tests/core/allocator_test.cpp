// Note [Heap-only malloc]: after configure_allocator() a block far above
// glibc's largest mmap threshold (32 MiB) comes from the heap, as glibc's own
// statistics (mallinfo2) show.

#include "core/allocator.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace effbench {
namespace {

TEST(Allocator, UnknownSettingNamesTheVariable) {
  ::setenv("EFFBENCH_MALLOC", "tcmalloc", 1);
  try {
    configure_allocator();
    FAIL() << "expected effbench::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("EFFBENCH_MALLOC: expected heap or system but got 'tcmalloc'"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("EFFBENCH_MALLOC");
}

TEST(Allocator, LargeBlocksComeFromTheHeap) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // ASan and TSan replace glibc's malloc: their mallopt refuses every setting
  // and mallinfo2 does not see their blocks (Note [Sanitizer builds]).
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's";
#endif
  ::unsetenv("EFFBENCH_MALLOC");
  EXPECT_NE(configure_allocator().find("heap only"), std::string::npos) << allocator_setting();
  const size_t mmapped_before = mallinfo2().hblkhd;  // bytes in mmapped blocks
  const size_t size = size_t{96} << 20;              // 96 MiB
  void* block = std::malloc(size);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, size);
  EXPECT_EQ(mallinfo2().hblkhd, mmapped_before);  // glibc's default would mmap it
  std::free(block);
}

}  // namespace
}  // namespace effbench
