// CycleGAN (Zhu et al., reference implementation): two ResNet generators with
// 9 residual blocks (ngf 64, reflection padding, instance norm without affine
// parameters, so convolutions keep their bias) and two 70x70 PatchGAN
// discriminators (ndf 64). Training: LSGAN loss, cycle L1 x 10, identity
// L1 x 0.5 x 10, Adam lr 2e-4 beta1 0.5 for the generators and for the
// discriminators.
//
// Note [CycleGAN image pool]
// The reference feeds the discriminators from a pool of 50 past fakes. The
// pool changes which images D sees, not the work per step, so this benchmark
// uses the current fakes; the FLOPs and memory of a step are the same.

#include "core/error.h"
#include "models/flops.h"
#include "models/loss_scaler.h"
#include "models/model.h"
#include "models/script.h"

namespace effbench {
namespace {

constexpr int64_t kNgf = 64;
constexpr int64_t kNdf = 64;
constexpr int64_t kResidualBlocks = 9;
constexpr double kLambdaCycle = 10.0;
constexpr double kLambdaIdentity = 0.5;

torch::nn::InstanceNorm2d instance_norm(int64_t channels) {
  return torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(channels).affine(false));
}

struct ResnetBlockImpl : torch::nn::Module {
  explicit ResnetBlockImpl(int64_t dim) {
    body->push_back(torch::nn::ReflectionPad2d(1));
    body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, dim, 3)));
    body->push_back(instance_norm(dim));
    body->push_back(torch::nn::ReLU(true));
    body->push_back(torch::nn::ReflectionPad2d(1));
    body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, dim, 3)));
    body->push_back(instance_norm(dim));
    register_module("body", body);
  }
  torch::Tensor forward(const torch::Tensor& x) { return x + body->forward(x); }
  torch::nn::Sequential body;
};
TORCH_MODULE(ResnetBlock);

struct GeneratorImpl : torch::nn::Module {
  GeneratorImpl(int64_t in_channels, int64_t out_channels) {
    net->push_back(torch::nn::ReflectionPad2d(3));
    net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, kNgf, 7)));
    net->push_back(instance_norm(kNgf));
    net->push_back(torch::nn::ReLU(true));
    int64_t width = kNgf;
    for (int i = 0; i < 2; ++i) {  // downsampling
      net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(width, width * 2, 3).stride(2).padding(1)));
      net->push_back(instance_norm(width * 2));
      net->push_back(torch::nn::ReLU(true));
      width *= 2;
    }
    for (int64_t i = 0; i < kResidualBlocks; ++i) net->push_back(ResnetBlock(width));
    for (int i = 0; i < 2; ++i) {  // upsampling
      net->push_back(torch::nn::ConvTranspose2d(
          torch::nn::ConvTranspose2dOptions(width, width / 2, 3).stride(2).padding(1).output_padding(1)));
      net->push_back(instance_norm(width / 2));
      net->push_back(torch::nn::ReLU(true));
      width /= 2;
    }
    net->push_back(torch::nn::ReflectionPad2d(3));
    net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(kNgf, out_channels, 7)));
    net->push_back(torch::nn::Tanh());
    register_module("net", net);
  }
  torch::Tensor forward(const torch::Tensor& x) { return net->forward(x); }
  torch::nn::Sequential net;
};
TORCH_MODULE(Generator);

struct DiscriminatorImpl : torch::nn::Module {
  explicit DiscriminatorImpl(int64_t in_channels) {
    auto lrelu = [] {
      return torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2).inplace(true));
    };
    net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, kNdf, 4).stride(2).padding(1)));
    net->push_back(lrelu());
    int64_t width = kNdf;
    for (int i = 0; i < 2; ++i) {
      net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(width, width * 2, 4).stride(2).padding(1)));
      net->push_back(instance_norm(width * 2));
      net->push_back(lrelu());
      width *= 2;
    }
    net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(width, width * 2, 4).stride(1).padding(1)));
    net->push_back(instance_norm(width * 2));
    net->push_back(lrelu());
    net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(width * 2, 1, 4).stride(1).padding(1)));
    register_module("net", net);
  }
  torch::Tensor forward(const torch::Tensor& x) { return net->forward(x); }
  torch::nn::Sequential net;
};
TORCH_MODULE(Discriminator);

