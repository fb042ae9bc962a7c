#include "data/idx.h"

#include <cstdio>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "data/file_bytes.h"

namespace effbench {

// Note [IDX layout]
// An IDX file is: two zero bytes, a data-type byte (0x08 = unsigned byte, the
// only type MNIST-style datasets use), a rank byte, `rank` big-endian uint32
// dimensions, then the payload in row-major order. Nothing says how long the
// file is except the dimensions, so the (decompressed) size must equal
// 4 + 4 * rank + product(dims) exactly: a shorter file is truncated, a longer
// one is not what its header claims. Either way we refuse it rather than load
// partial or misaligned data.

namespace {

std::string hex_bytes(const uint8_t* p, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", p[i]);
    s += buf;
  }
  return s.empty() ? "(nothing)" : s;
}

std::string join_dims(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

}  // namespace

IdxArray read_idx(const std::string& path, int64_t expected_rank) {
  const size_t header_bytes = 4 + 4 * size_t(expected_rank);
  // The header first, then no more than it declares (Note [Bounded inflation]).
  std::vector<uint8_t> file = read_file_bytes(path);
  const std::vector<uint8_t> head = maybe_inflate_prefix(path, file, header_bytes);
  const std::string kind = expected_rank == 3 ? "idx3 images" : expected_rank == 1 ? "idx1 labels" : "IDX";
  const std::string expected_magic = "00 00 08 0" + std::to_string(expected_rank);
  if (head.size() < 4) {
    throw Error(path + ": file is " + std::to_string(head.size()) +
                " bytes, too short for the 4-byte IDX magic " + "number (expected " + expected_magic +
                ", found " + hex_bytes(head.data(), head.size()) + ")");
  }
  if (head[0] != 0 || head[1] != 0) {
    throw Error(path + ": bad IDX magic number at offset 0: expected " + expected_magic + " (" + kind +
                "), found " + hex_bytes(head.data(), 4) + "; not an IDX file");
  }
  if (head[2] != 0x08) {
    throw Error(path + ": IDX data type at offset 2: expected 0x08 (unsigned byte), found " +
                hex_bytes(head.data() + 2, 1));
  }
  if (head[3] != expected_rank) {
    throw Error(path + ": IDX dimension count at offset 3: expected " + std::to_string(expected_rank) + " (" +
                kind + "), found " + std::to_string(head[3]));
  }
  if (head.size() < header_bytes) {
    throw Error(path + ": file is " + std::to_string(head.size()) + " bytes, too short for the " +
                std::to_string(header_bytes) + "-byte IDX header of rank " + std::to_string(expected_rank));
  }
  IdxArray array;
  // Saturating product: three 32-bit dimensions can exceed 2^64.
  constexpr uint64_t kHuge = ~uint64_t(0) / 2;
  uint64_t payload_bytes = 1;
  for (int64_t i = 0; i < expected_rank; ++i) {
    const uint8_t* p = head.data() + 4 + 4 * i;
    const uint64_t dim = uint64_t(p[0]) << 24 | uint64_t(p[1]) << 16 | uint64_t(p[2]) << 8 | p[3];
    if (dim == 0) {
      throw Error(path + ": IDX dimension " + std::to_string(i) + " at offset " + std::to_string(4 + 4 * i) +
                  ": expected a positive size, found 0");
    }
    payload_bytes = payload_bytes > kHuge / dim ? kHuge : payload_bytes * dim;
    array.dims.push_back(int64_t(dim));
  }
  if (payload_bytes >= kHuge) {
    throw Error(path + ": truncated: the header's dimensions " + join_dims(array.dims) +
                " need more than 2^62 bytes, more than any file holds");
  }
  const std::vector<uint8_t> bytes = maybe_inflate(path, std::move(file), header_bytes + payload_bytes);
  if (header_bytes + payload_bytes != bytes.size()) {
    const bool short_file = header_bytes + payload_bytes > bytes.size();
    const std::string need = std::to_string(header_bytes + payload_bytes);
    throw Error(path + ": " + (short_file ? "truncated" : "trailing data") + ": the header's dimensions " +
                join_dims(array.dims) + " need " + need + " bytes (" + std::to_string(header_bytes) +
                "-byte header + payload), found " + std::to_string(bytes.size()) + " bytes" +
                (short_file ? ", data ends at offset " + std::to_string(bytes.size())
                            : ", extra data from offset " + std::to_string(header_bytes + payload_bytes)));
  }
  array.data = torch::empty(array.dims, torch::kUInt8);
  std::memcpy(array.data.data_ptr<uint8_t>(), bytes.data() + header_bytes, payload_bytes);
  return array;
}

torch::Tensor read_idx_images(const std::string& path) {
  IdxArray array = read_idx(path, 3);
  return array.data.unsqueeze(1).contiguous();  // N x 1 x H x W
}

torch::Tensor read_idx_labels(const std::string& path, int64_t num_classes) {
  IdxArray array = read_idx(path, 1);
  const torch::Tensor bad = (array.data.to(torch::kInt64) >= num_classes).nonzero();
  if (bad.numel() > 0) {
    const int64_t index = bad[0][0].item<int64_t>();
    throw Error(path + ": label of sample " + std::to_string(index) + " at byte offset " +
                std::to_string(8 + index) + ": expected 0.." + std::to_string(num_classes - 1) + ", found " +
                std::to_string(array.data[index].item<int64_t>()));
  }
  return array.data.to(torch::kInt64);
}

std::string find_idx_file(const std::string& dir, const std::string& stem) {
  const std::string gz = join_path(dir, stem + ".gz");
  if (is_regular_file(gz)) return gz;
  const std::string plain = join_path(dir, stem);
  if (is_regular_file(plain)) return plain;
  throw Error(dir + ": missing IDX file: expected " + stem + ".gz or " + stem + " in this directory, found " +
              (is_directory(dir) ? "neither" : "no such directory") +
              "; pass --data-dir with the right folder");
}

DatasetSplits load_idx_dataset(const std::string& name, const std::string& dir, int64_t num_classes) {
  auto load_split = [&](const std::string& prefix) {
    const std::string images_path = find_idx_file(dir, prefix + "-images-idx3-ubyte");
    const std::string labels_path = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
    Dataset split;
    split.name = name;
    split.num_classes = num_classes;
    split.images = read_idx_images(images_path);
    split.labels = read_idx_labels(labels_path, num_classes);
    if (split.images.size(0) != split.labels.size(0)) {
      throw Error(labels_path + ": label count (dimension 0 at offset 4): expected " +
                  std::to_string(split.images.size(0)) + " to match the images in " + images_path +
                  ", found " + std::to_string(split.labels.size(0)));
    }
    return std::make_pair(split, images_path);
  };
  auto [train, train_images] = load_split("train");
  auto [test, test_images] = load_split("t10k");
  if (train.images.sizes().slice(1) != test.images.sizes().slice(1)) {
    throw Error(test_images + ": image size (dimensions 1 and 2 at offsets 8 and 12): expected " +
                std::to_string(train.images.size(2)) + "x" + std::to_string(train.images.size(3)) +
                " as in " + train_images + ", found " + std::to_string(test.images.size(2)) + "x" +
                std::to_string(test.images.size(3)));
  }
  return DatasetSplits{std::move(train), std::move(test)};
}

}  // namespace effbench
