// DeviceEpochLoader, EvalBatches and UnpairedEpochLoader: permutations,
// label alignment under shift and flip (checked against a loop-by-loop
// reference), and normalisation against hand-computed values.

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/error.h"
#include "data/batches.h"
#include "data/file_bytes.h"
#include "test_files.h"

namespace effbench {
namespace {

using testing::error_of;
using testing::expect_contains;

// N images of C x H x W; image i has label i (so num_classes = N) and pixel
// values 1 + (i * 37 + c * 11 + y * W + x) % 254, never zero (zero = padding).
Dataset numbered_dataset(int64_t n, int64_t c, int64_t h, int64_t w) {
  const torch::Tensor i = torch::arange(n).view({n, 1, 1, 1});
  const torch::Tensor ch = torch::arange(c).view({1, c, 1, 1});
  const torch::Tensor y = torch::arange(h).view({1, 1, h, 1});
  const torch::Tensor x = torch::arange(w).view({1, 1, 1, w});
  Dataset d;
  d.name = "numbered";
  d.images = (1 + (i * 37 + ch * 11 + y * w + x) % 254).to(torch::kUInt8);
  d.labels = torch::arange(n);
  d.num_classes = n;
  return d;
}

// The expected output pixel of the pipeline in plain loops: zero-pad the
// H x W image (centred) to size_px, then by `shift` more on every side, then
// read the size_px window at (oy, ox), mirrored when `flip`.
float reference_pixel(const torch::TensorAccessor<uint8_t, 3>& img, int64_t size_px, int64_t shift,
                      int64_t oy, int64_t ox, bool flip, int64_t c, int64_t y, int64_t x) {
  const int64_t h = img.size(1), w = img.size(2);
  const int64_t top = (size_px - h) / 2 + shift, left = (size_px - w) / 2 + shift;
  const int64_t py = oy + y, px = ox + (flip ? size_px - 1 - x : x);
  const int64_t sy = py - top, sx = px - left;
  if (sy < 0 || sy >= h || sx < 0 || sx >= w) return 0.0f;
  return float(img[c][sy][sx]) / 255.0f;
}

// Returns the (oy, ox, flip) under which `out` (C x S x S) is image `source`
// transformed, or (-1, -1, -1) when none fits.
std::tuple<int64_t, int64_t, int> find_transform(const torch::Tensor& out, const torch::Tensor& source,
                                                 int64_t size_px, int64_t shift) {
  const auto o = out.accessor<float, 3>();
  const torch::Tensor src = source.contiguous();
  const auto img = src.accessor<uint8_t, 3>();
  for (int flip = 0; flip < 2; ++flip)
    for (int64_t oy = 0; oy <= 2 * shift; ++oy)
      for (int64_t ox = 0; ox <= 2 * shift; ++ox) {
        bool match = true;
        for (int64_t c = 0; c < o.size(0) && match; ++c)
          for (int64_t y = 0; y < size_px && match; ++y)
            for (int64_t x = 0; x < size_px && match; ++x)
              match =
                  std::abs(o[c][y][x] - reference_pixel(img, size_px, shift, oy, ox, flip, c, y, x)) < 1e-6f;
        if (match) return {oy, ox, flip};
      }
  return {-1, -1, -1};
}

LoaderOptions plain_options(int64_t batch_size, bool drop_last, torch::Device device = torch::kCPU) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.drop_last = drop_last;
  o.device = device;
  return o;
}

TEST(DeviceEpochLoader, EachEpochIsAPermutationOfAllSamples) {
  const Dataset d = numbered_dataset(10, 1, 2, 2);
  DeviceEpochLoader loader(d, plain_options(3, /*drop_last=*/false));
  ASSERT_EQ(loader.batches_per_epoch(), 4);
  std::vector<torch::Tensor> orders;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<torch::Tensor> targets;
    for (int b = 0; b < 4; ++b) {
      EXPECT_EQ(loader.epoch(), epoch);
      const Batch batch = loader.next();
      EXPECT_EQ(batch.target.size(0), b < 3 ? 3 : 1);
      targets.push_back(batch.target);
    }
    EXPECT_EQ(loader.epoch(), epoch + 1);
    const torch::Tensor order = torch::cat(targets);
    EXPECT_TRUE(torch::equal(std::get<0>(order.sort()), torch::arange(10))) << order;
    EXPECT_TRUE(torch::equal(order, loader.permutation()));
    orders.push_back(order);
  }
  EXPECT_EQ(loader.samples_seen(), 30);
  // Three identical permutations of 10 would have probability 1 / 10!^2.
  EXPECT_FALSE(torch::equal(orders[0], orders[1]) && torch::equal(orders[1], orders[2]));
}

