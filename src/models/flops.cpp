#include "models/flops.h"

#include <string>

#include "core/error.h"

namespace effbench {

void FlopCounter::conv(int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding, bool bias) {
  const int64_t h_out = (h_ + 2 * padding - kernel) / stride + 1;
  const int64_t w_out = (w_ + 2 * padding - kernel) / stride + 1;
  check(h_out > 0 && w_out > 0, "conv: input " + std::to_string(h_) + "x" + std::to_string(w_) +
                                    " is too small for kernel " + std::to_string(kernel));
  const double outputs = static_cast<double>(out_channels) * static_cast<double>(h_out * w_out);
  flops_ += 2.0 * static_cast<double>(c_ * kernel * kernel) * outputs + (bias ? outputs : 0.0);
  c_ = out_channels;
  h_ = h_out;
  w_ = w_out;
}

void FlopCounter::conv_transpose(int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding,
                                 int64_t output_padding, bool bias) {
  const int64_t h_out = (h_ - 1) * stride - 2 * padding + kernel + output_padding;
  const int64_t w_out = (w_ - 1) * stride - 2 * padding + kernel + output_padding;
  flops_ += 2.0 * static_cast<double>(c_ * kernel * kernel * out_channels) * static_cast<double>(h_ * w_);
  if (bias) flops_ += static_cast<double>(out_channels * h_out * w_out);
  c_ = out_channels;
  h_ = h_out;
  w_ = w_out;
}

void FlopCounter::linear(int64_t out_features, bool bias) {
  const double in_features = elements();
  flops_ +=
      2.0 * in_features * static_cast<double>(out_features) + (bias ? static_cast<double>(out_features) : 0);
  c_ = out_features;
  h_ = w_ = 1;
}

void FlopCounter::max_pool(int64_t kernel, int64_t stride) {
  h_ = (h_ - kernel) / stride + 1;
  w_ = (w_ - kernel) / stride + 1;
  flops_ += static_cast<double>(kernel * kernel) * elements();
}

void FlopCounter::global_avg_pool() {
  flops_ += elements();
  h_ = w_ = 1;
}

}  // namespace effbench
