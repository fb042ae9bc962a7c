// Unpaired image folders (CycleGAN) against PNG and JPEG files written by
// stb_image_write, which shares no code with the stb_image decoder.

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/image_folder.h"
#include "test_files.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace effbench {
namespace {

using testing::error_of;
using testing::expect_contains;
using testing::TempDir;
using testing::write_bytes;

// Pixel (y, x, channel) of test image `seed`: distinct per image and position.
uint8_t pixel(int seed, int y, int x, int c) { return uint8_t((seed * 40 + y * 16 + x * 4 + c * 70) % 256); }

void write_png(const std::string& path, int width_px, int height_px, int seed, int channels = 3) {
  std::vector<uint8_t> data;
  for (int y = 0; y < height_px; ++y)
    for (int x = 0; x < width_px; ++x)
      for (int c = 0; c < channels; ++c) data.push_back(pixel(seed, y, x, c));
  write_bytes(path, {});  // creates the folder
  ASSERT_NE(stbi_write_png(path.c_str(), width_px, height_px, channels, data.data(), width_px * channels), 0);
}

void write_solid_jpeg(const std::string& path, int width_px, int height_px, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> data;
  for (int i = 0; i < width_px * height_px; ++i) data.insert(data.end(), {r, g, b});
  write_bytes(path, {});
  ASSERT_NE(stbi_write_jpg(path.c_str(), width_px, height_px, 3, data.data(), 100), 0);
}

TEST(ImageFolder, DecodesPngsInNameOrderAsChannelPlanes) {
  TempDir dir;
  write_png(dir.file("f/b.png"), 4, 3, 2);
  write_png(dir.file("f/a.PNG"), 4, 3, 1);
  write_bytes(dir.file("f/README.txt"), {'h', 'i'});  // not an image: ignored
  const Dataset d = read_image_folder(dir.file("f"), 0, 1);
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 3, 3, 4}));  // N, C, H, W
  for (int i = 0; i < 2; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x) ASSERT_EQ(d.images[i][c][y][x].item<int>(), pixel(i + 1, y, x, c));
  EXPECT_TRUE(torch::equal(d.labels, torch::ones({2}, torch::kInt64)));
}

TEST(ImageFolder, GreyAndRgbaBecomeRgb) {
  TempDir dir;
  write_png(dir.file("g/grey.png"), 2, 2, 3, 1);
  write_png(dir.file("g/rgba.png"), 2, 2, 4, 4);
  const Dataset d = read_image_folder(dir.file("g"), 2, 0);
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{2, 3, 2, 2}));
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(d.images[0][c][1][1].item<int>(), pixel(3, 1, 1, 0));  // grey replicated
    EXPECT_EQ(d.images[1][c][1][0].item<int>(), pixel(4, 1, 0, c));  // alpha dropped
  }
}

TEST(ImageFolder, DecodesJpeg) {
  TempDir dir;
  write_solid_jpeg(dir.file("j/x.jpg"), 16, 16, 200, 40, 90);
  const Dataset d = read_image_folder(dir.file("j"), 16, 0);
  const torch::Tensor mean_rgb = d.images[0].to(torch::kFloat32).mean({1, 2});
  EXPECT_NEAR(mean_rgb[0].item<float>(), 200, 3);
  EXPECT_NEAR(mean_rgb[1].item<float>(), 40, 3);
  EXPECT_NEAR(mean_rgb[2].item<float>(), 90, 3);
}

TEST(ImageFolderErrors, WrongSizeNamesTheFile) {
  TempDir dir;
  write_png(dir.file("w/1.png"), 4, 3, 0);
  write_png(dir.file("w/2.png"), 5, 3, 0);
  write_png(dir.file("w/3.png"), 4, 3, 0);
  expect_contains(error_of([&] { read_image_folder(dir.file("w"), 0, 0); }),
                  {dir.file("w/2.png"), "image size", "expected 4x3", dir.file("w/1.png"), "found 5x3"});
  expect_contains(error_of([&] { read_image_folder(dir.file("w"), 8, 0); }),
                  {dir.file("w/1.png"), "expected 8x8", "requested size", "found 4x3"});
}

TEST(ImageFolderErrors, UndecodableEmptyAndMissing) {
  TempDir dir;
  write_png(dir.file("c/good.png"), 2, 2, 0);
  write_bytes(dir.file("c/junk.png"), {0x89, 'P', 'N', 'G', 1, 2, 3});
  expect_contains(error_of([&] { read_image_folder(dir.file("c"), 0, 0); }),
                  {dir.file("c/junk.png"), "cannot decode"});
  write_bytes(dir.file("e/notes.txt"), {'x'});
  expect_contains(error_of([&] { read_image_folder(dir.file("e"), 0, 0); }), {dir.file("e"), "no images"});
  expect_contains(error_of([&] { read_image_folder(dir.file("none"), 0, 0); }),
                  {dir.file("none"), "missing image folder"});
}

TEST(Unpaired, LoadsTheFourFolders) {
  TempDir dir;
  write_png(dir.file("h2z/trainA/a1.png"), 6, 6, 1);
  write_png(dir.file("h2z/trainA/a2.png"), 6, 6, 2);
  write_png(dir.file("h2z/trainB/b1.png"), 6, 6, 3);
  write_png(dir.file("h2z/testA/a.png"), 6, 6, 4);
  write_png(dir.file("h2z/testB/b.png"), 6, 6, 5);
  write_png(dir.file("h2z/testB/c.png"), 6, 6, 6);
  const UnpairedSplits u = load_unpaired(dir.file("h2z"), 6);
  EXPECT_EQ(u.train_a.size(), 2);
  EXPECT_EQ(u.train_b.size(), 1);
  EXPECT_EQ(u.test_a.size(), 1);
  EXPECT_EQ(u.test_b.size(), 2);
  EXPECT_EQ(u.train_b.labels[0].item<int64_t>(), 1);
  EXPECT_EQ(u.test_a.labels[0].item<int64_t>(), 0);
  EXPECT_EQ(u.test_b.images[1][2][5][5].item<int>(), pixel(6, 5, 5, 2));
  EXPECT_EQ(u.train_a.name, "h2z/trainA");
  expect_contains(u.description, {"trainA (2)", "testB (2)", "6x6 RGB"});

  // Without a requested size, trainA's size binds the other three folders.
  write_png(dir.file("h2z/testB/d.png"), 7, 6, 6);
  expect_contains(error_of([&] { load_unpaired(dir.file("h2z"), 0); }),
                  {dir.file("h2z/testB/d.png"), "expected 6x6", "trainA", "found 7x6"});
  expect_contains(error_of([&] { load_unpaired(dir.file("nowhere"), 0); }), {dir.file("nowhere"), "trainA/"});
}

}  // namespace
}  // namespace effbench
