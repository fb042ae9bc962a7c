#pragma once
// The model interface the runner drives, and the table of models.
//
// A model owns its networks; a Trainer owns the optimiser state of one
// training run. The runner never looks inside either.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace effbench {

class DynamicLossScaler;  // models/loss_scaler.h

/// Shape of the data a model is built for.
struct ModelConfig {
  int64_t in_channels = 3;
  int64_t image_size = 32;   // square inputs
  int64_t num_classes = 10;  // classifiers only
  /// TorchScript models: the shape of one sample (--input); empty for the
  /// built-in models, whose sample is (in_channels, image_size, image_size).
  std::vector<int64_t> sample_shape;
};

/// The shape of one input sample of a model built with `config`.
std::vector<int64_t> sample_shape(const ModelConfig& config);

enum class ModelTask {
  kClassification,
  kImageTranslation,
  kOther,  ///< a TorchScript model without --classes, trained on its mean squared output
};

/// Where a model loaded from a file came from.
struct ModelSource {
  std::string path;    // as given
  std::string sha256;  // of the file's bytes, lower-case hex
};

/// Optimiser settings for a Trainer. Classifiers use them; CycleGAN uses its
/// reference recipe (Adam 2e-4, beta1 0.5) and ignores all but `lr` when set.
struct TrainOptions {
  std::string optimizer = "sgd";  // "sgd" (momentum, Nesterov) | "adam"
  double lr = 0.01;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
  /// (optional) Called by classifier trainers after backward and before the
  /// optimiser step with the defined gradients of every parameter (aliases of
  /// param.grad(), so in-place changes are what the optimiser sees); data
  /// parallelism all-reduces them here. CycleGAN ignores it.
  std::function<void(std::vector<torch::Tensor>& grads)> gradient_hook;
  /// (optional) Runs the forward pass and loss of a step, e.g. under an
  /// autocast guard for bf16/fp16 (runner/precision.h); backward and the
  /// optimiser step run outside it. Empty: called directly.
  std::function<torch::Tensor(const std::function<torch::Tensor()>&)> forward_scope;
  /// (optional) fp16 training: scales the loss and skips optimiser steps whose
  /// gradients overflowed (Note [Dynamic loss scaling] in models/loss_scaler.h).
  std::shared_ptr<DynamicLossScaler> loss_scaler;
};

/// One training step's worth of work: forward, loss, backward, optimiser step.
class Trainer {
 public:
  virtual ~Trainer() = default;
  /// Runs one full step on a device-resident batch and returns the loss as a
  /// 0-dim device tensor (not synchronised; read it only at window ends).
  /// Classifiers: input float (N,C,H,W), target int64 (N). CycleGAN: input =
  /// domain A images, target = domain B images, both in [-1, 1].
  virtual torch::Tensor step(const torch::Tensor& input, const torch::Tensor& target) = 0;
  /// Sets the learning rate of every optimiser (for schedules).
  virtual void set_lr(double lr) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual ModelTask task() const = 0;
  virtual const ModelConfig& config() const = 0;
  /// Every parameter of the model (CycleGAN: both generators and both discriminators).
  virtual torch::nn::Module& module() = 0;
  /// Inference forward pass: class logits, or for CycleGAN the A->B translation.
  virtual torch::Tensor forward(const torch::Tensor& input) = 0;
  virtual std::unique_ptr<Trainer> make_trainer(const TrainOptions& options) = 0;
  /// The inference forward as a TorchScript module sharing this model's
  /// tensors, in eval mode (Note [TorchScript from C++ modules] in
  /// models/script.h). Throws effbench::Error when the model has none.
  virtual torch::jit::Module to_script() = 0;
  /// Forward FLOPs for one sample (Note [FLOP counting] in models/flops.h).
  virtual double forward_flops_per_sample() const = 0;
  /// FLOPs for one sample of one training step.
  virtual double train_flops_per_sample() const = 0;
  /// The file the model was loaded from (TorchScript models); nullopt for
  /// the built-in models.
  virtual std::optional<ModelSource> source() const { return std::nullopt; }
  /// What a record of this model must say: how its FLOPs were counted, its
  /// training loss when it is a stand-in (TorchScript models).
  virtual std::vector<std::string> notes() const { return {}; }

  /// Number of scalar parameters.
  int64_t parameter_count();
  /// Moves every parameter and buffer to `device`.
  void to(const torch::Device& device) { module().to(device); }
  void train(bool on) { module().train(on); }
};

/// One row of the model table.
struct ModelEntry {
  std::string name;
  std::string summary;
  ModelTask task;
  ModelConfig default_config;  // the studies' input shape
  std::function<std::unique_ptr<Model>(const ModelConfig&)> create;
  bool trainable = true;  // false: a TorchScript file without parameters that require gradients
};

/// All models, in the order the default suite runs them.
const std::vector<ModelEntry>& model_table();

/// The entry called `name`: a model of the table, or a TorchScript file
/// added with add_torchscript_model(). Throws effbench::Error listing the
/// valid names.
const ModelEntry& find_model(const std::string& name);

/// A TorchScript file given as a model (`--model file.pt --input 3x224x224`).
struct TorchScriptSpec {
  std::string path;
  std::vector<int64_t> sample_shape;  // one sample, without the batch dimension
  std::optional<int64_t> classes;     // set: cross-entropy training on labels in [0, classes)
};

/// Loads the file once to check it (Note [TorchScript models] in
/// models/torchscript_model.h) and makes find_model(spec.path) return its
/// entry. Adding the same spec again returns the same entry; the same path
/// with another shape or class count is an error. Thread-safe. Throws
/// effbench::Error naming the file and what is wrong with it.
const ModelEntry& add_torchscript_model(const TorchScriptSpec& spec);

/// Comma-separated names of the table, for messages.
std::string model_names();

// Factories, one per model file.
std::unique_ptr<Model> make_conv6(const ModelConfig& config);
std::unique_ptr<Model> make_vgg16(const ModelConfig& config);
std::unique_ptr<Model> make_resnet18(const ModelConfig& config);
std::unique_ptr<Model> make_cyclegan(const ModelConfig& config);

}  // namespace effbench
