#pragma once
// The data sources the runner draws batches from, and the real-data one:
// whole splits resident on the device, batches gathered, normalised and
// augmented there. See Note [Device-resident epochs] in batches.cpp.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace effbench {

/// One step's data. Classifier: input float (N, C, H, W), target int64 (N).
/// CycleGAN: input = domain A images, target = domain B images (both float).
struct Batch {
  torch::Tensor input;
  torch::Tensor target;
};

/// What the runner pulls batches from (real data here, synthetic in
/// data/synthetic.h). Not thread-safe: one runner thread owns a source.
class DataSource {
 public:
  virtual ~DataSource() = default;
  /// The next batch, device-resident, ready for the model.
  virtual Batch next() = 0;
  /// Samples per full batch.
  virtual int64_t batch_size() const = 0;
  /// One line for the screen.
  virtual std::string describe() const = 0;
};

/// Per-channel normalisation: input = (pixel / 255 - mean[c]) / std[c].
/// Empty vectors mean pixel / 255 only; one value applies to every channel.
struct Normalization {
  std::vector<double> mean;
  std::vector<double> std;
};

/// The normalisation of a named dataset, from its training split (see
/// Note [Normalisation constants]): fashion-mnist 0.2860 / 0.3530,
/// mnist 0.1307 / 0.3081, cifar10 (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435,
/// 0.2616); anything else 0.5 / 0.5 (inputs in [-1, 1], as CycleGAN expects).
Normalization dataset_normalization(const std::string& dataset_name);

/// How a split becomes batches. Every size is in pixels.
struct LoaderOptions {
  int64_t batch_size = 128;
  torch::Device device = torch::kCPU;
  bool shuffle = true;           // a fresh random permutation per epoch
  bool drop_last = true;         // skip each epoch's last partial batch
  int64_t image_size_px = 0;     // zero-pad (centred) to this square size; 0 = keep the size
  int64_t shift_px = 0;          // random shift: zero-pad by this much, crop back at random offsets
  bool horizontal_flip = false;  // flip each sample with probability 1/2
  Normalization normalization;
  at::Generator generator;  // (optional) a generator on `device`; undefined = the device's
                            // default generator, seeded by torch::manual_seed
};

/// The training recipe's data settings for a named dataset: fashion-mnist pads
/// 28x28 to 32x32 (2 px of zeros), then shifts by up to 4 px and flips;
/// mnist the same without flips (digits are not mirror-symmetric); cifar10
/// shifts by up to 4 px and flips. Shuffled, last partial batch dropped.
LoaderOptions train_loader_options(const std::string& dataset_name, int64_t batch_size, torch::Device device);

/// The evaluation settings matching train_loader_options: same padding and
/// normalisation, no augmentation, in order, every sample.
LoaderOptions eval_loader_options(const std::string& dataset_name, int64_t batch_size, torch::Device device);

/// Real data for training: the whole split moved to `options.device` once, a
/// random permutation per epoch, batches gathered with index_select and
/// transformed on the device (no host round trip per step).
class DeviceEpochLoader : public DataSource {
 public:
  /// Copies `split` to the device. Throws Error when the split is invalid, the
  /// options are out of range, or drop_last leaves no batch at all.
  DeviceEpochLoader(const Dataset& split, LoaderOptions options);

  /// The next batch; after the last batch of an epoch the next call starts a
  /// new epoch with a new permutation.
  Batch next() override;
  int64_t batch_size() const override { return options_.batch_size; }
  std::string describe() const override;

  /// Epochs completed (the last batch of the epoch has been returned).
  int64_t epoch() const { return completed_epochs_; }
  /// Batches per epoch: floor(N / batch) with drop_last, else ceil(N / batch).
  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  /// Samples returned so far, over all epochs.
  int64_t samples_seen() const { return samples_seen_; }
  /// Samples in the split.
  int64_t num_samples() const { return labels_.size(0); }
  /// The current epoch's order of sample indices (int64 on the device);
  /// undefined before the first next().
  const torch::Tensor& permutation() const { return permutation_; }

 private:
  std::string name_;
  LoaderOptions options_;
  torch::Tensor images_;  // uint8 N x C x H x W on the device
  torch::Tensor labels_;  // int64 N on the device
  torch::Tensor permutation_;
  torch::Tensor norm_offset_, norm_scale_;  // (1, C, 1, 1) float on the device
  int64_t batches_per_epoch_ = 0;
  int64_t batch_in_epoch_ = 0;
  int64_t completed_epochs_ = 0;
  int64_t samples_seen_ = 0;
  bool need_permutation_ = true;
};

/// Evaluation over a split in order, every sample, without augmentation
/// (padding and normalisation as in `options`; shuffle, drop_last, shift and
/// flip are ignored). The split is copied to the device once.
///   for (const Batch& batch : EvalBatches(test, options)) ...
class EvalBatches {
 public:
  EvalBatches(const Dataset& split, LoaderOptions options);

  int64_t num_batches() const;
  int64_t num_samples() const { return labels_.size(0); }
  /// Samples [index * batch, min(N, (index + 1) * batch)).
  Batch batch(int64_t index) const;

  class Iterator {
   public:
    Iterator(const EvalBatches* owner, int64_t index) : owner_(owner), index_(index) {}
    Batch operator*() const { return owner_->batch(index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }

   private:
    const EvalBatches* owner_;
    int64_t index_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, num_batches()); }

 private:
  LoaderOptions options_;
  torch::Tensor images_;
  torch::Tensor labels_;
  torch::Tensor norm_offset_, norm_scale_;  // (1, C, 1, 1) float on the device
};

/// CycleGAN's real data: two DeviceEpochLoaders, one per domain, each with its
/// own permutation; input = a batch of A, target = a batch of B. An epoch is
/// the larger domain's number of batches (the smaller one cycles).
class UnpairedEpochLoader : public DataSource {
 public:
  UnpairedEpochLoader(const Dataset& domain_a, const Dataset& domain_b, LoaderOptions options);

  Batch next() override;
  int64_t batch_size() const override { return a_.batch_size(); }
  std::string describe() const override;

  int64_t epoch() const { return steps_ / batches_per_epoch(); }
  int64_t batches_per_epoch() const { return std::max(a_.batches_per_epoch(), b_.batches_per_epoch()); }
  int64_t samples_seen() const { return a_.samples_seen(); }

 private:
  DeviceEpochLoader a_, b_;
  int64_t steps_ = 0;
};

/// Training data settings for CycleGAN: normalisation 0.5 / 0.5 (tanh range),
/// random flips, images zero-padded to `image_size_px` (0 = keep).
LoaderOptions unpaired_loader_options(int64_t batch_size, int64_t image_size_px, torch::Device device);

}  // namespace effbench
