#include "data/dataset.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "data/cifar10.h"
#include "data/file_bytes.h"
#include "data/idx.h"

namespace effbench {

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "mnist", "cifar10"};
  return names;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string known_names() {
  std::string s;
  for (const auto& n : dataset_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// Accepts the spellings people type: "Fashion-MNIST", "fashion_mnist", "cifar-10".
std::string canonical_name(const std::string& name) {
  std::string s = lower(name);
  std::replace(s.begin(), s.end(), '_', '-');
  if (s == "fashionmnist") return "fashion-mnist";
  if (s == "cifar-10") return "cifar10";
  for (const auto& n : dataset_names()) {
    if (s == n) return n;
  }
  throw Error("dataset name: expected one of " + known_names() + ", found \"" + name + "\"");
}

}  // namespace

std::string default_dataset_dir(const std::string& name) {
  return "/usr/share/datasets/" + canonical_name(name);
}

DatasetSplits load_dataset(const std::string& name, const std::string& dir) {
  const std::string canonical = canonical_name(name);
  const std::string root = dir.empty() ? default_dataset_dir(canonical) : dir;
  DatasetSplits splits;
  try {
    if (canonical == "cifar10") {
      splits = load_cifar10(root);
    } else {
      splits = load_idx_dataset(canonical, root, 10);
    }
  } catch (const Error& e) {
    // Point at the usual fix when the default location is empty.
    if (dir.empty() && canonical == "fashion-mnist" && !is_directory(root)) {
      throw Error(std::string(e.what()) +
                  " (install Debian's dataset-fashion-mnist package, or pass --data-dir)");
    }
    throw;
  }
  validate_dataset(splits.train, root + " (train split)");
  validate_dataset(splits.test, root + " (test split)");
  return splits;
}

std::string class_name(const std::string& dataset_name, int64_t label) {
  static const char* const kFashion[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  static const char* const kCifar[] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                       "dog",      "frog",       "horse", "ship", "truck"};
  if (label >= 0 && label < 10) {
    if (dataset_name == "fashion-mnist") return kFashion[label];
    if (dataset_name == "cifar10") return kCifar[label];
    if (dataset_name == "mnist") return "digit " + std::to_string(label);
  }
  return "class " + std::to_string(label);
}

void validate_dataset(const Dataset& d, const std::string& what) {
  check(d.images.defined() && d.labels.defined(),
        what + ": images and labels: expected both, found an empty split");
  check(d.images.scalar_type() == torch::kUInt8 && d.images.dim() == 4,
        what + ": images: expected uint8 N x C x H x W, found " +
            std::string(c10::toString(d.images.scalar_type())) + " of rank " +
            std::to_string(d.images.dim()));
  check(d.labels.scalar_type() == torch::kInt64 && d.labels.dim() == 1,
        what + ": labels: expected int64 of rank 1, found " +
            std::string(c10::toString(d.labels.scalar_type())) + " of rank " +
            std::to_string(d.labels.dim()));
  check(d.images.size(0) == d.labels.size(0),
        what + ": label count: expected " + std::to_string(d.images.size(0)) + " (one per image), found " +
            std::to_string(d.labels.size(0)));
  check(d.images.size(0) > 0, what + ": image count: expected at least 1, found 0");
  check(d.num_classes > 0, what + ": num_classes: expected > 0, found " + std::to_string(d.num_classes));
  const int64_t min_label = d.labels.min().item<int64_t>(), max_label = d.labels.max().item<int64_t>();
  check(min_label >= 0 && max_label < d.num_classes,
        what + ": labels: expected 0.." + std::to_string(d.num_classes - 1) + ", found values from " +
            std::to_string(min_label) + " to " + std::to_string(max_label));
}

UnpairedSplits unpaired_from_classes(const DatasetSplits& splits, int64_t class_a, int64_t class_b) {
  const int64_t num_classes = splits.train.num_classes;
  auto check_class = [&](int64_t c, const char* which) {
    check(c >= 0 && c < num_classes, splits.train.name + ": CycleGAN " + which + ": expected a class 0.." +
                                         std::to_string(num_classes - 1) + ", found " + std::to_string(c));
  };
  check_class(class_a, "domain A class");
  check_class(class_b, "domain B class");
  check(class_a != class_b, splits.train.name + ": CycleGAN domains: expected two different classes, found " +
                                std::to_string(class_a) + " twice");
  auto domain = [&](const Dataset& split, int64_t cls, int64_t domain_label, const char* suffix) {
    const torch::Tensor index = (split.labels == cls).nonzero().select(1, 0);
    check(index.numel() > 0, split.name + ": CycleGAN domain " + suffix + ": expected images of class " +
                                 std::to_string(cls) + ", found none");
    Dataset d;
    d.name = split.name + ":" + class_name(split.name, cls) + suffix;
    d.images = split.images.index_select(0, index);
    d.labels = torch::full({index.numel()}, domain_label, torch::kInt64);
    d.num_classes = 2;
    return d;
  };
  UnpairedSplits out;
  out.train_a = domain(splits.train, class_a, 0, " (train A)");
  out.train_b = domain(splits.train, class_b, 1, " (train B)");
  out.test_a = domain(splits.test, class_a, 0, " (test A)");
  out.test_b = domain(splits.test, class_b, 1, " (test B)");
  out.description = splits.train.name + " classes as domains: A = " + std::to_string(class_a) + " " +
                    class_name(splits.train.name, class_a) + " (" + std::to_string(out.train_a.size()) +
                    " train / " + std::to_string(out.test_a.size()) +
                    " test), B = " + std::to_string(class_b) + " " + class_name(splits.train.name, class_b) +
                    " (" + std::to_string(out.train_b.size()) + " train / " +
                    std::to_string(out.test_b.size()) + " test)";
  return out;
}

}  // namespace effbench
