#include "core/error.h"
#include "models/model.h"

namespace effbench {

const std::vector<ModelEntry>& model_table() {
  // Adding a model: one file with its factory, one line here.
  static const std::vector<ModelEntry> table = {
      {"conv6",
       "Conv6 (lottery-ticket): 6 convs + FC 256-256",
       ModelTask::kClassification,
       {3, 32, 10},
       make_conv6},
      {"vgg16", "VGG16-BN, CIFAR classifier", ModelTask::kClassification, {3, 32, 10}, make_vgg16},
      {"resnet18", "ResNet18, CIFAR variant", ModelTask::kClassification, {3, 32, 10}, make_resnet18},
      {"cyclegan",
       "CycleGAN: 2 ResNet-9 generators + 2 PatchGAN discriminators",
       ModelTask::kImageTranslation,
       {3, 256, 0},
       make_cyclegan},
  };
  return table;
}

std::string model_names() {
  std::string names;
  for (const auto& entry : model_table()) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

const ModelEntry& find_model(const std::string& name) {
  for (const auto& entry : model_table()) {
    if (entry.name == name) return entry;
  }
  throw Error("--model: unknown model '" + name + "'; valid models: " + model_names());
}

}  // namespace effbench
