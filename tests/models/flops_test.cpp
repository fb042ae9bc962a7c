#include "models/flops.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

TEST(FlopCounter, ConvFollowsOutputShape) {
  FlopCounter count(3, 32, 32);
  count.conv(64, 3, 1, 1, true);
  EXPECT_EQ(count.channels(), 64);
  EXPECT_EQ(count.height(), 32);
  // 2 * 3*3*3 MACs per output * 64*32*32 outputs + 64*32*32 bias adds
  EXPECT_DOUBLE_EQ(count.flops(), 2.0 * 27 * 65536 + 65536);
}

TEST(FlopCounter, StridedConvAndTransposeInvertShapes) {
  FlopCounter count(64, 64, 64);
  count.conv(128, 3, 2, 1, false);  // (64 + 2 - 3) / 2 + 1 = 32
  EXPECT_EQ(count.height(), 32);
  count.conv_transpose(64, 3, 2, 1, 1, false);  // (32 - 1) * 2 - 2 + 3 + 1 = 64
  EXPECT_EQ(count.height(), 64);
  // conv: 2 * 64*9 * 128*32*32; transpose: 2 * 128*9*64 * 32*32 (per input element)
  EXPECT_DOUBLE_EQ(count.flops(), 2.0 * 576 * 131072 + 2.0 * 73728 * 1024);
}

TEST(FlopCounter, PoolingLinearAndElementwise) {
  FlopCounter count(2, 4, 4);
  count.activation();    // 32 elements
  count.max_pool(2, 2);  // 2x2x2 outputs x 4 compares = 32
  count.flatten();       // 8 features
  count.linear(3);       // 2*8*3 + 3 = 51
  EXPECT_DOUBLE_EQ(count.flops(), 32 + 32 + 51);
  EXPECT_EQ(count.channels(), 3);
}

}  // namespace
}  // namespace effbench