TEST(DeviceEpochLoader, DropLastSkipsThePartialBatchWithoutRepeats) {
  const Dataset d = numbered_dataset(10, 1, 2, 2);
  DeviceEpochLoader loader(d, plain_options(4, /*drop_last=*/true));
  ASSERT_EQ(loader.batches_per_epoch(), 2);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const torch::Tensor order = torch::cat({loader.next().target, loader.next().target});
    EXPECT_EQ(std::get<0>(torch::_unique(order)).numel(), 8);
    EXPECT_EQ(loader.epoch(), epoch + 1);
  }
  EXPECT_EQ(loader.samples_seen(), 24);
}

TEST(DeviceEpochLoader, ImagesFollowTheirLabels) {
  const Dataset d = numbered_dataset(7, 2, 3, 3);
  DeviceEpochLoader loader(d, plain_options(7, true));
  const Batch b = loader.next();
  ASSERT_EQ(b.input.sizes(), (std::vector<int64_t>{7, 2, 3, 3}));
  EXPECT_EQ(b.input.scalar_type(), torch::kFloat32);
  EXPECT_EQ(b.target.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::allclose(b.input, d.images.index_select(0, b.target).to(torch::kFloat32) / 255.0));
}

TEST(DeviceEpochLoader, SeededGeneratorsReproduce) {
  const Dataset d = numbered_dataset(50, 1, 6, 6);
  auto run = [&](uint64_t seed) {
    LoaderOptions o = plain_options(8, true);
    o.shift_px = 2;
    o.horizontal_flip = true;
    o.generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    DeviceEpochLoader loader(d, o);
    std::vector<torch::Tensor> out;
    for (int i = 0; i < 8; ++i) {  // crosses an epoch boundary (6 batches per epoch)
      const Batch b = loader.next();
      out.push_back(b.input.flatten());
      out.push_back(b.target.to(torch::kFloat32));
    }
    return torch::cat(out);
  };
  EXPECT_TRUE(torch::equal(run(42), run(42)));
  EXPECT_FALSE(torch::equal(run(42), run(43)));
}

void check_shift_and_flip_keep_labels(torch::Device device) {
  const int64_t n = 48, size_px = 12, shift = 2;
  const Dataset d = numbered_dataset(n, 2, 8, 7);  // non-square on purpose
  LoaderOptions o = plain_options(n, true, device);
  o.image_size_px = size_px;
  o.shift_px = shift;
  o.horizontal_flip = true;
  DeviceEpochLoader loader(d, o);
  const Batch b = loader.next();
  ASSERT_EQ(b.input.device().type(), device.type());
  ASSERT_EQ(b.input.sizes(), (std::vector<int64_t>{n, 2, size_px, size_px}));
  const torch::Tensor input = b.input.cpu(), target = b.target.cpu();
  std::set<std::pair<int64_t, int64_t>> offsets;
  int flips = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = target[i].item<int64_t>();
    const auto [oy, ox, flip] = find_transform(input[i], d.images[label], size_px, shift);
    ASSERT_GE(oy, 0) << "sample " << i << " is not a shifted/flipped copy of image " << label;
    offsets.insert({oy, ox});
    flips += flip;
  }
  // 48 draws from 25 offsets and 2 flip states: a handful of each at least.
  EXPECT_GE(offsets.size(), 8u);
  EXPECT_GT(flips, 5);
  EXPECT_LT(flips, n - 5);
}

TEST(DeviceEpochLoader, ShiftAndFlipKeepLabelAlignment) { check_shift_and_flip_keep_labels(torch::kCPU); }

TEST(DeviceEpochLoader, ShiftAndFlipOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  check_shift_and_flip_keep_labels(torch::kCUDA);
}

