#pragma once
// A torch-free view of the model table for listings.

#include <cstdint>
#include <string>
#include <vector>

namespace effbench {

struct ModelDescription {
  std::string name;
  std::string summary;
  int64_t params = 0;
  double forward_flops = 0;  // per sample, at the default input
  double train_flops = 0;    // per sample of one training step
  std::string input;         // "3x32x32"
};

/// Builds each model once on the cpu at its default input and describes it.
std::vector<ModelDescription> describe_models();

}  // namespace effbench
