#include "models/torchscript_model.h"

// Compiled with NDEBUG, as LibTorch is (Note [RecordFunction and NDEBUG] in models/CMakeLists.txt).
#include <ATen/record_function.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "core/units.h"
#include "models/classifier.h"

namespace effbench {
namespace {

// ---- Note [Observed FLOPs] ----

enum class CountedOp { kConv, kConvTranspose, kConvolution, kLinear, kMatmul, kMatmulWithBias };

std::optional<CountedOp> counted_op(const char* name) {
  static const std::vector<std::pair<const char*, CountedOp>> kOps = {
      {"aten::conv1d", CountedOp::kConv},
      {"aten::conv2d", CountedOp::kConv},
      {"aten::conv3d", CountedOp::kConv},
      {"aten::conv_transpose1d", CountedOp::kConvTranspose},
      {"aten::conv_transpose2d", CountedOp::kConvTranspose},
      {"aten::conv_transpose3d", CountedOp::kConvTranspose},
      {"aten::convolution", CountedOp::kConvolution},
      {"aten::_convolution", CountedOp::kConvolution},
      {"aten::linear", CountedOp::kLinear},
      {"aten::matmul", CountedOp::kMatmul},
      {"aten::mm", CountedOp::kMatmul},
      {"aten::bmm", CountedOp::kMatmul},
      {"aten::addmm", CountedOp::kMatmulWithBias},
      {"aten::baddbmm", CountedOp::kMatmulWithBias},
  };
  for (const auto& [op_name, op] : kOps) {
    if (std::strcmp(name, op_name) == 0) return op;
  }
  return std::nullopt;
}

struct FlopTally {
  double flops = 0;
  int depth = 0;  // counted ops open on this thread
};
thread_local FlopTally* active_tally = nullptr;

// What an op's start saw: multiply-adds per output element, or (transposed
// convolutions) the whole count, known from the inputs alone.
struct OpContext : at::ObserverContext {
  bool outermost = false;
  double macs_per_output = 0;
  double macs = 0;
};

std::optional<torch::Tensor> tensor_input(const at::RecordFunction& fn, size_t index) {
  const auto inputs = fn.inputs();
  if (index >= inputs.size() || !inputs[index].isTensor()) return std::nullopt;
  return inputs[index].toTensor();
}

// Multiply-adds of one output element of a convolution: one filter, C_in/groups x kernel.
double filter_macs(const torch::Tensor& weight) {
  return weight.size(0) > 0 ? static_cast<double>(weight.numel()) / static_cast<double>(weight.size(0)) : 0;
}

std::unique_ptr<at::ObserverContext> op_started(const at::RecordFunction& fn) {
  if (active_tally == nullptr) return nullptr;
  const std::optional<CountedOp> op = counted_op(fn.name());
  if (!op) return nullptr;
  auto context = std::make_unique<OpContext>();
  context->outermost = active_tally->depth++ == 0;
  if (!context->outermost) return context;
  const auto input = tensor_input(fn, 0);
  switch (*op) {
    case CountedOp::kConv:
      if (const auto weight = tensor_input(fn, 1)) context->macs_per_output = filter_macs(*weight);
      break;
    case CountedOp::kConvTranspose:
      // Each input element is scattered through C_out/groups x kernel weights.
      if (const auto weight = tensor_input(fn, 1); weight && input)
        context->macs = static_cast<double>(input->numel()) * filter_macs(*weight);
      break;
    case CountedOp::kConvolution: {
      const auto weight = tensor_input(fn, 1);
      const auto inputs = fn.inputs();
      const bool transposed = inputs.size() > 6 && inputs[6].isBool() && inputs[6].toBool();
      if (weight && transposed && input) {
        context->macs = static_cast<double>(input->numel()) * filter_macs(*weight);
      } else if (weight) {
        context->macs_per_output = filter_macs(*weight);
      }
      break;
    }
    case CountedOp::kLinear:
      if (const auto weight = tensor_input(fn, 1); weight && weight->dim() == 2)
        context->macs_per_output = static_cast<double>(weight->size(1));
      break;
    case CountedOp::kMatmul:
      if (input && input->dim() >= 1) context->macs_per_output = static_cast<double>(input->size(-1));
      break;
    case CountedOp::kMatmulWithBias:
      if (const auto left = tensor_input(fn, 1); left && left->dim() >= 1)
        context->macs_per_output = static_cast<double>(left->size(-1));
      break;
  }
  return context;
}

void op_ended(const at::RecordFunction& fn, at::ObserverContext* base) {
  auto* context = static_cast<OpContext*>(base);
  if (context == nullptr || active_tally == nullptr) return;
  --active_tally->depth;
  if (!context->outermost) return;
  double macs = context->macs;
  const auto& outputs = fn.outputs();
  if (context->macs_per_output > 0 && !outputs.empty() && outputs[0].isTensor()) {
    macs = context->macs_per_output * static_cast<double>(outputs[0].toTensor().numel());
  }
  active_tally->flops += 2.0 * macs;
}

// The interpreter's own words: its last "...Error: ..." line (the traceback
// above it names TorchScript's generated code), else its first line.
std::string torch_message(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  std::istringstream lines(torch_error ? torch_error->what_without_backtrace() : e.what());
  std::string line, first, last_error;
  while (std::getline(lines, line)) {
    if (first.empty() && !line.empty()) first = line;
    if (line.find("Error: ") != std::string::npos) last_error = line;
  }
  return last_error.empty() ? first : last_error;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

torch::jit::Module load_file(const std::string& path) {
  try {
    return torch::jit::load(path, torch::kCPU);
  } catch (const std::exception& e) {
    throw Error("--model " + path +
                ": not a TorchScript file that this LibTorch can read (save one with "
                "torch.jit.save(torch.jit.script(model), path) or torch.jit.trace): " +
                torch_message(e));
  }
}

// The module's tensors as an nn::Module (Note [TorchScript models]): the
// same tensors, so the optimiser, channels-last and broadcasts reach them.
class ScriptHolder : public torch::nn::Module {
 public:
  explicit ScriptHolder(torch::jit::Module script) : script_(std::move(script)) {
    // A tensor shared by two submodules (tied weights) is one parameter: counted and stepped once.
    std::set<const void*> seen;
    int64_t index = 0;
    for (const auto& p : script_.named_parameters(/*recurse=*/true)) {
      if (!seen.insert(p.value.unsafeGetTensorImpl()).second) continue;
      register_parameter(holder_name(index++, p.name), p.value, p.value.requires_grad());
    }
    for (const auto& b : script_.named_buffers(/*recurse=*/true)) {
      if (!seen.insert(b.value.unsafeGetTensorImpl()).second) continue;
      register_buffer(holder_name(index++, b.name), b.value);
    }
  }
  void train(bool on) override {
    torch::nn::Module::train(on);
    script_.train(on);
  }
  // The TorchScript module moves its parameters, buffers and tensor attributes in place.
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking) override {
    script_.to(device, dtype, non_blocking);
  }
  void to(torch::Dtype dtype, bool non_blocking) override { script_.to(dtype, non_blocking); }
  void to(torch::Device device, bool non_blocking) override { script_.to(device, non_blocking); }
  torch::jit::Module& script() { return script_; }

 private:
  // nn::Module names may not contain dots; the index keeps them unique.
  static std::string holder_name(int64_t index, std::string name) {
    std::replace(name.begin(), name.end(), '.', '_');
    return "t" + std::to_string(index) + "_" + name;
  }
  torch::jit::Module script_;
};

torch::Tensor output_tensor(const torch::IValue& output, const std::string& path) {
  check(output.isTensor(), "--model " + path + ": the forward returned a " + output.tagKind() +
                               ", but effbench measures models that return one tensor");
  return output.toTensor();
}

class TorchScriptModel : public Model {
 public:
  TorchScriptModel(const TorchScriptSpec& spec, const ModelConfig& config, double forward_flops,
                   std::string sha256, std::vector<std::string> notes)
      : spec_(spec),
        config_(config),
        holder_(std::make_shared<ScriptHolder>(load_file(spec.path))),
        forward_flops_(forward_flops),
        sha256_(std::move(sha256)),
        notes_(std::move(notes)) {}

