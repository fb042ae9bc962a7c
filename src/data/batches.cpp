#include "data/batches.h"

#include <cstdio>
#include <tuple>
#include <utility>

#include "core/error.h"

namespace effbench {

// Note [Device-resident epochs]
// A whole split (47 MB for Fashion-MNIST's training images) is copied to the
// device once as uint8. Each step then runs only device ops: index_select of
// the step's slice of the epoch permutation, one constant pad, one gather that
// does the random shift and the horizontal flip together, a conversion to
// float and the normalisation (its offset and scale tensors are made once per
// loader). There is no per-sample loop and no host round trip: the random
// offsets and flip mask are drawn on the device too, so a CUDA step never
// waits for the host. The permutation is drawn on the device once per epoch.
//
// Note [Shift and flip as one gather]
// Padding by 2 (28 -> 32) and shifting by up to 4 are one zero pad of 6; a
// training crop is the 32x32 window at a random offset (oy, ox) in [0, 8]^2
// and evaluation is the centre window (offset 4), i.e. the 2-pixel pad alone.
// For sample b the output pixel (y, x) reads padded pixel
//   (oy_b + y, ox_b + (flip_b ? W-1-x : x)),
// so the flip is a torch::where on the per-sample mask choosing between two
// column index grids, and the crop and the flip are one gather over the
// flattened H*W plane: no image is copied twice.
//
// Note [Normalisation constants]
// Per-channel mean and standard deviation of the training split's pixels,
// scaled to [0, 1] (as torchvision's Normalize expects): Fashion-MNIST
// 0.2860 / 0.3530 (checked against the real files in
// tests/data/loaders_test.cpp), MNIST 0.1307 / 0.3081, CIFAR-10
// (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616). Zero padding is applied
// to raw pixels, before normalisation, as torchvision's Pad + ToTensor +
// Normalize do; padded pixels therefore read -mean/std.

namespace {

std::string format_fixed(double v, int digits = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string join_values(const std::vector<double>& values) {
  if (values.size() == 1) return format_fixed(values[0]);
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + format_fixed(values[i]);
  return s + ")";
}

c10::optional<at::Generator> optional_generator(const at::Generator& generator) {
  c10::optional<at::Generator> g;
  if (generator.defined()) g = generator;
  return g;
}

// Checks options against a split; throws Error naming `what` otherwise.
void check_options(const LoaderOptions& o, const Dataset& split, const std::string& what) {
  check(o.batch_size > 0, what + ": batch size: expected > 0, found " + std::to_string(o.batch_size));
  check(o.shift_px >= 0, what + ": shift: expected >= 0 px, found " + std::to_string(o.shift_px));
  const int64_t channels = split.images.size(1), height_px = split.images.size(2),
                width_px = split.images.size(3);
  check(o.image_size_px == 0 || (o.image_size_px >= height_px && o.image_size_px >= width_px),
        what + ": target image size: expected 0 (keep) or at least the images' " + std::to_string(height_px) +
            "x" + std::to_string(width_px) + " px (images are padded, never cropped), found " +
            std::to_string(o.image_size_px));
  const Normalization& n = o.normalization;
  check(n.mean.size() == n.std.size(),
        what + ": normalisation: expected as many means as deviations, found " +
            std::to_string(n.mean.size()) + " and " + std::to_string(n.std.size()));
  check(n.mean.empty() || n.mean.size() == 1 || int64_t(n.mean.size()) == channels,
        what + ": normalisation: expected 1 or " + std::to_string(channels) + " channel values, found " +
            std::to_string(n.mean.size()));
  for (double s : n.std) check(s > 0, what + ": normalisation std: expected > 0, found " + format_fixed(s));
}

// 255 mean and 1 / (255 std) as (1, C, 1, 1) float tensors on the device,
// made once per loader so that a step copies nothing from the host.
std::pair<torch::Tensor, torch::Tensor> normalisation_tensors(const LoaderOptions& o, int64_t channels) {
  std::vector<float> offset(static_cast<size_t>(channels), 0.0f),
      scale(static_cast<size_t>(channels), 1.0f / 255.0f);
  const Normalization& n = o.normalization;
  for (size_t c = 0; c < offset.size() && !n.mean.empty(); ++c) {
    const size_t k = n.mean.size() == 1 ? 0 : c;
    offset[c] = float(255.0 * n.mean[k]);
    scale[c] = float(1.0 / (255.0 * n.std[k]));
  }
  const auto f = torch::TensorOptions().dtype(torch::kFloat32);
  return {torch::tensor(offset, f).view({1, channels, 1, 1}).to(o.device),
          torch::tensor(scale, f).view({1, channels, 1, 1}).to(o.device)};
}

// The whole transform of one batch; see the Notes above. `augment` enables the
// random shift and flip.
Batch make_batch(const torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& index,
                 const LoaderOptions& o, const torch::Tensor& norm_offset, const torch::Tensor& norm_scale,
                 bool augment) {
  torch::Tensor x = images.index_select(0, index);  // uint8 B x C x H x W
  const int64_t batch = x.size(0), channels = x.size(1), height_px = x.size(2), width_px = x.size(3);
  const int64_t out_h = o.image_size_px ? o.image_size_px : height_px;
  const int64_t out_w = o.image_size_px ? o.image_size_px : width_px;
  const int64_t top = (out_h - height_px) / 2, left = (out_w - width_px) / 2;
  const int64_t bottom = out_h - height_px - top, right = out_w - width_px - left;
  const int64_t shift = augment ? o.shift_px : 0;
  const bool flip = augment && o.horizontal_flip;
  if (top + bottom + left + right + shift > 0) {
    x = torch::constant_pad_nd(x, {left + shift, right + shift, top + shift, bottom + shift}, 0);
  }
  if (shift > 0 || flip) {  // Note [Shift and flip as one gather]
    const int64_t padded_w = x.size(3);
    const auto long_opts = torch::TensorOptions().dtype(torch::kInt64).device(x.device());
    const auto gen = optional_generator(o.generator);
    const torch::Tensor oy = torch::randint(0, 2 * shift + 1, {batch, 1}, gen, long_opts);
    const torch::Tensor ox = torch::randint(0, 2 * shift + 1, {batch, 1}, gen, long_opts);
    const torch::Tensor rows = oy + torch::arange(out_h, long_opts);  // B x out_h
    const torch::Tensor xs = torch::arange(out_w, long_opts);
    torch::Tensor cols = ox + xs;  // B x out_w
    if (flip) {
      const torch::Tensor mirror = torch::randint(0, 2, {batch, 1}, gen, long_opts).to(torch::kBool);
      cols = torch::where(mirror, ox + (out_w - 1 - xs), cols);
    }
    const torch::Tensor flat =
        (rows.unsqueeze(2) * padded_w + cols.unsqueeze(1)).view({batch, 1, out_h * out_w});
    x = x.flatten(2)
            .gather(2, flat.expand({batch, channels, out_h * out_w}))
            .view({batch, channels, out_h, out_w});
  }
  // (p / 255 - mean) / std = (p - 255 mean) * (1 / (255 std)); see normalisation_tensors.
  torch::Tensor input = x.to(torch::kFloat32);
  input.sub_(norm_offset).mul_(norm_scale);
  return Batch{input, labels.index_select(0, index)};
}

std::string options_text(const LoaderOptions& o) {
  std::string s;
  if (o.image_size_px)
    s += ", pad to " + std::to_string(o.image_size_px) + "x" + std::to_string(o.image_size_px);
  if (o.shift_px) s += ", shift +-" + std::to_string(o.shift_px) + " px";
  if (o.horizontal_flip) s += ", flip";
  if (!o.normalization.mean.empty()) {
    s +=
        ", normalised mean " + join_values(o.normalization.mean) + " std " + join_values(o.normalization.std);
  }
  return s;
}

std::string shape_text(const torch::Tensor& images) {
  return std::to_string(images.size(1)) + "x" + std::to_string(images.size(2)) + "x" +
         std::to_string(images.size(3));
}

}  // namespace

Normalization dataset_normalization(const std::string& dataset_name) {
  if (dataset_name == "fashion-mnist") return {{0.2860}, {0.3530}};
  if (dataset_name == "mnist") return {{0.1307}, {0.3081}};
  if (dataset_name == "cifar10") return {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}};
  return {{0.5}, {0.5}};
}

LoaderOptions train_loader_options(const std::string& dataset_name, int64_t batch_size,
                                   torch::Device device) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.device = device;
  o.normalization = dataset_normalization(dataset_name);
  o.shift_px = 4;
  if (dataset_name == "fashion-mnist" || dataset_name == "mnist") o.image_size_px = 32;
  o.horizontal_flip = dataset_name != "mnist";
  return o;
}

