#pragma once
// The model interface the runner drives, and the table of models.
//
// A model owns its networks; a Trainer owns the optimiser state of one
// training run. The runner never looks inside either.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace effbench {

/// Shape of the data a model is built for.
struct ModelConfig {
  int64_t in_channels = 3;
  int64_t image_size = 32;  // square inputs
  int64_t num_classes = 10;  // classifiers only
};

enum class ModelTask { kClassification, kImageTranslation };

/// Optimiser settings for a Trainer. Classifiers use them; CycleGAN uses its
/// reference recipe (Adam 2e-4, beta1 0.5) and ignores all but `lr` when set.
struct TrainOptions {
  std::string optimizer = "sgd";  // "sgd" (momentum, Nesterov) | "adam"
  double lr = 0.01;
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 5e-4;
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
  /// Forward FLOPs for one sample (Note [FLOP counting] in models/flops.h).
  virtual double forward_flops_per_sample() const = 0;
  /// FLOPs for one sample of one training step.
  virtual double train_flops_per_sample() const = 0;

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
};

/// All models, in the order the default suite runs them.
const std::vector<ModelEntry>& model_table();

/// The entry called `name`; throws effbench::Error listing the valid names.
const ModelEntry& find_model(const std::string& name);

/// Comma-separated names of the table, for messages.
std::string model_names();

// Factories, one per model file.
std::unique_ptr<Model> make_conv6(const ModelConfig& config);
std::unique_ptr<Model> make_vgg16(const ModelConfig& config);
std::unique_ptr<Model> make_resnet18(const ModelConfig& config);
std::unique_ptr<Model> make_cyclegan(const ModelConfig& config);

}  // namespace effbench
