#pragma once
// A user's own model: a TorchScript file (`effbench run --model file.pt
// --input 3x224x224 [--classes N]`), measured like the built-in models.
//
// Note [TorchScript models]
// - The file is read with torch::jit::load, once when the model is added (to
//   check it) and again for every case, so each case starts from the file's
//   weights; --seed does not change them.
// - Checked when added: a forward of a zero batch of two samples of --input,
//   in eval mode without gradients, must return one floating tensor whose
//   first dimension is the batch; with --classes N it must be (2, N). A file
//   that is not TorchScript, a forward that fails (the interpreter's message
//   says which shape it wanted), or a wrong output is refused, naming the
//   file and the shape.
// - Training: with --classes N, cross-entropy on synthetic labels in [0, N),
//   the built-in classifiers' step; without, the mean of the squared output,
//   a stand-in loss that every case of such a model states in its notes.
//   Either way every parameter that requires a gradient is trained; a module
//   with none is refused when a training case starts.
// - Parameters are counted over the whole module tree. FLOPs per sample are
//   observed, not declared (Note [Observed FLOPs]).
// - The module's tensors are registered in a torch::nn::Module holder (the
//   same tensors, not copies), so moving to a device, channels-last, the
//   optimiser and the data-parallel broadcast work as for the built-in
//   models; fused inference freezes the TorchScript module itself.
//
// Note [Observed FLOPs]
// A TorchScript file declares no FLOPs, so the check's forward pass is
// observed through LibTorch's RecordFunction callbacks on this thread: each
// outermost convolution (conv1d/2d/3d, conv_transpose*, convolution) and
// matrix product (linear, matmul, mm, addmm, bmm, baddbmm) adds 2 FLOPs per
// multiply-add, computed from its weight and output shapes; the ops they
// call inside (conv2d -> convolution -> mkldnn_convolution, linear -> addmm)
// are not counted again. Other operations (activations, normalisation,
// pooling, attention's softmax) are not counted, unlike the built-in models'
// count (Note [FLOP counting] in models/flops.h); the case's notes say so.
// For convolutional and dense networks they are a few percent of the total.

#include <torch/script.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "models/model.h"

namespace effbench {

/// The entry of a TorchScript file, checked by a forward pass (Note
/// [TorchScript models]). Throws effbench::Error naming the file and what is
/// wrong with it.
ModelEntry make_torchscript_entry(const TorchScriptSpec& spec);

/// FLOPs of `module`'s forward on `input` (Note [Observed FLOPs]): 2 per
/// multiply-add of its convolutions and matrix products. Runs the forward
/// once on the calling thread, without gradients; returns its output too.
struct ObservedForward {
  double flops = 0;
  torch::IValue output;
};
ObservedForward observe_forward_flops(torch::jit::Module& module, const torch::Tensor& input);

}  // namespace effbench