LoaderOptions eval_loader_options(const std::string& dataset_name, int64_t batch_size, torch::Device device) {
  LoaderOptions o = train_loader_options(dataset_name, batch_size, device);
  o.shuffle = false;
  o.drop_last = false;
  o.shift_px = 0;
  o.horizontal_flip = false;
  return o;
}

LoaderOptions unpaired_loader_options(int64_t batch_size, int64_t image_size_px, torch::Device device) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.device = device;
  o.image_size_px = image_size_px;
  o.horizontal_flip = true;
  o.normalization = {{0.5}, {0.5}};
  return o;
}

DeviceEpochLoader::DeviceEpochLoader(const Dataset& split, LoaderOptions options)
    : name_(split.name), options_(std::move(options)) {
  validate_dataset(split, split.name);
  check_options(options_, split, split.name);
  const int64_t n = split.size();
  batches_per_epoch_ =
      options_.drop_last ? n / options_.batch_size : (n + options_.batch_size - 1) / options_.batch_size;
  check(batches_per_epoch_ > 0,
        split.name + ": batch size: expected at most the split's " + std::to_string(n) +
            " samples when dropping the last partial batch, found " + std::to_string(options_.batch_size));
  images_ = split.images.to(options_.device).contiguous();
  labels_ = split.labels.to(options_.device);
  std::tie(norm_offset_, norm_scale_) = normalisation_tensors(options_, images_.size(1));
}

