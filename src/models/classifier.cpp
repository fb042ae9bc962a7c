#include "models/classifier.h"

#include "core/error.h"

namespace effbench {
namespace {

class ClassifierTrainer : public Trainer {
 public:
  ClassifierTrainer(torch::nn::Module& module, std::function<torch::Tensor(const torch::Tensor&)> forward,
                    const TrainOptions& options)
      : forward_(std::move(forward)) {
    if (options.optimizer == "sgd") {
      optimizer_ = std::make_unique<torch::optim::SGD>(
          module.parameters(), torch::optim::SGDOptions(options.lr)
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
    torch::Tensor loss = torch::nn::functional::cross_entropy(forward_(input), target);
    loss.backward();
    optimizer_->step();
    return loss.detach();
  }

  void set_lr(double lr) override {
    for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
  }

 private:
  std::function<torch::Tensor(const torch::Tensor&)> forward_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace

std::unique_ptr<Trainer> make_classifier_trainer(torch::nn::Module& module,
                                                 std::function<torch::Tensor(const torch::Tensor&)> forward,
                                                 const TrainOptions& options) {
  return std::make_unique<ClassifierTrainer>(module, std::move(forward), options);
}

int64_t Model::parameter_count() {
  int64_t total = 0;
  for (const auto& p : module().parameters()) total += p.numel();
  return total;
}

}  // namespace effbench
