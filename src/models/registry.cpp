#include <deque>
#include <mutex>
#include <utility>

#include "core/error.h"
#include "models/model.h"
#include "models/torchscript_model.h"

namespace effbench {

const std::vector<ModelEntry>& model_table() {
  // Adding a model: one file with its factory, one line here.
  static const std::vector<ModelEntry> table = {
      {"conv6",
       "Conv6 (lottery-ticket): 6 convs + FC 256-256",
       ModelTask::kClassification,
       {3, 32, 10, {}},
       make_conv6},
      {"vgg16", "VGG16-BN, CIFAR classifier", ModelTask::kClassification, {3, 32, 10, {}}, make_vgg16},
      {"resnet18", "ResNet18, CIFAR variant", ModelTask::kClassification, {3, 32, 10, {}}, make_resnet18},
      {"cyclegan",
       "CycleGAN: 2 ResNet-9 generators + 2 PatchGAN discriminators",
       ModelTask::kImageTranslation,
       {3, 256, 0, {}},
       make_cyclegan},
  };
  return table;
}

std::string model_names() {
  std::string names;
  for (const auto& entry : model_table()) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

namespace {

// The TorchScript files added in this process; a deque keeps references valid.
struct TorchScriptModels {
  std::mutex lock;
  std::deque<std::pair<TorchScriptSpec, ModelEntry>> added;
};

TorchScriptModels& torchscript_models() {
  static TorchScriptModels models;
  return models;
}

}  // namespace

const ModelEntry& find_model(const std::string& name) {
  for (const auto& entry : model_table()) {
    if (entry.name == name) return entry;
  }
  TorchScriptModels& scripts = torchscript_models();
  {
    const std::lock_guard<std::mutex> guard(scripts.lock);
    for (const auto& [spec, entry] : scripts.added) {
      if (entry.name == name) return entry;
    }
  }
  throw Error("--model: unknown model '" + name + "'; valid models: " + model_names() +
              ", or a TorchScript file with --input (no file of that name exists)");
}

const ModelEntry& add_torchscript_model(const TorchScriptSpec& spec) {
  TorchScriptModels& scripts = torchscript_models();
  {
    const std::lock_guard<std::mutex> guard(scripts.lock);
    for (const auto& [added, entry] : scripts.added) {
      if (added.path != spec.path) continue;
      check(added.sample_shape == spec.sample_shape && added.classes == spec.classes,
            "--model " + spec.path + ": already added with another --input or --classes");
      return entry;
    }
  }
  ModelEntry entry = make_torchscript_entry(spec);  // loads the file: outside the lock
  const std::lock_guard<std::mutex> guard(scripts.lock);
  scripts.added.emplace_back(spec, std::move(entry));
  return scripts.added.back().second;
}

}  // namespace effbench
