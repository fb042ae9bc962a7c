// IDX, gzip and CIFAR-10 loaders against files written byte by byte, their
// corrupted variants, and the real Fashion-MNIST when it is installed.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "data/cifar10.h"
#include "data/dataset.h"
#include "data/file_bytes.h"
#include "data/idx.h"
#include "test_files.h"

namespace effbench {
namespace {

using testing::Bytes;
using testing::error_of;
using testing::expect_contains;
using testing::gzip_bytes;
using testing::idx_bytes;
using testing::image_payload;
using testing::TempDir;
using testing::write_bytes;

// Writes a complete MNIST-style directory: `n_train`/`n_test` images of 3x4.
void write_idx_dataset(const TempDir& dir, uint32_t n_train, uint32_t n_test, bool gzip) {
  auto put = [&](const std::string& name, const Bytes& bytes) {
    write_bytes(dir.file(name + (gzip ? ".gz" : "")), gzip ? gzip_bytes(bytes) : bytes);
  };
  Bytes train_labels, test_labels;
  for (uint32_t i = 0; i < n_train; ++i) train_labels.push_back(uint8_t(i % 10));
  for (uint32_t i = 0; i < n_test; ++i) test_labels.push_back(uint8_t((i + 3) % 10));
  put("train-images-idx3-ubyte", idx_bytes({n_train, 3, 4}, image_payload(n_train, 3, 4)));
  put("train-labels-idx1-ubyte", idx_bytes({n_train}, train_labels));
  put("t10k-images-idx3-ubyte", idx_bytes({n_test, 3, 4}, image_payload(n_test, 3, 4)));
  put("t10k-labels-idx1-ubyte", idx_bytes({n_test}, test_labels));
}

TEST(Idx, ReadsPlainImagesByteForByte) {
  TempDir dir;
  const std::string path = dir.file("images");
  write_bytes(path, idx_bytes({3, 2, 5}, image_payload(3, 2, 5)));
  const torch::Tensor images = read_idx_images(path);
  ASSERT_EQ(images.sizes(), (std::vector<int64_t>{3, 1, 2, 5}));
  EXPECT_EQ(images.scalar_type(), torch::kUInt8);
  // pixel (i, y, x) = (i * 31 + y * 5 + x) % 256
  EXPECT_EQ(images[0][0][0][0].item<int>(), 0);
  EXPECT_EQ(images[1][0][1][3].item<int>(), 31 + 5 + 3);
  EXPECT_EQ(images[2][0][1][4].item<int>(), 62 + 9);
}

TEST(Idx, GzipAndPlainGiveTheSameTensor) {
  TempDir dir;
  const Bytes file = idx_bytes({4, 3, 3}, image_payload(4, 3, 3));
  write_bytes(dir.file("a"), file);
  write_bytes(dir.file("a.gz"), gzip_bytes(file));
  EXPECT_TRUE(torch::equal(read_idx_images(dir.file("a")), read_idx_images(dir.file("a.gz"))));
}

TEST(Idx, ConcatenatedGzipMembersAreJoined) {
  TempDir dir;
  const Bytes file = idx_bytes({2, 2, 2}, image_payload(2, 2, 2));
  Bytes first(file.begin(), file.begin() + 7), second(file.begin() + 7, file.end());
  Bytes packed = gzip_bytes(first);
  const Bytes tail = gzip_bytes(second);
  packed.insert(packed.end(), tail.begin(), tail.end());
  write_bytes(dir.file("two.gz"), packed);
  EXPECT_EQ(read_maybe_gzip(dir.file("two.gz")), file);
}

TEST(Idx, LoadsADirectoryOfGzipFiles) {
  TempDir dir;
  write_idx_dataset(dir, 12, 5, /*gzip=*/true);
  const DatasetSplits s = load_dataset("mnist", dir.path());
  EXPECT_EQ(s.train.images.sizes(), (std::vector<int64_t>{12, 1, 3, 4}));
  EXPECT_EQ(s.test.images.sizes(), (std::vector<int64_t>{5, 1, 3, 4}));
  EXPECT_EQ(s.train.labels[11].item<int64_t>(), 1);
  EXPECT_EQ(s.test.labels[0].item<int64_t>(), 3);
  EXPECT_EQ(s.train.num_classes, 10);
  EXPECT_EQ(s.train.name, "mnist");
}

TEST(Idx, PrefersGzipButAcceptsPlainFiles) {
  TempDir dir;
  write_idx_dataset(dir, 6, 2, /*gzip=*/false);
  EXPECT_EQ(find_idx_file(dir.path(), "train-images-idx3-ubyte"), dir.file("train-images-idx3-ubyte"));
  const DatasetSplits s = load_dataset("Fashion-MNIST", dir.path());
  EXPECT_EQ(s.train.size(), 6);
  EXPECT_EQ(s.train.name, "fashion-mnist");
}

TEST(IdxErrors, BadMagicNamesFileAndOffset) {
  TempDir dir;
  Bytes file = idx_bytes({1, 2, 2}, image_payload(1, 2, 2));
  file[0] = 0x12;
  file[1] = 0x34;
  write_bytes(dir.file("bad"), file);
  expect_contains(error_of([&] { read_idx_images(dir.file("bad")); }),
                  {dir.file("bad"), "magic", "offset 0", "expected 00 00 08 03", "found 12 34 08 03"});
}

TEST(IdxErrors, WrongDataTypeAndRank) {
  TempDir dir;
  Bytes file = idx_bytes({1, 2, 2}, image_payload(1, 2, 2));
  file[2] = 0x0d;  // float
  write_bytes(dir.file("float"), file);
  expect_contains(error_of([&] { read_idx_images(dir.file("float")); }),
                  {dir.file("float"), "offset 2", "0x08", "found 0d"});
  write_bytes(dir.file("labels"), idx_bytes({3}, {1, 2, 3}));
  expect_contains(error_of([&] { read_idx_images(dir.file("labels")); }),
                  {dir.file("labels"), "dimension count at offset 3", "expected 3", "found 1"});
}

TEST(IdxErrors, ShortAndLongFiles) {
  TempDir dir;
  Bytes file = idx_bytes({3, 4, 4}, image_payload(3, 4, 4));  // 16 + 48 bytes
  file.resize(file.size() - 5);
  write_bytes(dir.file("short"), file);
  expect_contains(error_of([&] { read_idx_images(dir.file("short")); }),
                  {dir.file("short"), "truncated", "3x4x4", "need 64 bytes", "found 59 bytes"});
  write_bytes(dir.file("tiny"), {0, 0});
  expect_contains(error_of([&] { read_idx_images(dir.file("tiny")); }),
                  {dir.file("tiny"), "too short", "2 bytes"});
  write_bytes(dir.file("header"), {0, 0, 8, 3, 0, 0});
  expect_contains(error_of([&] { read_idx_images(dir.file("header")); }),
                  {dir.file("header"), "16-byte IDX header", "6 bytes"});
  Bytes longer = idx_bytes({3, 4, 4}, image_payload(3, 4, 4));
  longer.push_back(7);
  write_bytes(dir.file("long"), longer);
  expect_contains(error_of([&] { read_idx_images(dir.file("long")); }),
                  {dir.file("long"), "trailing data", "need 64 bytes", "found 65 bytes", "offset 64"});
  write_bytes(dir.file("zero"), idx_bytes({0, 4, 4}, {}));
  expect_contains(error_of([&] { read_idx_images(dir.file("zero")); }),
                  {dir.file("zero"), "dimension 0 at offset 4", "positive", "found 0"});
  // Dimensions whose product overflows 64 bits must not wrap around.
  write_bytes(dir.file("huge"), idx_bytes({0xffffffff, 0xffffffff, 0xffffffff}, {1, 2, 3}));
  expect_contains(error_of([&] { read_idx_images(dir.file("huge")); }), {dir.file("huge"), "truncated"});
}

TEST(IdxErrors, TruncatedAndCorruptGzip) {
  TempDir dir;
  const Bytes packed = gzip_bytes(idx_bytes({20, 8, 8}, image_payload(20, 8, 8)));
  Bytes cut(packed.begin(), packed.begin() + long(packed.size() / 2));
  write_bytes(dir.file("cut.gz"), cut);
  expect_contains(error_of([&] { read_idx_images(dir.file("cut.gz")); }),
                  {dir.file("cut.gz"), "truncated gzip", "offset " + std::to_string(cut.size())});
  // Losing only the 8-byte trailer (CRC-32, length) is truncation too.
  Bytes no_trailer(packed.begin(), packed.end() - 8);
  write_bytes(dir.file("notrailer.gz"), no_trailer);
  expect_contains(error_of([&] { read_idx_images(dir.file("notrailer.gz")); }),
                  {dir.file("notrailer.gz"), "truncated gzip"});
  Bytes bad_crc = packed;
  bad_crc[bad_crc.size() - 6] ^= 0xff;  // a CRC-32 byte
  write_bytes(dir.file("crc.gz"), bad_crc);
  expect_contains(error_of([&] { read_idx_images(dir.file("crc.gz")); }),
                  {dir.file("crc.gz"), "corrupt gzip", "check"});
  Bytes junk = packed;
  junk.push_back(0x42);
  write_bytes(dir.file("junk.gz"), junk);
  expect_contains(error_of([&] { read_idx_images(dir.file("junk.gz")); }),
                  {dir.file("junk.gz"), "1 trailing bytes"});
  write_bytes(dir.file("plain.gz"), idx_bytes({1, 1, 1}, {5}));
  expect_contains(error_of([&] { read_idx_images(dir.file("plain.gz")); }),
                  {dir.file("plain.gz"), "gzip magic", "expected 1f 8b", "found 00 00"});
}

// Note [Bounded inflation]: 64 MiB of zeros after a header that declares
// 2x2x2 images gzip to about 64 KB; the reader stops inflating after the 24
// bytes the header declares, long before the end of the compressed stream.
TEST(IdxErrors, GzipInflatingPastTheDeclaredSizeStopsThere) {
  TempDir dir;
  Bytes plain = idx_bytes({2, 2, 2}, image_payload(2, 2, 2));  // 16 + 8 bytes
  plain.resize(plain.size() + (size_t{64} << 20), 0);
  const Bytes packed = gzip_bytes(plain);
  write_bytes(dir.file("bomb.gz"), packed);
  const std::string message = error_of([&] { read_idx_images(dir.file("bomb.gz")); });
  expect_contains(message, {dir.file("bomb.gz"), "decompresses to more than 24 bytes", "stopped inflating"});
  // "... at compressed byte offset X of N": X is far before the end.
  const size_t at = message.find("compressed byte offset ");
  ASSERT_NE(at, std::string::npos) << message;
  const size_t offset = std::stoull(message.substr(at + 23));
  EXPECT_LT(offset, packed.size() / 4) << message;

  // The header alone is read without inflating the rest.
  EXPECT_EQ(maybe_inflate_prefix(dir.file("bomb.gz"), packed, 16), Bytes(plain.begin(), plain.begin() + 16));
  // A stream that ends exactly at the limit is whole.
  write_bytes(dir.file("exact.gz"), gzip_bytes(idx_bytes({2, 2, 2}, image_payload(2, 2, 2))));
  EXPECT_EQ(read_maybe_gzip(dir.file("exact.gz"), 24).size(), 24u);
  expect_contains(error_of([&] { read_maybe_gzip(dir.file("exact.gz"), 23); }),
                  {"decompresses to more than 23 bytes"});
}

TEST(IdxErrors, LabelOutOfRangeNamesSampleAndOffset) {
  TempDir dir;
  write_bytes(dir.file("labels"), idx_bytes({4}, {0, 9, 11, 3}));
  expect_contains(error_of([&] { read_idx_labels(dir.file("labels"), 10); }),
                  {dir.file("labels"), "sample 2", "byte offset 10", "expected 0..9", "found 11"});
}

TEST(IdxErrors, ImageLabelCountMismatch) {
  TempDir dir;
  write_idx_dataset(dir, 4, 2, false);
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_bytes({3}, {1, 2, 3}));
  expect_contains(error_of([&] { load_dataset("mnist", dir.path()); }),
                  {dir.file("train-labels-idx1-ubyte"), "label count", "expected 4", "found 3",
                   dir.file("train-images-idx3-ubyte")});
}

TEST(IdxErrors, TrainAndTestImageSizesMustMatch) {
  TempDir dir;
  write_idx_dataset(dir, 4, 2, false);
  write_bytes(dir.file("t10k-images-idx3-ubyte"), idx_bytes({2, 4, 4}, image_payload(2, 4, 4)));
  expect_contains(error_of([&] { load_dataset("mnist", dir.path()); }),
                  {dir.file("t10k-images-idx3-ubyte"), "expected 3x4", "found 4x4"});
}

TEST(IdxErrors, MissingFilesAndUnknownNames) {
  TempDir dir;
  expect_contains(error_of([&] { load_dataset("mnist", dir.path()); }),
                  {dir.path(), "train-images-idx3-ubyte.gz or train-images-idx3-ubyte", "--data-dir"});
  expect_contains(error_of([&] { load_dataset("imagenet", ""); }),
                  {"fashion-mnist, mnist, cifar10", "found \"imagenet\""});
  expect_contains(error_of([&] { read_idx_images(dir.file("nope")); }), {dir.file("nope"), "no such file"});
}

// ---- CIFAR-10 -------------------------------------------------------------

Bytes cifar_file(const std::vector<uint8_t>& labels, uint8_t seed) {
  Bytes file;
  for (size_t i = 0; i < labels.size(); ++i) {
    const Bytes r = testing::cifar_record(labels[i], uint8_t(seed + i));
    file.insert(file.end(), r.begin(), r.end());
  }
  return file;
}

TEST(Cifar10, ReadsRecordsAsChannelPlanes) {
  TempDir dir;
  write_bytes(dir.file("a.bin"), cifar_file({3, 7}, 10));
  write_bytes(dir.file("b.bin"), cifar_file({9}, 100));
  const Dataset d = read_cifar10_batches({dir.file("a.bin"), dir.file("b.bin")}, "cifar10");
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  EXPECT_EQ(d.labels[0].item<int64_t>(), 3);
  EXPECT_EQ(d.labels[2].item<int64_t>(), 9);
  // pixel of record seed s, channel c, (y, x) = (s + 50 c + y + x) % 256
  EXPECT_EQ(d.images[0][0][0][0].item<int>(), 10);
  EXPECT_EQ(d.images[1][2][3][4].item<int>(), 11 + 100 + 7);
  EXPECT_EQ(d.images[2][1][31][31].item<int>(), (100 + 50 + 62) % 256);
}

TEST(Cifar10, LoadsTheOfficialLayoutAndItsTarballFolder) {
  TempDir dir;
  const std::string root = dir.file("cifar-10-batches-bin");
  for (int i = 1; i <= 5; ++i) {
    write_bytes(root + "/data_batch_" + std::to_string(i) + ".bin", cifar_file({uint8_t(i), 0}, 0));
  }
  write_bytes(root + "/test_batch.bin", cifar_file({0, 1}, 0));
  const DatasetSplits s = load_cifar10(dir.path(), /*records_per_file=*/2);
  EXPECT_EQ(s.train.size(), 10);
  EXPECT_EQ(s.test.size(), 2);
  EXPECT_EQ(s.train.labels[8].item<int64_t>(), 5);
  EXPECT_EQ(s.train.name, "cifar10");
  // The real data set has 10000 records per file; fewer is a cut download.
  expect_contains(
      error_of([&] { load_dataset("cifar-10", dir.path()); }),
      {root + "/data_batch_1.bin", "record count", "expected 10000 records (30730000 bytes)", "found 2"});
}

TEST(Cifar10Errors, PartialRecordLabelRangeAndMissingFiles) {
  TempDir dir;
  Bytes partial = cifar_file({1, 2}, 0);
  partial.resize(partial.size() - 100);
  write_bytes(dir.file("partial.bin"), partial);
  expect_contains(
      error_of([&] { read_cifar10_batches({dir.file("partial.bin")}, "cifar10"); }),
      {dir.file("partial.bin"), "multiple of 3073", "found 6046 bytes", "record 1", "offset 3073"});
  write_bytes(dir.file("label.bin"), cifar_file({1, 11}, 0));
  expect_contains(error_of([&] { read_cifar10_batches({dir.file("label.bin")}, "cifar10"); }),
                  {dir.file("label.bin"), "record 1", "byte offset 3073", "expected 0..9", "found 11"});
  write_bytes(dir.file("empty.bin"), {});
  expect_contains(error_of([&] { read_cifar10_batches({dir.file("empty.bin")}, "cifar10"); }),
                  {dir.file("empty.bin"), "found 0 bytes"});
  expect_contains(error_of([&] { load_dataset("cifar10", dir.path()); }),
                  {dir.file("data_batch_1.bin"), "missing", "test_batch.bin"});
}

// ---- CycleGAN domains from classes -----------------------------------------

TEST(Unpaired, DomainsFromTwoClasses) {
  const auto i64 = torch::kInt64;
  DatasetSplits s;
  s.train = {"fashion-mnist", torch::arange(6, torch::kUInt8).view({6, 1, 1, 1}),
             torch::tensor({7, 9, 7, 1, 9, 9}, i64), 10};
  s.test = {"fashion-mnist", torch::arange(3, torch::kUInt8).view({3, 1, 1, 1}),
            torch::tensor({9, 7, 0}, i64), 10};
  const UnpairedSplits u = unpaired_from_classes(s, 7, 9);
  EXPECT_TRUE(torch::equal(u.train_a.images.flatten(), torch::tensor({0, 2}, torch::kUInt8)));
  EXPECT_TRUE(torch::equal(u.train_b.images.flatten(), torch::tensor({1, 4, 5}, torch::kUInt8)));
  EXPECT_TRUE(torch::equal(u.test_a.images.flatten(), torch::tensor({1}, torch::kUInt8)));
  EXPECT_TRUE(torch::equal(u.test_b.images.flatten(), torch::tensor({0}, torch::kUInt8)));
  EXPECT_TRUE(torch::equal(u.train_a.labels, torch::tensor({0, 0}, i64)));
  EXPECT_TRUE(torch::equal(u.train_b.labels, torch::tensor({1, 1, 1}, i64)));
  EXPECT_EQ(u.train_b.num_classes, 2);
  expect_contains(u.description, {"A = 7 Sneaker", "B = 9 Ankle boot", "2 train / 1 test"});
  expect_contains(error_of([&] { unpaired_from_classes(s, 7, 7); }),
                  {"two different classes", "found 7 twice"});
  expect_contains(error_of([&] { unpaired_from_classes(s, 7, 10); }), {"domain B class", "0..9", "found 10"});
  expect_contains(error_of([&] { unpaired_from_classes(s, 1, 7); }), {"class 1", "found none"});
}

// ---- The real Fashion-MNIST (Debian's dataset-fashion-mnist) ---------------

TEST(RealData, FashionMnistFromTheDefaultLocation) {
  const std::string dir = default_dataset_dir("fashion-mnist");
  if (!is_directory(dir)) GTEST_SKIP() << dir << " is absent (apt install dataset-fashion-mnist)";
  const auto start = std::chrono::steady_clock::now();
  const DatasetSplits s = load_dataset("fashion-mnist", "");
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] Fashion-MNIST load (gunzip + validate, 60000 + 10000 images): %.3f s\n", load_s);
  ASSERT_EQ(s.train.images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  ASSERT_EQ(s.test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(s.train.labels.min().item<int64_t>(), 0);
  EXPECT_EQ(s.train.labels.max().item<int64_t>(), 9);
  // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
  EXPECT_TRUE(torch::equal(torch::bincount(s.train.labels), torch::full({10}, 6000, torch::kInt64)));
  EXPECT_TRUE(torch::equal(torch::bincount(s.test.labels), torch::full({10}, 1000, torch::kInt64)));
  // The normalisation constants of batches.cpp come from these pixels.
  const torch::Tensor pixels = s.train.images.to(torch::kFloat32).div_(255);  // pairwise-summed reductions
  EXPECT_NEAR(pixels.mean().item<double>(), 0.2860, 5e-5);
  EXPECT_NEAR(pixels.std().item<double>(), 0.3530, 5e-5);
}

}  // namespace
}  // namespace effbench
