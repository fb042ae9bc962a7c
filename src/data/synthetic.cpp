#include "data/synthetic.h"

namespace effbench {

SyntheticSource::SyntheticSource(int64_t batch_size, const std::vector<int64_t>& sample_shape,
                                 int64_t classes, const torch::Device& device, int64_t seed,
                                 int64_t pool_size)
    : batch_size_(batch_size) {
  // Generated on the cpu with a seeded generator, then moved once: the same
  // seed gives the same data on every device.
  auto generator = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  std::vector<int64_t> shape = {batch_size};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  for (int64_t i = 0; i < pool_size; ++i) {
    Batch batch;
    if (classes > 0) {
      batch.input = at::normal(0.0, 1.0, shape, generator).to(device);
      batch.target = at::randint(classes, {batch_size}, generator, torch::kLong).to(device);
    } else {
      batch.input = (at::rand(shape, generator) * 2 - 1).to(device);
      batch.target = (at::rand(shape, generator) * 2 - 1).to(device);
    }
    pool_.push_back(std::move(batch));
  }
  std::string sample_text;
  for (size_t i = 0; i < sample_shape.size(); ++i)
    sample_text += (i ? "x" : "") + std::to_string(sample_shape[i]);
  description_ = "synthetic " + sample_text +
                 (classes > 0 ? ", " + std::to_string(classes) + " classes" : ", two domains");
}

Batch SyntheticSource::next() {
  const Batch& batch = pool_[position_];
  position_ = (position_ + 1) % pool_.size();
  return batch;
}

std::string SyntheticSource::describe() const { return description_; }

}  // namespace effbench
