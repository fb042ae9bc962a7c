#pragma once
// Numeric precision of a case: the autocast guard (bf16/fp16), LibTorch's
// global math flags (TF32, cuDNN benchmark mode) and which precisions a
// device can run.
//
// Note [Precision modes]
// fp32: strict fp32 on CUDA - TF32 is switched off in cuBLAS *and* cuDNN
//       (PyTorch leaves cuDNN TF32 on by default; bench/pytorch_reference.py
//       sets the same flags so the comparison is like for like).
// tf32: fp32 tensors, TF32 tensor-core math in cuBLAS and cuDNN (CUDA only).
// bf16: autocast to bfloat16 on CUDA and on the cpu (LibTorch >= 1.10).
// fp16: autocast to float16, CUDA only; training adds dynamic loss scaling
//       (models/loss_scaler.h).
// Parameters, gradients and optimiser state stay fp32 in every mode.

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "core/vocabulary.h"

namespace effbench {

/// Why `precision` cannot run on `device` ("cpu", "cuda:0"); nullopt when it
/// can. Unknown precisions get a reason listing the valid ones.
std::optional<std::string> precision_unsupported_reason(Precision precision, const Device& device);

/// The autocast dtype of a precision: bf16 -> BFloat16, fp16 -> Half;
/// nullopt for fp32 and tf32 (no autocast).
std::optional<at::ScalarType> autocast_dtype(Precision precision);

/// Largest accepted |fused - eager| (or |graph - eager|) relative to
/// max(1, max |eager|), per precision: reordered fp32 sums (batch-norm
/// folding, oneDNN kernels) differ by ~1e-5; TF32/bf16/fp16 by ~1e-2.
double output_tolerance(Precision precision);

/// Enables autocast for one device type at `dtype` for its lifetime and
/// restores the previous state (enabled flag, dtype, cache flag) after.
/// Works with the LibTorch 1.x API (set_enabled / set_cpu_enabled) and the
/// 2.4+ one (set_autocast_enabled(device_type, ...)). Thread-local, like
/// autocast itself. `cache_enabled` false for CUDA-graph capture.
class AutocastGuard {
 public:
  AutocastGuard(c10::DeviceType device_type, at::ScalarType dtype, bool cache_enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType device_type_;
  bool previous_enabled_;
  at::ScalarType previous_dtype_;
  bool previous_cache_enabled_;
};

/// Whether autocast is on for `device_type` in this thread, and at which dtype.
bool autocast_enabled(c10::DeviceType device_type);
at::ScalarType autocast_dtype_of(c10::DeviceType device_type);

/// Sets LibTorch's process-wide math flags for one case on a CUDA device
/// (TF32 in cuBLAS/cuDNN per Note [Precision modes], cuDNN benchmark mode)
/// and restores them on destruction. Does nothing on the cpu.
class MathModeScope {
 public:
  MathModeScope(Precision precision, const Device& device, bool cudnn_benchmark);
  ~MathModeScope();
  MathModeScope(const MathModeScope&) = delete;
  MathModeScope& operator=(const MathModeScope&) = delete;

  /// What was set, for the case notes ("cuDNN benchmark mode on", ...); empty on the cpu.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  bool active_ = false;
  bool previous_tf32_cublas_ = false;
  bool previous_tf32_cudnn_ = false;
  bool previous_cudnn_benchmark_ = false;
  std::vector<std::string> notes_;
};

}  // namespace effbench
