#pragma once
// IDX files (MNIST, Fashion-MNIST): big-endian header, then unsigned bytes.
// Plain or gzip-compressed; see Note [IDX layout] in idx.cpp.

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace effbench {

/// An IDX file's dimensions and its payload as a uint8 tensor of that shape.
struct IdxArray {
  std::vector<int64_t> dims;
  torch::Tensor data;  // uint8, shape `dims`
};

/// Reads one IDX file of unsigned bytes with exactly `expected_rank`
/// dimensions. Gzip is detected from the content. Throws Error naming the file
/// and the offending offset for a bad magic number, data type or rank, a zero
/// dimension, or a (decompressed) size that differs from header + payload.
IdxArray read_idx(const std::string& path, int64_t expected_rank);

/// Images of an idx3 file as uint8 N x 1 x H x W.
torch::Tensor read_idx_images(const std::string& path);

/// Labels of an idx1 file as int64 N; each must lie in [0, num_classes), else
/// Error naming the file, the byte offset and the value.
torch::Tensor read_idx_labels(const std::string& path, int64_t num_classes);

/// The path of an IDX file `stem` in `dir`: "<stem>.gz" when it exists, else
/// "<stem>"; throws Error listing both names when neither exists.
std::string find_idx_file(const std::string& dir, const std::string& stem);

/// Both splits from the standard MNIST file names in `dir`:
/// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
/// t10k-labels-idx1-ubyte, each optionally with ".gz". Checks image/label
/// counts and that both splits share one image size.
DatasetSplits load_idx_dataset(const std::string& name, const std::string& dir, int64_t num_classes);

}  // namespace effbench
