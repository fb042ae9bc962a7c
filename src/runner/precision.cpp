#include "runner/precision.h"

#include <torch/version.h>

#include <ATen/autocast_mode.h>

#include "core/error.h"

// LibTorch 2.4 replaced the per-device autocast functions (set_enabled,
// set_cpu_enabled, set_autocast_gpu_dtype, ...) by ones taking a device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define EFFBENCH_AUTOCAST_DEVICE_TYPE_API 1
#endif

namespace effbench {
namespace {

void check_autocast_device(c10::DeviceType device_type) {
  check(device_type == c10::DeviceType::CPU || device_type == c10::DeviceType::CUDA,
        "autocast: expected a cpu or cuda device type but got " + c10::DeviceTypeName(device_type));
}

void set_autocast_enabled(c10::DeviceType device_type, bool enabled) {
#ifdef EFFBENCH_AUTOCAST_DEVICE_TYPE_API
  at::autocast::set_autocast_enabled(device_type, enabled);
#else
  if (device_type == c10::DeviceType::CPU) {
    at::autocast::set_cpu_enabled(enabled);
  } else {
    at::autocast::set_enabled(enabled);
  }
#endif
}

void set_autocast_dtype(c10::DeviceType device_type, at::ScalarType dtype) {
#ifdef EFFBENCH_AUTOCAST_DEVICE_TYPE_API
  at::autocast::set_autocast_dtype(device_type, dtype);
#else
  if (device_type == c10::DeviceType::CPU) {
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
#endif
}

}  // namespace

bool autocast_enabled(c10::DeviceType device_type) {
  check_autocast_device(device_type);
#ifdef EFFBENCH_AUTOCAST_DEVICE_TYPE_API
  return at::autocast::is_autocast_enabled(device_type);
#else
  return device_type == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

at::ScalarType autocast_dtype_of(c10::DeviceType device_type) {
  check_autocast_device(device_type);
#ifdef EFFBENCH_AUTOCAST_DEVICE_TYPE_API
  return at::autocast::get_autocast_dtype(device_type);
#else
  return device_type == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype()
                                             : at::autocast::get_autocast_gpu_dtype();
#endif
}

std::optional<std::string> precision_unsupported_reason(Precision precision, const Device& device) {
  if (device.is_cuda()) return std::nullopt;
  if (precision == Precision::kTf32) {
    return "--precision tf32 needs a CUDA device (TF32 is a tensor-core math mode of cuBLAS/cuDNN), but the "
           "device is " +
           device.str() + "; use fp32 or bf16 there";
  }
  if (precision == Precision::kFp16) {
    return "--precision fp16 needs a CUDA device (LibTorch's cpu autocast supports bf16 only), but the "
           "device is " +
           device.str() + "; use bf16 there";
  }
  return std::nullopt;
}

std::optional<at::ScalarType> autocast_dtype(Precision precision) {
  if (precision == Precision::kBf16) return at::kBFloat16;
  if (precision == Precision::kFp16) return at::kHalf;
  return std::nullopt;
}

double output_tolerance(Precision precision) {
  if (precision == Precision::kFp32) return 1e-3;
  if (precision == Precision::kBf16) return 5e-2;
  return 1e-2;  // tf32, fp16
}

AutocastGuard::AutocastGuard(c10::DeviceType device_type, at::ScalarType dtype, bool cache_enabled)
    : device_type_(device_type),
      previous_enabled_(autocast_enabled(device_type)),
      previous_dtype_(autocast_dtype_of(device_type)),
      previous_cache_enabled_(at::autocast::is_autocast_cache_enabled()) {
  set_autocast_dtype(device_type_, dtype);
  set_autocast_enabled(device_type_, true);
  at::autocast::set_autocast_cache_enabled(cache_enabled);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  // As torch.autocast.__exit__: the cache of casted weights lives while any
  // autocast region is open.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast_enabled(device_type_, previous_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
  at::autocast::set_autocast_cache_enabled(previous_cache_enabled_);
}

MathModeScope::MathModeScope(Precision precision, const Device& device, bool cudnn_benchmark) {
  if (!device.is_cuda()) return;
  auto& context = at::globalContext();
  active_ = true;
  previous_tf32_cublas_ = context.allowTF32CuBLAS();
  previous_tf32_cudnn_ = context.allowTF32CuDNN();
  previous_cudnn_benchmark_ = context.benchmarkCuDNN();
  // Note [Precision modes]: only tf32 uses TF32; fp32 is strict, and under
  // bf16/fp16 autocast the fp32 leftovers stay strict too.
  const bool tf32 = precision == Precision::kTf32;
  context.setAllowTF32CuBLAS(tf32);
  context.setAllowTF32CuDNN(tf32);
  context.setBenchmarkCuDNN(cudnn_benchmark);
  notes_.push_back(std::string("TF32 ") + (tf32 ? "on" : "off") + " in cuBLAS and cuDNN");
  notes_.push_back(std::string("cuDNN benchmark mode ") + (cudnn_benchmark ? "on" : "off"));
}

MathModeScope::~MathModeScope() {
  if (!active_) return;
  auto& context = at::globalContext();
  context.setAllowTF32CuBLAS(previous_tf32_cublas_);
  context.setAllowTF32CuDNN(previous_tf32_cudnn_);
  context.setBenchmarkCuDNN(previous_cudnn_benchmark_);
}

}  // namespace effbench
