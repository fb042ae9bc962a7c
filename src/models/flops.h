#pragma once
// Note [FLOP counting]
// FLOPs are counted from layer shapes, one multiply-add = 2 FLOPs:
//   conv:            2 * C_in * k * k * C_out * H_out * W_out (+ C_out*H_out*W_out for a bias)
//   conv transpose:  2 * C_in * k * k * C_out * H_in * W_in   (+ bias per output element)
//   linear:          2 * in * out (+ out for a bias)
//   batch norm:      2 per element (inference: folded scale and shift)
//   instance norm:   5 per element (mean, variance and the normalisation, computed at inference too)
//   ReLU, LeakyReLU, tanh, residual add: 1 per element
//   max pool:        k*k per output element; global average pool: 1 per input element
//   padding, flatten: 0
// A training step counts 3x the forward FLOPs of every network evaluated in
// it (backward ~ 2x forward), the convention of MLPerf and of the
// model-FLOPs-utilisation literature. Counts are per sample.

#include <cstdint>

namespace effbench {

/// Walks a network layer by layer, tracking the (C, H, W) of one sample and
/// summing FLOPs by the rules of Note [FLOP counting].
class FlopCounter {
 public:
  FlopCounter(int64_t channels, int64_t height, int64_t width) : c_(channels), h_(height), w_(width) {}

  void conv(int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding, bool bias);
  void conv_transpose(int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t output_padding, bool bias);
  void linear(int64_t out_features, bool bias = true);
  void batch_norm() { flops_ += 2.0 * elements(); }
  void instance_norm() { flops_ += 5.0 * elements(); }
  void activation() { flops_ += 1.0 * elements(); }
  void residual_add() { flops_ += 1.0 * elements(); }
  void max_pool(int64_t kernel, int64_t stride);
  void global_avg_pool();
  void pad(int64_t padding) {
    h_ += 2 * padding;
    w_ += 2 * padding;
  }
  void flatten() {
    c_ = c_ * h_ * w_;
    h_ = w_ = 1;
  }
  /// Adds FLOPs counted elsewhere (a branch counted with its own counter).
  void add(double flops) { flops_ += flops; }

  double flops() const { return flops_; }
  int64_t channels() const { return c_; }
  int64_t height() const { return h_; }
  int64_t width() const { return w_; }
  double elements() const {
    return static_cast<double>(c_) * static_cast<double>(h_) * static_cast<double>(w_);
  }

 private:
  int64_t c_, h_, w_;
  double flops_ = 0;
};

}  // namespace effbench