  std::string name() const override { return spec_.path; }
  ModelTask task() const override { return spec_.classes ? ModelTask::kClassification : ModelTask::kOther; }
  const ModelConfig& config() const override { return config_; }
  torch::nn::Module& module() override { return *holder_; }
  torch::Tensor forward(const torch::Tensor& input) override {
    return output_tensor(holder_->script().forward({input}), spec_.path);
  }
  std::unique_ptr<Trainer> make_trainer(const TrainOptions& options) override {
    bool trainable = false;
    for (const auto& p : holder_->parameters()) trainable = trainable || p.requires_grad();
    check(trainable, "--model " + spec_.path +
                         ": the module has no parameters that require gradients, so there is nothing to "
                         "train; use --mode infer");
    std::shared_ptr<ScriptHolder> holder = holder_;
    const std::string path = spec_.path;
    auto forward = [holder, path](const torch::Tensor& x) {
      return output_tensor(holder->script().forward({x}), path);
    };
    if (spec_.classes) return make_classifier_trainer(*holder_, forward, options);
    return make_trainer_for_loss(
        *holder_, forward,
        [](const torch::Tensor& output, const torch::Tensor&) { return output.pow(2).mean(); }, options);
  }
  torch::jit::Module to_script() override { return holder_->script(); }
  double forward_flops_per_sample() const override { return forward_flops_; }
  double train_flops_per_sample() const override { return 3.0 * forward_flops_; }
  std::optional<ModelSource> source() const override { return ModelSource{spec_.path, sha256_}; }
  std::vector<std::string> notes() const override { return notes_; }

