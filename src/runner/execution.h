#pragma once
// Inference execution modes beyond eager: the fused TorchScript module and
// CUDA graph capture/replay (`--exec eager|fused|graph`).
//
// Note [Fused inference]
// fused = the model's forward as TorchScript (Model::to_script), frozen
// (parameters become constants, batch norm is folded into the preceding
// convolution) and passed through optimize_for_inference (conv + ReLU
// fusion; on the cpu, convolutions move to oneDNN with weights pre-packed).
// Its output is compared with eager before anything is timed.
//
// Note [CPU fuser]
// TorchScript's tensor-expression fuser compiles fused elementwise kernels
// for the cpu with LLVM, where LibTorch was built with LLVM: Debian's 2.6 is,
// Debian's 1.13 and the pip wheels are not. On 2.6 that compilation never
// returned for conv6 (the process spun inside LLVMCodeGen, ignoring SIGTERM;
// upstream's LLVM 18 fix, pytorch#149058, came in 2.7). effbench turns the CPU
// fuser off, so `fused` on a cpu means the same in every build: frozen,
// batch norm folded, oneDNN convolutions, no generated kernels. Each fused
// case says so in its notes (fuser_note).
//
// Note [CUDA graph mode]
// graph = the step (inference forward, or the whole training step) captured
// once into a CUDA graph on a side stream after warm-up iterations there, and
// replayed. The graph reads its input from static buffers that every step
// copies the next batch into (a device-to-device copy, no host sync). Every
// host-side value the step uses is frozen into the graph: a learning rate
// changed later is ignored, and an optimiser whose step count lives on the
// host (LibTorch's Adam keeps `step` as an int64 in its state, used for bias
// correction) would replay its first captured step forever - such cases are
// refused (graph_training_unsupported_reason). fp16 training is refused too:
// the loss scaler reads an overflow flag on the host every step.

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/vocabulary.h"

#include "models/model.h"

namespace effbench {

/// Frozen, inference-optimised TorchScript module of `model` (Note [Fused
/// inference]); the model must already be on its device and in eval mode.
/// Turns TorchScript's CPU fuser off for the process (Note [CPU fuser]).
torch::jit::Module make_fused_module(Model& model);

/// The fuser setting a fused case on `device` ran with, for its notes.
std::string fuser_note(const Device& device);

/// Runs a fused module on one input.
torch::Tensor run_fused(torch::jit::Module& module, const torch::Tensor& input);

/// Largest |candidate - reference| / max(1, max |reference|), both converted
/// to fp32; the two must have the same shape (else effbench::Error).
double relative_max_difference(const torch::Tensor& candidate, const torch::Tensor& reference);

/// Throws effbench::Error naming the mode, the difference and the tolerance
/// when relative_max_difference exceeds `tolerance`.
void check_matches_eager(Exec exec, const torch::Tensor& candidate, const torch::Tensor& eager,
                         double tolerance);

/// Why training of `model` with `precision` cannot be captured in a CUDA
/// graph (Note [CUDA graph mode]); nullopt when it can.
std::optional<std::string> graph_training_unsupported_reason(const std::string& model, Precision precision);

/// A step captured in a CUDA graph. Built only in CUDA builds; elsewhere
/// capture() throws effbench::Error.
class CapturedStep {
 public:
  /// Warms `step` up `warmup_iterations` times on a side stream, then
  /// captures one call of it on `device` ("cuda:N"). `step` reads its inputs
  /// from static buffers the caller owns.
  static std::unique_ptr<CapturedStep> capture(const std::function<torch::Tensor()>& step,
                                               const Device& device, int64_t warmup_iterations = 3);
  virtual ~CapturedStep() = default;
  /// Replays the graph; returns the static output tensor (overwritten by
  /// the next replay). Asynchronous.
  virtual torch::Tensor replay() = 0;
};

}  // namespace effbench
