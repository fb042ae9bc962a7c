#include "models/script.h"

#include <cctype>
#include <iomanip>
#include <sstream>

#include "core/error.h"

#if __has_include(<c10/util/variant.h>)
#include <c10/util/variant.h>
#define EFFBENCH_VARIANT_NS c10  // LibTorch 1.x: options hold c10::variant
#else
#include <variant>
#define EFFBENCH_VARIANT_NS std
#endif

namespace effbench {
namespace {

namespace nn = torch::nn;

// Doubles as TorchScript literals, exactly.
std::string literal(double value) {
  std::ostringstream out;
  out << std::setprecision(17) << value;
  std::string text = out.str();
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

template <size_t D>
std::string int_list(const torch::ExpandingArray<D>& values) {
  std::string text = "[";
  for (size_t i = 0; i < D; ++i) text += (i ? ", " : "") + std::to_string((*values)[i]);
  return text + "]";
}

template <typename Options>
std::string conv_padding(const Options& options, const std::string& layer) {
  check(torch::enumtype::get_enum_name(options.padding_mode()) == "kZeros",
        "fused: " + layer + " with padding mode " + torch::enumtype::get_enum_name(options.padding_mode()) +
            " has no TorchScript form here; only zero padding is supported");
  const auto* explicit_padding = EFFBENCH_VARIANT_NS::get_if<torch::ExpandingArray<2>>(&options.padding());
  check(explicit_padding != nullptr, "fused: " + layer + " with 'same'/'valid' padding is not supported");
  return int_list<2>(*explicit_padding);
}

std::string bias_or_none(const nn::Module& module) {
  return module.named_parameters(false).contains("bias") ? "self.bias" : "None";
}

bool is_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string child_name(const std::string& name) { return is_identifier(name) ? name : "layer" + name; }

std::string forward(const std::string& body) { return "def forward(self, x):\n    return " + body + "\n"; }

// The forward of the standard layers; nullopt for any other module.
std::optional<std::string> standard_forward(const nn::Module& module) {
  if (const auto* conv = dynamic_cast<const nn::Conv2dImpl*>(&module)) {
    const auto& o = conv->options;
    return forward("torch.conv2d(x, self.weight, " + bias_or_none(module) + ", " + int_list<2>(o.stride()) +
                   ", " + conv_padding(o, "Conv2d") + ", " + int_list<2>(o.dilation()) + ", " +
                   std::to_string(o.groups()) + ")");
  }
  if (const auto* conv = dynamic_cast<const nn::ConvTranspose2dImpl*>(&module)) {
    const auto& o = conv->options;
    return forward("torch.conv_transpose2d(x, self.weight, " + bias_or_none(module) + ", " +
                   int_list<2>(o.stride()) + ", " + conv_padding(o, "ConvTranspose2d") + ", " +
                   int_list<2>(o.output_padding()) + ", " + std::to_string(o.groups()) + ", " +
                   int_list<2>(o.dilation()) + ")");
  }
  if (const auto* bn = dynamic_cast<const nn::BatchNorm2dImpl*>(&module)) {
    const auto& o = bn->options;
    check(o.track_running_stats(), "fused: BatchNorm2d without running statistics cannot run in eval mode");
    const std::string affine = o.affine() ? "self.weight, self.bias" : "None, None";
    // training=False: the inference form that freezing folds into the preceding convolution.
    return forward("torch.batch_norm(x, " + affine + ", self.running_mean, self.running_var, False, " +
                   literal(o.momentum().value_or(0.1)) + ", " + literal(o.eps()) + ", True)");
  }
  if (const auto* in = dynamic_cast<const nn::InstanceNorm2dImpl*>(&module)) {
    const auto& o = in->options;
    check(!o.track_running_stats(), "fused: InstanceNorm2d with running statistics is not supported");
    const std::string affine = o.affine() ? "self.weight, self.bias" : "None, None";
    return forward("torch.instance_norm(x, " + affine + ", None, None, True, " + literal(o.momentum()) +
                   ", " + literal(o.eps()) + ", True)");
  }
  if (dynamic_cast<const nn::LinearImpl*>(&module)) {
    return forward("torch.linear(x, self.weight, " + bias_or_none(module) + ")");
  }
  if (dynamic_cast<const nn::ReLUImpl*>(&module)) return forward("torch.relu(x)");
  if (const auto* lrelu = dynamic_cast<const nn::LeakyReLUImpl*>(&module)) {
    return forward("torch.leaky_relu(x, " + literal(lrelu->options.negative_slope()) + ")");
  }
  if (dynamic_cast<const nn::TanhImpl*>(&module)) return forward("torch.tanh(x)");
  if (const auto* pool = dynamic_cast<const nn::MaxPool2dImpl*>(&module)) {
    const auto& o = pool->options;
    return forward("torch.max_pool2d(x, " + int_list<2>(o.kernel_size()) + ", " + int_list<2>(o.stride()) +
                   ", " + int_list<2>(o.padding()) + ", " + int_list<2>(o.dilation()) + ", " +
                   (o.ceil_mode() ? "True" : "False") + ")");
  }
  if (const auto* pad = dynamic_cast<const nn::ReflectionPad2dImpl*>(&module)) {
    return forward("torch.reflection_pad2d(x, " + int_list<4>(pad->options.padding()) + ")");
  }
  if (const auto* flatten = dynamic_cast<const nn::FlattenImpl*>(&module)) {
    return forward("torch.flatten(x, " + std::to_string(flatten->options.start_dim()) + ", " +
                   std::to_string(flatten->options.end_dim()) + ")");
  }
  if (dynamic_cast<const nn::SequentialImpl*>(&module)) {
    std::string source = "def forward(self, x):\n";
    for (const auto& child : module.named_children())
      source += "    x = self." + child_name(child.key()) + "(x)\n";
    return source + "    return x\n";
  }
  return std::nullopt;
}

class Converter {
 public:
  explicit Converter(const ScriptForward& custom) : custom_(custom) {}

  torch::jit::Module convert(const nn::Module& module) {
    torch::jit::Module scripted(c10::QualifiedName("__torch__.effbench.Scripted" + std::to_string(count_++)),
                                unit_,
                                /*shouldMangle=*/true);
    scripted.register_attribute("training", c10::BoolType::get(), false);
    for (const auto& p : module.named_parameters(/*recurse=*/false)) {
      scripted.register_parameter(p.key(), p.value().detach(), /*is_buffer=*/false);
    }
    for (const auto& b : module.named_buffers(/*recurse=*/false))
      scripted.register_buffer(b.key(), b.value());
    for (const auto& child : module.named_children()) {
      scripted.register_module(child_name(child.key()), convert(*child.value()));
    }
    std::optional<std::string> source = custom_ ? custom_(module) : std::nullopt;
    if (!source) source = standard_forward(module);
    check(source.has_value(),
          "fused: no TorchScript form for module '" + module.name() +
              "' (add it to the model's ScriptForward, Note [TorchScript from C++ modules])");
    // Methods defined from C++ see `self` as a plain object, which has no
    // __call__: a child is called through its forward method.
    for (const auto& child : module.named_children()) {
      const std::string call = "self." + child_name(child.key()) + "(";
      const std::string method = "self." + child_name(child.key()) + ".forward(";
      for (size_t at = source->find(call); at != std::string::npos;
           at = source->find(call, at + method.size())) {
        source->replace(at, call.size(), method);
      }
    }
    scripted.define(*source);
    return scripted;
  }

 private:
  const ScriptForward& custom_;
  std::shared_ptr<torch::jit::CompilationUnit> unit_ = std::make_shared<torch::jit::CompilationUnit>();
  int64_t count_ = 0;
};

}  // namespace

torch::jit::Module script_module(const nn::Module& module, const ScriptForward& custom_forward) {
  Converter converter(custom_forward);
  torch::jit::Module scripted = converter.convert(module);
  scripted.eval();
  return scripted;
}

}  // namespace effbench
