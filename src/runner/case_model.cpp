#include "runner/case_model.h"

#include <torch/torch.h>

#include <mutex>

#include "runner/torch_device.h"

namespace effbench {

ModelConfig model_config(const std::string& model, int64_t image_size_px) {
  ModelConfig config = find_model(model).default_config;
  config.image_size = image_size_px;
  return config;
}

std::unique_ptr<Model> build_model(const std::string& model, const ModelConfig& config, const Device& device,
                                   int64_t seed) {
  const ModelEntry& entry = find_model(model);
  std::unique_ptr<Model> built;
  {
    static std::mutex creating;  // Note [Initial weights]
    const std::lock_guard<std::mutex> lock(creating);
    torch::manual_seed(static_cast<uint64_t>(seed));
    built = entry.create(config);
  }
  built->to(torch_device(device));
  return built;
}

void describe_model(Model& model, Mode mode, CaseRecord& record) {
  const ModelConfig& config = model.config();
  record.params = model.parameter_count();
  record.flops_per_sample = model.forward_flops_per_sample();
  record.step_flops_per_sample =
      mode == Mode::kTrain ? model.train_flops_per_sample() : model.forward_flops_per_sample();
  record.input_shape = sample_shape(config);
  if (const std::optional<ModelSource> source = model.source()) {
    record.model_file = ModelFile{source->path, source->sha256};
  }
  for (const auto& note : model.notes()) record.notes.push_back(note);
}

}  // namespace effbench
