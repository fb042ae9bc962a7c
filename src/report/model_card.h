#pragma once
// The `co2_eq_emissions` block of a Hugging Face model card's YAML metadata
// (huggingface.co/docs/hub/model-cards-co2), from a training run
// (`effbench results export ID --model-card`). A printer: the energy is the
// record's counted_energy(), the CO2e is derive_energy()'s.

// Note [Model card emissions]
// - One training case, one model: the block describes the training of one
//   model on one device (a run that trained several needs --model/--device
//   to pick one). Its energy is the case's counted energy (Note [Which
//   energy counts]) over the whole training, evaluations included.
// - emissions = energy in kWh x the grid's gCO2e/kWh, in grams, as the
//   card's schema asks. The grid intensity is the reader's assumption,
//   never stored with a run, so the user gives it; nothing is defaulted.
// - source keeps the energy's label: "energy measured by <sensors>" or
//   "energy estimated from CPU TDP (not measured)", with the energy and
//   emissions intervals, the grid intensity, effbench's version that ran it
//   and the run id, so the figure can be traced back.
// - training_type is "pre-training": effbench trains from randomly
//   initialised weights.

#include <optional>
#include <string>

#include "results/record.h"

namespace effbench {

/// What the user adds to the run for its model card.
struct ModelCardSettings {
  double grid_g_per_kwh = 0;          // gCO2e per kWh drawn from the grid (required)
  std::string location;               // geographical_location (optional; left out when empty)
  std::optional<std::string> model;   // the training case's model, when the run has several (optional)
  std::optional<std::string> device;  // the training case's device ("cpu", "cuda:0") (optional)
  std::string grid_flag = "--grid-g-per-kwh";  // named in messages
};

/// The training case of `run` that the card describes (Note [Model card
/// emissions]): the one case with an accuracy result matching settings.model
/// and settings.device. Throws effbench::Error naming the run id when there
/// is none, or several and nothing picks one.
const CaseRecord& model_card_case(const RunRecord& run, const ModelCardSettings& settings);

/// The YAML block "co2_eq_emissions:\n  emissions: ...\n" (two-space
/// indents, strings double-quoted and escaped), ending in "\n". Throws
/// effbench::Error naming the run id when the case has no counted energy,
/// and naming settings.grid_flag when the grid intensity is negative or not
/// finite.
std::string model_card_co2_yaml(const RunRecord& run, const ModelCardSettings& settings);

/// `text` as a YAML double-quoted scalar: backslash, double quote and
/// control characters escaped.
std::string yaml_quoted(const std::string& text);

}  // namespace effbench
