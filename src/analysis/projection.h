#pragma once
// Projection of a measured case onto hardware that is not present: time per
// epoch, energy E = P x T, CO2e and rental cost on each target of the
// hardware catalog. Every figure here is "projected"; the measured case it
// comes from is carried beside it and never mixed with it.
//
// Note [Roofline projection]
// A training step costs F FLOPs and moves B bytes per sample (arithmetic
// intensity I = F / B). On a device with peak P (FLOP/s at the case's
// precision) and memory bandwidth W (bytes/s) the roofline attainable rate is
//     R = min(P, I * W),
// so no run can take less than F / R seconds per sample: the "bound".
// The measured case achieved A = F * throughput on its own device, an
// efficiency e = A / R_measured of what that device's roofline allows.
// Efficiency transfer assumes the same model reaches the same fraction of
// the target's roofline: A_target = e * R_target, and
//     time per epoch = samples * F / A_target.
// Energy is E = P_board * T with the target's typical board power where
// published, else its TDP (an upper bound on the draw), as in study 3.
// What this leaves out is listed in Projection::assumptions and printed.
//
// Note [Bytes per sample]
// The bytes a step moves are not measured. The estimate counts the input
// sample (elements x bytes of the precision) plus the weight traffic shared
// by the batch: training reads the weights in the forward and backward pass,
// writes the gradients and has the optimiser read and write each parameter
// once more (4 passes over the parameters); inference reads them once.
// Activations are not counted, so B is a lower bound and the memory roof is
// optimistic. --bytes-per-sample replaces the estimate.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/energy_derived.h"
#include "results/record.h"

namespace effbench {

struct ProjectionOptions {
  int64_t samples = 50000;                 // samples per epoch
  std::optional<int64_t> epochs;           // default: the case's accuracy epochs, else 1
  std::optional<double> bytes_per_sample;  // replaces the estimate (Note [Bytes per sample])
  std::optional<double> efficiency;        // replaces the measured efficiency, in (0, 1]
  std::string measured_as;                 // catalog id of the measured device (optional; else by name)
  EnergyDerivedSettings energy;            // grid intensity and PUE for CO2e
};

/// What the projection starts from: the measured case and what it achieved.
struct MeasuredBasis {
  std::string model;
  std::string mode;
  std::string device;
  std::string device_name;
  std::string precision;
  int64_t batch = 0;
  double throughput_samples_per_s = 0;  // median over windows
  double step_flops_per_sample = 0;
  double bytes_per_sample = 0;
  std::string bytes_basis;          // "estimate: ..." or "given"
  double arithmetic_intensity = 0;  // FLOP per byte
  double achieved_tflops = 0;
  std::string catalog_id;             // empty when the device is not in the catalog
  std::optional<double> peak_tflops;  // measured device at the case's precision
  std::optional<double> roofline_tflops;
  std::optional<double> efficiency;  // achieved / roofline, at most 1
  std::string efficiency_basis;      // how efficiency was obtained, or why it is absent
  std::optional<double> peak_memory_bytes;
  std::string memory_field;
  int64_t samples = 0;  // per epoch
  int64_t epochs = 1;
  double time_s = 0;               // samples * epochs / throughput (measured rate)
  std::optional<double> energy_j;  // measured J per sample * samples * epochs
  std::optional<EnergyDerived> energy_derived;
  std::optional<double> rental_cost_usd;  // when the catalog has a price for it
};

/// One target's projection. `status` says what kind of answer it is.
struct TargetProjection {
  std::string id;
  std::string name;
  std::string kind;
  /// "projected" | "data movement only" (DPU) | "not applicable" (QPU) |
  /// "does not fit" | "no peak figure"
  std::string status;
  std::string reason;     // for every status but "projected"
  std::string precision;  // precision whose peak was used
  std::optional<double> peak_tflops;
  std::optional<double> roofline_tflops;
  std::string bound_by;              // "compute" | "memory bandwidth"
  std::optional<double> efficiency;  // transferred efficiency used
  std::optional<double> throughput_samples_per_s;
  std::optional<double> epoch_time_s;
  std::optional<double> time_s;        // all epochs; absent when no efficiency could be transferred
  std::optional<double> bound_time_s;  // roofline lower bound for all epochs
  std::optional<double> power_w;
  std::string power_basis;         // "typical board power" | "TDP (upper bound)" | ...
  std::optional<double> energy_j;  // power * time (power * bound time when time is absent)
  bool energy_at_bound = false;    // energy_j uses bound_time_s
  std::optional<EnergyDerived> energy_derived;
  std::optional<double> rental_cost_usd;
  std::vector<std::string> notes;
};

struct Projection {
  MeasuredBasis measured;
  std::vector<TargetProjection> targets;
  std::vector<std::string> assumptions;  // printed with every projection
};

/// Estimated bytes moved per sample of `c`'s step (Note [Bytes per sample]),
/// with a one-line description of the formula in `basis`.
double estimate_bytes_per_sample(const CaseRecord& c, std::string* basis = nullptr);

/// Projects the measured case `c` onto each of `targets` (Note [Roofline
/// projection]). `catalog` is searched for the measured device (by
/// options.measured_as, else by c.device_name). Throws effbench::Error when
/// the case failed, has no throughput or no step FLOPs, or an option is out
/// of range.
Projection project_case(const CaseRecord& c, const std::vector<HardwareSpec>& targets,
                        const std::vector<HardwareSpec>& catalog, const ProjectionOptions& options = {});

}  // namespace effbench