 private:
  TorchScriptSpec spec_;
  ModelConfig config_;
  std::shared_ptr<ScriptHolder> holder_;
  double forward_flops_;
  std::string sha256_;
  std::vector<std::string> notes_;
};

constexpr int64_t kCheckBatch = 2;

}  // namespace

ObservedForward observe_forward_flops(torch::jit::Module& module, const torch::Tensor& input) {
  FlopTally tally;
  active_tally = &tally;
  const at::CallbackHandle handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(op_started, op_ended).needsInputs(true).needsOutputs(true));
  ObservedForward observed;
  try {
    torch::NoGradGuard no_grad;
    observed.output = module.forward({input});
  } catch (...) {
    at::removeCallback(handle);
    active_tally = nullptr;
    throw;
  }
  at::removeCallback(handle);
  active_tally = nullptr;
  observed.flops = tally.flops;
  return observed;
}

ModelEntry make_torchscript_entry(const TorchScriptSpec& spec) {
  check(!spec.sample_shape.empty(), "--model " + spec.path +
                                        ": give the shape of one input sample with --input, e.g. "
                                        "--input 3x224x224");
  for (int64_t size : spec.sample_shape) {
    EFFBENCH_CHECK(size > 0, "--input: expected sizes > 0 but got ", shape_text(spec.sample_shape));
  }
  EFFBENCH_CHECK(!spec.classes || *spec.classes >= 2, "--classes: expected at least 2 classes but got ",
                 spec.classes.value_or(0));
  torch::jit::Module module = load_file(spec.path);
  module.eval();
  std::vector<int64_t> batch_shape = {kCheckBatch};
  batch_shape.insert(batch_shape.end(), spec.sample_shape.begin(), spec.sample_shape.end());
  ObservedForward observed;
  try {
    observed = observe_forward_flops(module, torch::zeros(batch_shape));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {  // c10::Error, or the interpreter's std::runtime_error
    throw Error("--model " + spec.path + ": its forward failed on an input of shape " +
                shape_text(batch_shape) + " (batch " + std::to_string(kCheckBatch) + " x --input " +
                shape_text(spec.sample_shape) + "): " + torch_message(e) +
                "; give the shape of one sample the model expects with --input");
  }
  const torch::Tensor output = output_tensor(observed.output, spec.path);
  EFFBENCH_CHECK(output.is_floating_point() && output.dim() >= 1 && output.size(0) == kCheckBatch, "--model ",
                 spec.path, ": expected a floating-point output with the batch (", kCheckBatch,
                 ") first, but the forward returned ", output.scalar_type(), " of shape ",
                 shape_text(output.sizes().vec()));
  if (spec.classes) {
    EFFBENCH_CHECK(output.dim() == 2 && output.size(1) == *spec.classes, "--classes ", *spec.classes,
                   ": expected the model to return (batch, ", *spec.classes, ") logits but it returned ",
                   shape_text(output.sizes().vec()));
  }

  std::vector<std::string> notes;
  const double forward_flops = observed.flops / kCheckBatch;
  notes.push_back(forward_flops > 0
                      ? "FLOPs: convolutions and matrix products observed in one forward pass, other "
                        "operations not counted (Note [Observed FLOPs])"
                      : "FLOPs: no convolution or matrix product was observed in a forward pass; FLOPs, "
                        "TFLOP/s and MFU are not known");
  if (!spec.classes) {
    notes.push_back("training loss: the mean of the squared output, a stand-in (no --classes given)");
  }
  ModelConfig config;
  config.in_channels = spec.sample_shape.front();
  config.image_size = 0;
  config.num_classes = spec.classes.value_or(0);
  config.sample_shape = spec.sample_shape;
  const std::string sha256 = sha256_file_hex(spec.path);

  ModelEntry entry;
  entry.name = spec.path;
  entry.summary =
      "TorchScript file, input " + shape_text(spec.sample_shape) + ", sha256 " + sha256.substr(0, 12);
  entry.task = spec.classes ? ModelTask::kClassification : ModelTask::kOther;
  entry.default_config = config;
  entry.trainable = false;
  for (const auto& p : module.parameters(/*recurse=*/true))
    entry.trainable = entry.trainable || p.requires_grad();
  entry.create = [spec, forward_flops, sha256, notes](const ModelConfig& case_config) {
    return std::make_unique<TorchScriptModel>(spec, case_config, forward_flops, sha256, notes);
  };
  return entry;
}

}  // namespace effbench
