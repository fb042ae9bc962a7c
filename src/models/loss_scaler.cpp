#include "models/loss_scaler.h"

#include "core/error.h"
#include "core/units.h"

namespace effbench {

DynamicLossScaler::DynamicLossScaler(LossScalerOptions options)
    : options_(options), scale_(options.init_scale) {
  check(options_.init_scale > 0,
        "loss scaler: expected an initial scale > 0 but got " + format_number(options_.init_scale));
  check(options_.growth_factor > 1,
        "loss scaler: expected a growth factor > 1 but got " + format_number(options_.growth_factor));
  check(
      options_.backoff_factor > 0 && options_.backoff_factor < 1,
      "loss scaler: expected a back-off factor in (0, 1) but got " + format_number(options_.backoff_factor));
  check(options_.growth_interval > 0,
        "loss scaler: expected a growth interval > 0 but got " + std::to_string(options_.growth_interval));
}

torch::Tensor DynamicLossScaler::scale_loss(const torch::Tensor& loss) const { return loss * scale_; }

bool DynamicLossScaler::unscale(const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  const double inverse = 1.0 / scale_;
  std::vector<torch::Tensor> finite_flags;
  for (const auto& p : parameters) {
    torch::Tensor grad = p.grad();
    if (!grad.defined()) continue;
    grad.mul_(inverse);
    finite_flags.push_back(torch::isfinite(grad).all());
  }
  // One read for all gradients (Note [Dynamic loss scaling]).
  const bool finite = finite_flags.empty() || torch::stack(finite_flags).all().item<bool>();
  found_inf_ = found_inf_ || !finite;
  return finite;
}

bool DynamicLossScaler::step(torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> parameters;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) parameters.push_back(p);
  }
  if (!unscale(parameters)) {
    ++skipped_steps_;
    return false;
  }
  optimizer.step();
  return true;
}

void DynamicLossScaler::update() {
  if (found_inf_) {
    scale_ *= options_.backoff_factor;
    good_steps_ = 0;
  } else if (++good_steps_ >= options_.growth_interval) {
    scale_ *= options_.growth_factor;
    good_steps_ = 0;
  }
  found_inf_ = false;
}

}  // namespace effbench
