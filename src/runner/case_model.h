#pragma once
// The model a case measures, built and described in one place for every
// kind of case: throughput, training to a result, data-parallel, and the
// data-parallel single-process baseline.

#include <cstdint>
#include <memory>
#include <string>

#include "core/vocabulary.h"
#include "models/model.h"
#include "results/record.h"

namespace effbench {

// Note [Initial weights]
// A case's initial weights come from --seed alone. LibTorch draws them from
// its one default generator, which every thread of the process shares, so
// the generator is seeded and the model created under one lock: ranks that
// are threads of one process (the data-parallel tests) get the same weights
// as ranks that are processes, and the throughput, training and baseline
// cases of a run start from the same weights for the same model.

/// The studies' configuration of `model` (a name in model_table()), with
/// square inputs of `image_size_px`.
ModelConfig model_config(const std::string& model, int64_t image_size_px);

/// `model` (a name in model_table()) built with `config` and moved to
/// `device`, its initial weights from `seed` (Note [Initial weights]).
/// Thread-safe.
std::unique_ptr<Model> build_model(const std::string& model, const ModelConfig& config, const Device& device,
                                   int64_t seed);

/// What a case record says of its model: parameter count, forward FLOPs per
/// sample, FLOPs per sample of the step timed in `mode`, input shape.
void describe_model(Model& model, Mode mode, CaseRecord& record);

}  // namespace effbench
