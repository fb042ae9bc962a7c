#pragma once
// Shared machinery of the image classifiers (Conv6, VGG16, ResNet18): the
// cross-entropy training step with SGD (momentum, Nesterov) or Adam.

#include <memory>
#include <string>

#include "models/model.h"
#include "models/script.h"

namespace effbench {

/// A classifier wrapping one network `Net` (a torch::nn::ModuleHolder) whose
/// forward maps (N,C,H,W) images to (N,classes) logits.
template <typename Net>
class Classifier : public Model {
 public:
  /// `script_forward` gives the TorchScript forward of the network's own
  /// modules (Note [TorchScript from C++ modules]).
  Classifier(std::string name, const ModelConfig& config, Net net, double forward_flops,
             ScriptForward script_forward)
      : name_(std::move(name)),
        config_(config),
        net_(std::move(net)),
        forward_flops_(forward_flops),
        script_forward_(std::move(script_forward)) {}

  std::string name() const override { return name_; }
  ModelTask task() const override { return ModelTask::kClassification; }
  const ModelConfig& config() const override { return config_; }
  torch::nn::Module& module() override { return *net_; }
  torch::Tensor forward(const torch::Tensor& input) override { return net_->forward(input); }
  std::unique_ptr<Trainer> make_trainer(const TrainOptions& options) override;
  torch::jit::Module to_script() override { return script_module(*net_, script_forward_); }
  double forward_flops_per_sample() const override { return forward_flops_; }
  double train_flops_per_sample() const override { return 3.0 * forward_flops_; }

 private:
  std::string name_;
  ModelConfig config_;
  Net net_;
  double forward_flops_;
  ScriptForward script_forward_;
};

/// A training loss: the model's output and the batch's target in, a 0-dim tensor out.
using LossFunction = std::function<torch::Tensor(const torch::Tensor& output, const torch::Tensor& target)>;

/// Training of every parameter of `module` through `forward` on `loss`
/// (SGD or Adam, TrainOptions' hooks honoured).
std::unique_ptr<Trainer> make_trainer_for_loss(torch::nn::Module& module,
                                               std::function<torch::Tensor(const torch::Tensor&)> forward,
                                               LossFunction loss, const TrainOptions& options);

/// Cross-entropy training of any module through `forward`.
std::unique_ptr<Trainer> make_classifier_trainer(torch::nn::Module& module,
                                                 std::function<torch::Tensor(const torch::Tensor&)> forward,
                                                 const TrainOptions& options);

template <typename Net>
std::unique_ptr<Trainer> Classifier<Net>::make_trainer(const TrainOptions& options) {
  Net net = net_;
  return make_classifier_trainer(
      *net_, [net](const torch::Tensor& x) mutable { return net->forward(x); }, options);
}

}  // namespace effbench