double generator_flops(int64_t channels, int64_t size) {
  FlopCounter count(channels, size, size);
  count.pad(3);
  count.conv(kNgf, 7, 1, 0, true);
  count.instance_norm();
  count.activation();
  for (int i = 0; i < 2; ++i) {
    count.conv(count.channels() * 2, 3, 2, 1, true);
    count.instance_norm();
    count.activation();
  }
  for (int64_t i = 0; i < kResidualBlocks; ++i) {
    count.pad(1);
    count.conv(count.channels(), 3, 1, 0, true);
    count.instance_norm();
    count.activation();
    count.pad(1);
    count.conv(count.channels(), 3, 1, 0, true);
    count.instance_norm();
    count.residual_add();
  }
  for (int i = 0; i < 2; ++i) {
    count.conv_transpose(count.channels() / 2, 3, 2, 1, 1, true);
    count.instance_norm();
    count.activation();
  }
  count.pad(3);
  count.conv(channels, 7, 1, 0, true);
  count.activation();  // tanh
  return count.flops();
}

double discriminator_flops(int64_t channels, int64_t size) {
  FlopCounter count(channels, size, size);
  count.conv(kNdf, 4, 2, 1, true);
  count.activation();
  for (int i = 0; i < 2; ++i) {
    count.conv(count.channels() * 2, 4, 2, 1, true);
    count.instance_norm();
    count.activation();
  }
  count.conv(count.channels() * 2, 4, 1, 1, true);
  count.instance_norm();
  count.activation();
  count.conv(1, 4, 1, 1, true);
  return count.flops();
}

struct CycleGanNetsImpl : torch::nn::Module {
  explicit CycleGanNetsImpl(int64_t channels)
      : g_ab(channels, channels), g_ba(channels, channels), d_a(channels), d_b(channels) {
    register_module("g_ab", g_ab);
    register_module("g_ba", g_ba);
    register_module("d_a", d_a);  // judges domain A images
    register_module("d_b", d_b);  // judges domain B images
    // Reference initialisation: N(0, 0.02) weights, zero biases.
    for (auto& p : named_parameters()) {
      torch::NoGradGuard no_grad;
      if (p.key().find("weight") != std::string::npos) {
        p.value().normal_(0.0, 0.02);
      } else {
        p.value().zero_();
      }
    }
  }
  Generator g_ab, g_ba;
  Discriminator d_a, d_b;
};
TORCH_MODULE(CycleGanNets);

// ResnetBlockImpl::forward and GeneratorImpl::forward in TorchScript (Note
// [TorchScript from C++ modules]); the inference forward is one generator.
std::optional<std::string> generator_script_forward(const torch::nn::Module& module) {
  if (dynamic_cast<const ResnetBlockImpl*>(&module) != nullptr) {
    return std::string("def forward(self, x):\n    return x + self.body(x)\n");
  }
  if (dynamic_cast<const GeneratorImpl*>(&module) != nullptr) {
    return std::string("def forward(self, x):\n    return self.net(x)\n");
  }
  return std::nullopt;
}

void set_requires_grad(torch::nn::Module& module, bool on) {
  for (auto& p : module.parameters()) p.set_requires_grad(on);
}

torch::Tensor lsgan(const torch::Tensor& prediction, double target) {
  return torch::mse_loss(prediction, torch::full_like(prediction, target));
}

class CycleGanTrainer : public Trainer {
 public:
  CycleGanTrainer(CycleGanNets nets, double lr, const TrainOptions& train_options)
      : nets_(std::move(nets)),
        forward_scope_(train_options.forward_scope),
        loss_scaler_(train_options.loss_scaler) {
    auto options = torch::optim::AdamOptions(lr).betas({0.5, 0.999});
    std::vector<torch::Tensor> g_params = nets_->g_ab->parameters();
    for (auto& p : nets_->g_ba->parameters()) g_params.push_back(p);
    std::vector<torch::Tensor> d_params = nets_->d_a->parameters();
    for (auto& p : nets_->d_b->parameters()) d_params.push_back(p);
    optimizer_g_ = std::make_unique<torch::optim::Adam>(g_params, options);
    optimizer_d_ = std::make_unique<torch::optim::Adam>(d_params, options);
  }