TEST(EvalBatches, InOrderCentredAndComplete) {
  const Dataset d = numbered_dataset(11, 1, 5, 5);
  LoaderOptions o = plain_options(4, /*drop_last=*/true);  // ignored for evaluation
  o.image_size_px = 9;
  o.shift_px = 3;            // ignored
  o.horizontal_flip = true;  // ignored
  const EvalBatches eval(d, o);
  ASSERT_EQ(eval.num_batches(), 3);
  int64_t seen = 0;
  for (const Batch& b : eval) {
    ASSERT_EQ(b.input.sizes().slice(1), (std::vector<int64_t>{1, 9, 9}));
    for (int64_t i = 0; i < b.target.size(0); ++i) {
      EXPECT_EQ(b.target[i].item<int64_t>(), seen);
      EXPECT_EQ(find_transform(b.input[i], d.images[seen], 9, 0), std::make_tuple(int64_t(0), int64_t(0), 0));
      ++seen;
    }
  }
  EXPECT_EQ(seen, 11);
  EXPECT_EQ(eval.batch(2).target.size(0), 3);
}

TEST(Normalisation, FashionMnistHandComputed) {
  Dataset d;
  d.name = "fashion-mnist";
  d.images = torch::zeros({1, 1, 28, 28}, torch::kUInt8);
  d.images[0][0][0][0] = 255;
  d.images[0][0][0][1] = 51;
  d.labels = torch::zeros({1}, torch::kInt64);
  d.num_classes = 10;
  const Batch b = EvalBatches(d, eval_loader_options("fashion-mnist", 1, torch::kCPU)).batch(0);
  ASSERT_EQ(b.input.sizes(), (std::vector<int64_t>{1, 1, 32, 32}));
  // (p / 255 - 0.2860) / 0.3530; the 28x28 image sits at offset 2 in 32x32.
  EXPECT_NEAR(b.input[0][0][2][2].item<float>(), 2.0226629f, 1e-5);   // 255
  EXPECT_NEAR(b.input[0][0][2][3].item<float>(), -0.2436261f, 1e-5);  // 51 = 0.2 * 255
  EXPECT_NEAR(b.input[0][0][2][4].item<float>(), -0.8101983f, 1e-5);  // 0
  EXPECT_NEAR(b.input[0][0][0][0].item<float>(), -0.8101983f, 1e-5);  // padding
}

