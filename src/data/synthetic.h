#pragma once
// Synthetic batches for throughput benchmarks: random tensors generated once
// on the device, so the timed loop measures the model and not the data path.

#include <cstdint>
#include <string>
#include <vector>

#include "data/batches.h"

namespace effbench {

/// Cycles through `pool_size` pre-generated device-resident batches.
/// Classifier batches: images ~ N(0, 1), labels uniform in [0, classes).
/// Image-translation batches: two domains of images uniform in [-1, 1].
class SyntheticSource : public DataSource {
 public:
  /// Each input sample has `sample_shape` (C, H, W for images). `classes` ==
  /// 0 means an image-translation batch (target = images too).
  SyntheticSource(int64_t batch_size, const std::vector<int64_t>& sample_shape, int64_t classes,
                  const torch::Device& device, int64_t seed, int64_t pool_size = 4);
  Batch next() override;
  int64_t batch_size() const override { return batch_size_; }
  std::string describe() const override;

 private:
  int64_t batch_size_;
  std::string description_;
  std::vector<Batch> pool_;
  size_t position_ = 0;
};

}  // namespace effbench
