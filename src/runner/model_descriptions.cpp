#include "runner/model_descriptions.h"

#include "models/model.h"
#include "runner/case_model.h"

namespace effbench {

std::vector<ModelDescription> describe_models() {
  std::vector<ModelDescription> out;
  for (const auto& entry : model_table()) {
    auto model = build_model(entry.name, entry.default_config, Device(), 0);
    const auto& c = entry.default_config;
    out.push_back({entry.name, entry.summary, model->parameter_count(), model->forward_flops_per_sample(),
                   model->train_flops_per_sample(),
                   std::to_string(c.in_channels) + "x" + std::to_string(c.image_size) + "x" +
                       std::to_string(c.image_size)});
  }
  return out;
}

}  // namespace effbench
