#include "models/classifier.h"

#include "core/error.h"
#include "models/loss_scaler.h"

namespace effbench {
namespace {

class LossTrainer : public Trainer {
 public:
  LossTrainer(torch::nn::Module& module, std::function<torch::Tensor(const torch::Tensor&)> forward,
              LossFunction loss, const TrainOptions& options)
      : forward_(std::move(forward)),
        loss_(std::move(loss)),
        gradient_hook_(options.gradient_hook),
        forward_scope_(options.forward_scope),
        loss_scaler_(options.loss_scaler) {
    if (options.optimizer == "sgd") {
      optimizer_ =
          std::make_unique<torch::optim::SGD>(module.parameters(), torch::optim::SGDOptions(options.lr)
                                                                       .momentum(options.momentum)
                                                                       .nesterov(options.nesterov)
                                                                       .weight_decay(options.weight_decay));
    } else if (options.optimizer == "adam") {
      optimizer_ = std::make_unique<torch::optim::Adam>(
          module.parameters(), torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
    } else {
      throw Error("--optimizer: expected sgd or adam but got '" + options.optimizer + "'");
    }
  }

  torch::Tensor step(const torch::Tensor& input, const torch::Tensor& target) override {
    optimizer_->zero_grad();
    auto forward_and_loss = [&] { return loss_(forward_(input), target); };
    torch::Tensor loss = forward_scope_ ? forward_scope_(forward_and_loss) : forward_and_loss();
    (loss_scaler_ ? loss_scaler_->scale_loss(loss) : loss).backward();
    if (gradient_hook_) {
      std::vector<torch::Tensor> grads;
      for (const auto& group : optimizer_->param_groups()) {
        for (const auto& p : group.params()) {
          if (p.grad().defined()) grads.push_back(p.grad());
        }
      }
      gradient_hook_(grads);
    }
    if (loss_scaler_) {
      loss_scaler_->step(*optimizer_);
      loss_scaler_->update();
    } else {
      optimizer_->step();
    }
    return loss.detach();
  }

  void set_lr(double lr) override {
    for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
  }

 private:
  std::function<torch::Tensor(const torch::Tensor&)> forward_;
  LossFunction loss_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::function<void(std::vector<torch::Tensor>&)> gradient_hook_;                     // (optional)
  std::function<torch::Tensor(const std::function<torch::Tensor()>&)> forward_scope_;  // (optional)
  std::shared_ptr<DynamicLossScaler> loss_scaler_;                                     // (optional)
};

}  // namespace

std::unique_ptr<Trainer> make_trainer_for_loss(torch::nn::Module& module,
                                               std::function<torch::Tensor(const torch::Tensor&)> forward,
                                               LossFunction loss, const TrainOptions& options) {
  return std::make_unique<LossTrainer>(module, std::move(forward), std::move(loss), options);
}

std::unique_ptr<Trainer> make_classifier_trainer(torch::nn::Module& module,
                                                 std::function<torch::Tensor(const torch::Tensor&)> forward,
                                                 const TrainOptions& options) {
  return make_trainer_for_loss(
      module, std::move(forward),
      [](const torch::Tensor& output, const torch::Tensor& target) {
        return torch::nn::functional::cross_entropy(output, target);
      },
      options);
}

std::vector<int64_t> sample_shape(const ModelConfig& config) {
  if (!config.sample_shape.empty()) return config.sample_shape;
  return {config.in_channels, config.image_size, config.image_size};
}

int64_t Model::parameter_count() {
  int64_t total = 0;
  for (const auto& p : module().parameters()) total += p.numel();
  return total;
}

}  // namespace effbench
