#include "runner/execution.h"

#include "runner/torch_device.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"

#ifdef EFFBENCH_HAS_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

// Declared in torch/csrc/jit/codegen/fuser/interface.h, which no LibTorch
// package ships; exported by libtorch_cpu in 1.13 and 2.6 (nm), unchecked in
// a pip LibTorch.
namespace torch {
namespace jit {
TORCH_API void overrideCanFuseOnCPU(bool value);
}  // namespace jit
}  // namespace torch

namespace effbench {

std::string fuser_note(const Device& device) {
  if (device.is_cpu()) return "fused: TorchScript's CPU fuser off (Note [CPU fuser])";
  return "fused: TorchScript's GPU fuser as LibTorch sets it";
}

torch::jit::Module make_fused_module(Model& model) {
  torch::jit::overrideCanFuseOnCPU(false);  // Note [CPU fuser]
  torch::jit::Module scripted = model.to_script();
  scripted.eval();
  torch::jit::Module frozen = torch::jit::freeze(scripted);
  return torch::jit::optimize_for_inference(frozen);
}

torch::Tensor run_fused(torch::jit::Module& module, const torch::Tensor& input) {
  return module.forward({input}).toTensor();
}

double relative_max_difference(const torch::Tensor& candidate, const torch::Tensor& reference) {
  check(candidate.sizes() == reference.sizes(),
        "output shapes differ: " + c10::str(candidate.sizes()) + " vs eager " + c10::str(reference.sizes()));
  const torch::Tensor c = candidate.to(torch::kFloat);
  const torch::Tensor r = reference.to(torch::kFloat);
  const double scale = std::max(1.0, r.abs().max().item<double>());
  return (c - r).abs().max().item<double>() / scale;
}

void check_matches_eager(Exec exec, const torch::Tensor& candidate, const torch::Tensor& eager,
                         double tolerance) {
  const double difference = relative_max_difference(candidate, eager);
  check(std::isfinite(difference) && difference <= tolerance,
        "--exec " + to_string(exec) + ": output differs from eager by " + format_number(difference) +
            " (max |difference| / max(1, max |eager|)), above the tolerance " + format_number(tolerance) +
            "; not timed");
}

std::optional<std::string> graph_training_unsupported_reason(const std::string& model, Precision precision) {
  if (model == "cyclegan") {
    return "--exec graph: cyclegan training uses Adam, whose step count lives on the host in LibTorch (bias "
           "correction); a CUDA graph would replay its first step forever (Note [CUDA graph mode]); use "
           "--exec "
           "eager for cyclegan training";
  }
  if (precision == Precision::kFp16) {
    return "--exec graph: fp16 training reads the loss scaler's overflow flag on the host every step, which "
           "a "
           "CUDA graph cannot capture; use bf16 (no loss scaling) or --exec eager";
  }
  return std::nullopt;
}

#ifdef EFFBENCH_HAS_CUDA
namespace {

class CudaCapturedStep : public CapturedStep {
 public:
  CudaCapturedStep(std::unique_ptr<at::cuda::CUDAGraph> graph, torch::Tensor output)
      : graph_(std::move(graph)), output_(std::move(output)) {}
  torch::Tensor replay() override {
    graph_->replay();
    return output_;
  }

 private:
  std::unique_ptr<at::cuda::CUDAGraph> graph_;
  torch::Tensor output_;
};

}  // namespace

std::unique_ptr<CapturedStep> CapturedStep::capture(const std::function<torch::Tensor()>& step,
                                                    const Device& device, int64_t warmup_iterations) {
  EFFBENCH_CHECK(device.is_cuda(), "--exec graph needs a CUDA device but got ", device.str());
  const torch::Device d = torch_device(device);
  const c10::cuda::CUDAGuard device_guard(d.index());
  c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(d.index());
  c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, d.index());
  // Warm-up on the side stream (lazy initialisation, cuDNN autotuning and
  // optimiser state happen outside the capture), ordered after the work
  // already queued on the current stream.
  at::cuda::CUDAEvent ready;
  ready.record(current);
  ready.block(side);
  torch::Tensor output;
  auto graph = std::make_unique<at::cuda::CUDAGraph>();
  {
    const c10::cuda::CUDAStreamGuard stream_guard(side);
    for (int64_t i = 0; i < warmup_iterations; ++i) output = step();
    side.synchronize();
    graph->capture_begin();
    output = step();
    graph->capture_end();
  }
  at::cuda::CUDAEvent captured;
  captured.record(side);
  captured.block(current);
  current.synchronize();
  return std::make_unique<CudaCapturedStep>(std::move(graph), output);
}
#else
std::unique_ptr<CapturedStep> CapturedStep::capture(const std::function<torch::Tensor()>&,
                                                    const Device& device, int64_t) {
  throw Error(
      "--exec graph needs a CUDA device and a CUDA build of effbench, but this build has no CUDA (device " +
      device.str() + ")");
}
#endif

}  // namespace effbench