  torch::Tensor step(const torch::Tensor& real_a, const torch::Tensor& real_b) override {
    auto& n = *nets_;
    // Generators: adversarial + cycle + identity, discriminators frozen.
    set_requires_grad(*n.d_a, false);
    set_requires_grad(*n.d_b, false);
    optimizer_g_->zero_grad();
    torch::Tensor fake_a;
    torch::Tensor fake_b;
    auto generator_loss = [&] {
      fake_b = n.g_ab->forward(real_a);
      const torch::Tensor rec_a = n.g_ba->forward(fake_b);
      fake_a = n.g_ba->forward(real_b);
      const torch::Tensor rec_b = n.g_ab->forward(fake_a);
      const double identity_weight = kLambdaCycle * kLambdaIdentity;
      const torch::Tensor loss_identity = torch::l1_loss(n.g_ab->forward(real_b), real_b) * identity_weight +
                                          torch::l1_loss(n.g_ba->forward(real_a), real_a) * identity_weight;
      const torch::Tensor loss_gan = lsgan(n.d_b->forward(fake_b), 1.0) + lsgan(n.d_a->forward(fake_a), 1.0);
      const torch::Tensor loss_cycle =
          torch::l1_loss(rec_a, real_a) * kLambdaCycle + torch::l1_loss(rec_b, real_b) * kLambdaCycle;
      return loss_gan + loss_cycle + loss_identity;
    };
    const torch::Tensor loss_g = scoped(generator_loss);
    backward_and_step(loss_g, *optimizer_g_);

    // Discriminators: real vs (detached) fake, halved as in the reference.
    set_requires_grad(*n.d_a, true);
    set_requires_grad(*n.d_b, true);
    optimizer_d_->zero_grad();
    auto discriminator_loss = [&] {
      const torch::Tensor loss_d_b =
          0.5 * (lsgan(n.d_b->forward(real_b), 1.0) + lsgan(n.d_b->forward(fake_b.detach()), 0.0));
      const torch::Tensor loss_d_a =
          0.5 * (lsgan(n.d_a->forward(real_a), 1.0) + lsgan(n.d_a->forward(fake_a.detach()), 0.0));
      return loss_d_a + loss_d_b;
    };
    const torch::Tensor loss_d = scoped(discriminator_loss);
    backward_and_step(loss_d, *optimizer_d_);
    if (loss_scaler_) loss_scaler_->update();  // once per step, after both optimisers (as GradScaler)
    return (loss_g + loss_d).detach();
  }

  void set_lr(double lr) override {
    for (auto* optimizer : {optimizer_g_.get(), optimizer_d_.get()}) {
      for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
    }
  }

 private:
  torch::Tensor scoped(const std::function<torch::Tensor()>& forward_and_loss) const {
    return forward_scope_ ? forward_scope_(forward_and_loss) : forward_and_loss();
  }

  void backward_and_step(const torch::Tensor& loss, torch::optim::Optimizer& optimizer) {
    if (loss_scaler_) {
      loss_scaler_->scale_loss(loss).backward();
      loss_scaler_->step(optimizer);
    } else {
      loss.backward();
      optimizer.step();
    }
  }

  CycleGanNets nets_;
  std::function<torch::Tensor(const std::function<torch::Tensor()>&)> forward_scope_;  // (optional)
  std::shared_ptr<DynamicLossScaler> loss_scaler_;                                     // (optional)
  std::unique_ptr<torch::optim::Adam> optimizer_g_;
  std::unique_ptr<torch::optim::Adam> optimizer_d_;
};

class CycleGan : public Model {
 public:
  explicit CycleGan(const ModelConfig& config) : config_(config), nets_(config.in_channels) {}

  std::string name() const override { return "cyclegan"; }
  ModelTask task() const override { return ModelTask::kImageTranslation; }
  const ModelConfig& config() const override { return config_; }
  torch::nn::Module& module() override { return *nets_; }
  torch::Tensor forward(const torch::Tensor& input) override { return nets_->g_ab->forward(input); }
  torch::jit::Module to_script() override { return script_module(*nets_->g_ab, generator_script_forward); }
  std::unique_ptr<Trainer> make_trainer(const TrainOptions& options) override {
    // Only the learning rate (and the precision hooks) is taken from the
    // options: the rest is the reference recipe.
    const double lr = options.optimizer == "adam" ? options.lr : 2e-4;
    return std::make_unique<CycleGanTrainer>(nets_, lr, options);
  }
  double forward_flops_per_sample() const override {
    return generator_flops(config_.in_channels, config_.image_size);
  }
  double train_flops_per_sample() const override {
    // Per step: six generator passes (two translations, two reconstructions,
    // two identity mappings) and six discriminator passes (two in the
    // generator loss, four in the discriminator loss), each forward + backward.
    const double g = generator_flops(config_.in_channels, config_.image_size);
    const double d = discriminator_flops(config_.in_channels, config_.image_size);
    return 3.0 * (6.0 * g + 6.0 * d);
  }

 private:
  ModelConfig config_;
  CycleGanNets nets_;
};

}  // namespace

std::unique_ptr<Model> make_cyclegan(const ModelConfig& config) {
  // Two stride-2 downsamplings must invert exactly; the PatchGAN needs >= 32 pixels.
  check(config.image_size >= 32 && config.image_size % 4 == 0,
        "cyclegan: expected an image size that is a multiple of 4 and at least 32 but got " +
            std::to_string(config.image_size));
  return std::make_unique<CycleGan>(config);
}

}  // namespace effbench
