#pragma once
// Dynamic loss scaling for fp16 training, written against the C++ API
// (LibTorch has no GradScaler).
//
// Note [Dynamic loss scaling]
// fp16 gradients underflow to zero below ~6e-8. The loss is multiplied by a
// scale S before backward, so every gradient is S times larger; before the
// optimiser step the gradients are divided by S again (in fp32: parameters and
// their gradients stay fp32 under autocast). When any gradient is inf or NaN
// the scale was too large: the step is skipped (the parameters and the
// optimiser state are left as they were) and S is multiplied by
// backoff_factor. After growth_interval consecutive good steps S is multiplied
// by growth_factor. This is PyTorch's GradScaler algorithm; like GradScaler.step
// it reads one flag per optimiser step on the host, a device synchronisation
// per fp16 training step.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace effbench {

struct LossScalerOptions {
  double init_scale = 65536.0;  // 2^16, GradScaler's default
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;  // good steps before the scale grows
};

/// Loss scaler for one training run; shared by every optimiser of a step
/// (CycleGAN has two). Not thread-safe.
class DynamicLossScaler {
 public:
  /// Throws effbench::Error for a non-positive scale or interval, growth <= 1
  /// or backoff outside (0, 1).
  explicit DynamicLossScaler(LossScalerOptions options = {});

  /// loss * scale(), to call backward on.
  torch::Tensor scale_loss(const torch::Tensor& loss) const;

  /// Divides every defined gradient of `parameters` by scale() in place and
  /// returns true when all of them are finite. Synchronises the device.
  bool unscale(const std::vector<torch::Tensor>& parameters);

  /// unscale() the optimiser's gradients, then optimizer.step() only when
  /// they were all finite. Returns whether the step ran. Remembers an inf/NaN
  /// for update().
  bool step(torch::optim::Optimizer& optimizer);

  /// Ends the training step: backs the scale off when any step() since the
  /// last update() saw an inf/NaN, else counts a good step and grows the scale
  /// after growth_interval of them.
  void update();

  double scale() const { return scale_; }
  int64_t good_steps() const { return good_steps_; }        // since the last growth or back-off
  int64_t skipped_steps() const { return skipped_steps_; }  // optimiser steps skipped in total

 private:
  LossScalerOptions options_;
  double scale_;
  int64_t good_steps_ = 0;
  int64_t skipped_steps_ = 0;
  bool found_inf_ = false;  // since the last update()
};

}  // namespace effbench
