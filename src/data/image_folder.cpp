#include "data/image_folder.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <limits>

#include "core/error.h"
#include "data/file_bytes.h"

// The one stb_image implementation in effbench. From memory only (we read the
// files ourselves so errors name them), JPEG and PNG only.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#include <stb/stb_image.h>

namespace effbench {

// Note [One image size]
// A CycleGAN batch is one N x 3 x H x W tensor, so every image of the four
// folders must have one size. We do not resize or crop: resampling changes the
// data a benchmark claims to measure, and a folder that mixes sizes is more
// likely a mistake (a wrong file dropped in) than an intent. So the size is
// either the requested `image_size_px` square (256 for horse2zebra), or, when
// 0, the size of the first image of trainA; any other image is an error that
// names the file, its size and the expected size. Prepare other data sets
// once with an image tool rather than on every run.

namespace {

bool is_image_name(const std::string& file_name) {
  std::string lower = file_name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* ext : {".jpg", ".jpeg", ".png"}) {
    const size_t n = std::strlen(ext);
    if (lower.size() > n && lower.compare(lower.size() - n, n, ext) == 0) return true;
  }
  return false;
}

std::string size_text(int64_t width_px, int64_t height_px) {
  return std::to_string(width_px) + "x" + std::to_string(height_px) + " (width x height)";
}

// Reads `folder` requiring width_px x height_px images; with 0 x 0 the first
// image sets the size. `expected_why` says where the expected size came from.
Dataset read_folder_of_size(const std::string& folder, int64_t width_px, int64_t height_px, int64_t label,
                            std::string expected_why) {
  if (!is_directory(folder)) {
    throw Error(folder + ": missing image folder: expected a directory of JPEG/PNG images");
  }
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string file_name = entry.path().filename().string();
    if (file_name.empty() || file_name[0] == '.' || !is_image_name(file_name)) continue;
    paths.push_back(entry.path().string());
  }
  if (ec) throw Error(folder + ": cannot list the directory: " + ec.message());
  if (paths.empty()) throw Error(folder + ": no images: expected *.jpg, *.jpeg or *.png files, found none");
  std::sort(paths.begin(), paths.end());

  if (width_px == 0 || height_px == 0) {
    const std::vector<uint8_t> bytes = read_file_bytes(paths[0]);
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &comp)) {
      throw Error(paths[0] + ": cannot decode as JPEG or PNG: " + stbi_failure_reason());
    }
    width_px = w;
    height_px = h;
    expected_why = "like " + paths[0];
  }

  const int64_t count = static_cast<int64_t>(paths.size());
  torch::Tensor images_hwc = torch::empty({count, height_px, width_px, 3}, torch::kUInt8);
  uint8_t* out = images_hwc.data_ptr<uint8_t>();
  const size_t image_bytes = size_t(height_px * width_px * 3);
  // Decode in parallel; keep each file's error so the first bad file (in name
  // order) is reported, independently of thread timing.
  std::vector<std::string> errors(paths.size());
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const std::string& path = paths[size_t(i)];
      try {
        const std::vector<uint8_t> bytes = read_file_bytes(path);
        if (bytes.size() > size_t(std::numeric_limits<int>::max())) {
          errors[size_t(i)] =
              path + ": file is too large for the image decoder (" + std::to_string(bytes.size()) + " bytes)";
          continue;
        }
        int w = 0, h = 0, comp = 0;
        const int n = static_cast<int>(bytes.size());
        if (!stbi_info_from_memory(bytes.data(), n, &w, &h, &comp)) {
          errors[size_t(i)] = path + ": cannot decode as JPEG or PNG: " + stbi_failure_reason();
          continue;
        }
        if (w != width_px || h != height_px) {
          errors[size_t(i)] = path + ": image size: expected " + size_text(width_px, height_px) + " " +
                              expected_why + ", found " + size_text(w, h) +
                              "; all images must have one size (no resizing)";
          continue;
        }
        stbi_uc* pixels = stbi_load_from_memory(bytes.data(), n, &w, &h, &comp, 3);
        if (!pixels) {
          errors[size_t(i)] = path + ": cannot decode as JPEG or PNG: " + stbi_failure_reason();
          continue;
        }
        std::memcpy(out + size_t(i) * image_bytes, pixels, image_bytes);
        stbi_image_free(pixels);
      } catch (const Error& e) {
        errors[size_t(i)] = e.what();
      }
    }
  });
  for (const std::string& error : errors) {
    if (!error.empty()) throw Error(error);
  }
  Dataset dataset;
  dataset.name = folder;
  dataset.images = images_hwc.permute({0, 3, 1, 2}).contiguous();
  dataset.labels = torch::full({count}, label, torch::kInt64);
  dataset.num_classes = 2;
  return dataset;
}

}  // namespace

Dataset read_image_folder(const std::string& folder, int64_t image_size_px, int64_t label) {
  if (image_size_px < 0) {
    throw Error(folder + ": image size: expected >= 0 pixels, found " + std::to_string(image_size_px));
  }
  return read_folder_of_size(folder, image_size_px, image_size_px, label, "(the requested size)");
}

UnpairedSplits load_unpaired(const std::string& dir, int64_t image_size_px) {
  if (!is_directory(dir)) {
    throw Error(dir + ": missing unpaired image directory: expected trainA/ trainB/ testA/ testB/ inside it");
  }
  UnpairedSplits splits;
  splits.train_a = read_image_folder(join_path(dir, "trainA"), image_size_px, 0);
  // The first trainA image fixes the size of all four folders.
  const int64_t height_px = splits.train_a.images.size(2), width_px = splits.train_a.images.size(3);
  const std::string why =
      image_size_px ? "(the requested size)" : "like the images of " + join_path(dir, "trainA");
  auto read_like_train_a = [&](const std::string& sub, int64_t label) {
    return read_folder_of_size(join_path(dir, sub), width_px, height_px, label, why);
  };
  splits.train_b = read_like_train_a("trainB", 1);
  splits.test_a = read_like_train_a("testA", 0);
  splits.test_b = read_like_train_a("testB", 1);
  const std::string base = std::filesystem::path(dir).filename().string().empty()
                               ? std::filesystem::path(dir).parent_path().filename().string()
                               : std::filesystem::path(dir).filename().string();
  splits.description = "unpaired folders " + dir + ": A = trainA (" + std::to_string(splits.train_a.size()) +
                       ") / testA (" + std::to_string(splits.test_a.size()) + "), B = trainB (" +
                       std::to_string(splits.train_b.size()) + ") / testB (" +
                       std::to_string(splits.test_b.size()) + "), " + std::to_string(width_px) + "x" +
                       std::to_string(height_px) + " RGB";
  for (Dataset* d : {&splits.train_a, &splits.train_b, &splits.test_a, &splits.test_b}) {
    d->name = base + "/" + std::filesystem::path(d->name).filename().string();
  }
  return splits;
}

}  // namespace effbench