Batch DeviceEpochLoader::next() {
  const int64_t n = labels_.size(0);
  if (need_permutation_) {
    const auto long_opts = torch::TensorOptions().dtype(torch::kInt64).device(options_.device);
    permutation_ = options_.shuffle ? torch::randperm(n, optional_generator(options_.generator), long_opts)
                                    : torch::arange(n, long_opts);
    batch_in_epoch_ = 0;
    need_permutation_ = false;
  }
  const int64_t start = batch_in_epoch_ * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, n - start);
  Batch batch = make_batch(images_, labels_, permutation_.narrow(0, start, count), options_, norm_offset_,
                           norm_scale_, /*augment=*/true);
  samples_seen_ += count;
  if (++batch_in_epoch_ == batches_per_epoch_) {
    ++completed_epochs_;
    need_permutation_ = true;
  }
  return batch;
}

std::string DeviceEpochLoader::describe() const {
  return name_ + ": " + std::to_string(num_samples()) + " images " + shape_text(images_) + " on " +
         options_.device.str() + ", batch " + std::to_string(options_.batch_size) + " (" +
         std::to_string(batches_per_epoch_) + " per epoch" +
         (options_.drop_last ? ", last partial dropped" : "") +
         (options_.shuffle ? ", shuffled" : ", in order") + ")" + options_text(options_);
}

EvalBatches::EvalBatches(const Dataset& split, LoaderOptions options) : options_(std::move(options)) {
  validate_dataset(split, split.name);
  check_options(options_, split, split.name);
  images_ = split.images.to(options_.device).contiguous();
  labels_ = split.labels.to(options_.device);
  std::tie(norm_offset_, norm_scale_) = normalisation_tensors(options_, images_.size(1));
}

int64_t EvalBatches::num_batches() const {
  return (num_samples() + options_.batch_size - 1) / options_.batch_size;
}

Batch EvalBatches::batch(int64_t index) const {
  check(index >= 0 && index < num_batches(), "evaluation batch index: expected 0.." +
                                                 std::to_string(num_batches() - 1) + ", found " +
                                                 std::to_string(index));
  const int64_t start = index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, num_samples() - start);
  const torch::Tensor range = torch::arange(
      start, start + count, torch::TensorOptions().dtype(torch::kInt64).device(options_.device));
  return make_batch(images_, labels_, range, options_, norm_offset_, norm_scale_, /*augment=*/false);
}

UnpairedEpochLoader::UnpairedEpochLoader(const Dataset& domain_a, const Dataset& domain_b,
                                         LoaderOptions options)
    : a_(domain_a, options), b_(domain_b, options) {
  check(domain_a.images.sizes().slice(1) == domain_b.images.sizes().slice(1),
        domain_b.name + ": image shape: expected " + shape_text(domain_a.images) + " like " + domain_a.name +
            ", found " + shape_text(domain_b.images));
}

Batch UnpairedEpochLoader::next() {
  Batch a = a_.next();
  Batch b = b_.next();
  ++steps_;
  return Batch{a.input, b.input};
}

std::string UnpairedEpochLoader::describe() const {
  return "unpaired A = " + a_.describe() + "; B = " + b_.describe();
}

}  // namespace effbench