TEST(Normalisation, Cifar10PerChannelHandComputed) {
  Dataset d;
  d.name = "cifar10";
  d.images = torch::stack({torch::full({32, 32}, 128), torch::full({32, 32}, 255), torch::full({32, 32}, 0)})
                 .unsqueeze(0)
                 .to(torch::kUInt8);
  d.labels = torch::zeros({1}, torch::kInt64);
  d.num_classes = 10;
  const Batch b = EvalBatches(d, eval_loader_options("cifar10", 1, torch::kCPU)).batch(0);
  ASSERT_EQ(b.input.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_NEAR(b.input[0][0][5][7].item<float>(), 0.0427562f, 1e-5);   // (128/255 - 0.4914) / 0.2470
  EXPECT_NEAR(b.input[0][1][5][7].item<float>(), 2.1264887f, 1e-5);   // (1 - 0.4822) / 0.2435
  EXPECT_NEAR(b.input[0][2][5][7].item<float>(), -1.7068043f, 1e-5);  // -0.4465 / 0.2616
}

TEST(LoaderOptions, RecipesPerDataset) {
  const LoaderOptions f = train_loader_options("fashion-mnist", 128, torch::kCPU);
  EXPECT_EQ(f.image_size_px, 32);
  EXPECT_EQ(f.shift_px, 4);
  EXPECT_TRUE(f.horizontal_flip);
  EXPECT_TRUE(f.shuffle && f.drop_last);
  EXPECT_FALSE(train_loader_options("mnist", 128, torch::kCPU).horizontal_flip);
  const LoaderOptions e = eval_loader_options("cifar10", 256, torch::kCPU);
  EXPECT_EQ(e.shift_px, 0);
  EXPECT_FALSE(e.horizontal_flip || e.shuffle || e.drop_last);
  EXPECT_EQ(e.normalization.mean.size(), 3u);
}

TEST(LoaderErrors, OptionsThatCannotWork) {
  const Dataset d = numbered_dataset(5, 3, 6, 6);
  expect_contains(error_of([&] { DeviceEpochLoader(d, plain_options(8, true)); }),
                  {"numbered", "batch size", "5 samples", "found 8"});
  LoaderOptions small = plain_options(2, true);
  small.image_size_px = 4;
  expect_contains(error_of([&] { DeviceEpochLoader(d, small); }), {"numbered", "6x6", "found 4"});
  LoaderOptions wrong_channels = plain_options(2, true);
  wrong_channels.normalization = {{0.1, 0.2}, {0.3, 0.4}};
  expect_contains(error_of([&] { EvalBatches(d, wrong_channels); }), {"numbered", "1 or 3", "found 2"});
  Dataset bad = d;
  bad.labels = torch::tensor({0, 1, 2, 3, 5}, torch::kInt64);
  bad.num_classes = 5;
  expect_contains(error_of([&] { DeviceEpochLoader(bad, plain_options(2, true)); }),
                  {"numbered", "expected 0..4", "to 5"});
}

TEST(UnpairedEpochLoader, InputIsDomainATargetIsDomainB) {
  Dataset a{"A", torch::full({5, 3, 4, 4}, 10, torch::kUInt8), torch::zeros({5}, torch::kInt64), 2};
  Dataset b{"B", torch::full({3, 3, 4, 4}, 200, torch::kUInt8), torch::ones({3}, torch::kInt64), 2};
  UnpairedEpochLoader loader(a, b, unpaired_loader_options(2, 0, torch::kCPU));
  EXPECT_EQ(loader.batches_per_epoch(), 2);
  const Batch batch = loader.next();
  ASSERT_EQ(batch.input.sizes(), (std::vector<int64_t>{2, 3, 4, 4}));
  ASSERT_EQ(batch.target.sizes(), (std::vector<int64_t>{2, 3, 4, 4}));
  EXPECT_TRUE(torch::allclose(batch.input, torch::full({2, 3, 4, 4}, (10 / 255.0 - 0.5) / 0.5)));
  EXPECT_TRUE(torch::allclose(batch.target, torch::full({2, 3, 4, 4}, (200 / 255.0 - 0.5) / 0.5)));
  loader.next();
  EXPECT_EQ(loader.epoch(), 1);
  expect_contains(loader.describe(), {"A: 5 images 3x4x4", "B: 3 images"});
}

TEST(RealData, FashionMnistEpochOnTheDevice) {
  const std::string dir = default_dataset_dir("fashion-mnist");
  if (!is_directory(dir)) GTEST_SKIP() << dir << " is absent (apt install dataset-fashion-mnist)";
  const DatasetSplits s = load_dataset("fashion-mnist", "");
  const torch::Device device =
      torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  DeviceEpochLoader train(s.train, train_loader_options("fashion-mnist", 128, device));
  std::printf("[ describe ] %s\n", train.describe().c_str());
  std::vector<torch::Tensor> targets;
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < train.batches_per_epoch(); ++i) targets.push_back(train.next().target);
  if (device.is_cuda()) torch::cuda::synchronize();
  const double epoch_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ timing   ] one training epoch of batches (468 x 128, pad+shift+flip+normalise) on %s: %.3f s\n",
      device.str().c_str(), epoch_s);
  EXPECT_EQ(train.epoch(), 1);
  EXPECT_EQ(train.samples_seen(), 468 * 128);
  // Every label appears ~6000 times minus what drop_last left out (96 samples).
  const torch::Tensor counts = torch::bincount(torch::cat(targets).cpu());
  EXPECT_EQ(counts.sum().item<int64_t>(), 59904);
  EXPECT_GE(counts.min().item<int64_t>(), 6000 - 96);
  start = std::chrono::steady_clock::now();
  int64_t seen = 0;
  for (const Batch& b : EvalBatches(s.test, eval_loader_options("fashion-mnist", 1000, device))) {
    seen += b.target.size(0);
  }
  const double eval_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] test-set evaluation batches (10 x 1000) on %s: %.3f s\n", device.str().c_str(),
              eval_s);
  EXPECT_EQ(seen, 10000);
}

}  // namespace
}  // namespace effbench
