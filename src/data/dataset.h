#pragma once
// Whole datasets in memory: every split is one uint8 image tensor and one
// int64 label tensor, ready to be moved to the device once (data/batches.h).

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace effbench {

/// One split of a dataset, on the host after loading.
struct Dataset {
  std::string name;      // "fashion-mnist", "cifar10", "horse2zebra/trainA", ...
  torch::Tensor images;  // uint8 N x C x H x W, contiguous
  torch::Tensor labels;  // int64 N, each in [0, num_classes)
  int64_t num_classes = 0;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

/// The train and test splits of one dataset.
struct DatasetSplits {
  Dataset train, test;
};

/// Two unpaired image domains (CycleGAN), each split into train and test.
/// Labels are the domain index: 0 in the A splits, 1 in the B splits.
struct UnpairedSplits {
  Dataset train_a, train_b, test_a, test_b;
  std::string description;  // one line for the screen: where the two domains come from
};

/// The dataset names load_dataset() accepts: fashion-mnist, mnist, cifar10.
const std::vector<std::string>& dataset_names();

/// Where load_dataset() looks when `dir` is empty:
/// fashion-mnist /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist),
/// mnist /usr/share/datasets/mnist, cifar10 /usr/share/datasets/cifar10.
std::string default_dataset_dir(const std::string& name);

/// Loads both splits of a named dataset from `dir` (empty = default_dataset_dir).
/// Throws Error for an unknown name, missing files or any malformed file; the
/// message names the file, the offset or field, what was expected and found.
/// Touches no shared state; the host copy is owned by the caller.
DatasetSplits load_dataset(const std::string& name, const std::string& dir);

/// Human-readable class names of a named dataset (10 for fashion-mnist, mnist
/// and cifar10), or "class N" for others.
std::string class_name(const std::string& dataset_name, int64_t label);

/// CycleGAN's fallback domains: domain A = the images of `class_a`, domain B =
/// those of `class_b`, from both splits (e.g. Fashion-MNIST 7 sneakers vs 9
/// ankle boots). Throws Error when a class is out of range, the two are equal
/// or a split has no image of one of them.
UnpairedSplits unpaired_from_classes(const DatasetSplits& splits, int64_t class_a, int64_t class_b);

/// Checks the invariants of Dataset (dtypes, ranks, counts, label range);
/// throws Error naming `what` (the input it came from) otherwise.
void validate_dataset(const Dataset& dataset, const std::string& what);

}  // namespace effbench
