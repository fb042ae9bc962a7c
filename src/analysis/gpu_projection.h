#pragma once
// What a GPU would buy a user who has none: the speedup over this machine's
// measured CPU throughput, projected from published measurements of real
// GPUs (data/published_gpu_throughput.csv, every row with its source).
// Every figure here is projected, an interval, with its basis. No torch.
//
// Note [Calibrated GPU projection]
// A published row says that model M ran at S samples/s on GPU G at precision
// p (fp32 read as TF32 on GPUs that have it, as frameworks run
// convolutions there). With M's step FLOPs F (2 FLOPs per multiply-add, a training step 3x the
// forward pass, as Note [FLOP counting] counts effbench's own models), the
// row achieved the efficiency e = S x F / peak(G, p) of G's dense peak at p
// (Note [Dense peaks]). A case measured here (model m, F_m step FLOPs) is
// projected onto G at the precision a user would get there (fp32 runs as
// TF32 on tensor-core GPUs, PyTorch's default for convolutions; bf16 and
// fp16 as they are) by transferring the efficiencies of G's rows in the same
// mode (train or infer):
//     throughput = e x peak(G, p_m) / F_m, for e from the lowest to the
//     highest efficiency of those rows,
// which gives the speedup interval over the measured CPU throughput. Rows of
// the same precision family are preferred; with fewer than two rows of G in
// the mode, the rows of the other GPUs in the mode are pooled (the same
// family first), and with none the cell is only the roofline bound (e = 1:
// "at most"). The basis says which. A range of few rows is narrower than
// what it predicts warrants, so the interval is widened by the method's own
// error: low / f and high x f (at most e = 1), f the median factor by which
// leave_one_out_calibration() misses the published rows.
// What this leaves out: the published rows are ImageNet-size networks
// (224x224), whose large kernels keep a GPU busier than effbench's 32x32
// models do; a case whose FLOPs per step lie outside the rows' is marked
// extrapolated ("*" on screen), and either end of its interval may be off.
// Data loading, host-device copies and kernel-launch overheads are in the
// published rows only as far as their setups had them.
// leave_one_out_calibration() predicts every published row from the rows not
// measured like it (another GPU, mode or precision): the error of the method
// across GPUs and precisions, not across model sizes.
// Energy per sample is projected as the GPU's typical board power (else its
// TDP, an upper bound) over the projected throughput, as study 3's E = P x T.

#include <optional>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "results/record.h"

namespace effbench {

/// One published measurement of a GPU's throughput.
struct PublishedThroughput {
  int64_t line = 0;  // in the CSV, for messages
  std::string gpu_id;
  std::string model;
  std::string input;  // "3x224x224"
  Mode mode = Mode::kTrain;
  std::string precision;     // as published: fp32, tf32, amp-fp16, amp-bf16, fp16, int8
  double samples_per_s = 0;  // per GPU
  double forward_gmacs = 0;  // forward multiply-adds per sample, 10^9
  std::string source;
};

/// The shipped table's path: data_dir() + "/published_gpu_throughput.csv".
std::string default_published_throughput_path();

/// Validates and converts the table: required columns, gpu_id in `catalog`
/// (a GPU), mode train|infer, samples/s and GMACs positive, a source on every
/// row. Throws effbench::Error naming the file, line, column and value.
std::vector<PublishedThroughput> parse_published_throughputs(const CsvTable& table,
                                                             const std::vector<HardwareSpec>& catalog);

/// read_csv_file + parse_published_throughputs.
std::vector<PublishedThroughput> load_published_throughputs(const std::string& path,
                                                            const std::vector<HardwareSpec>& catalog);

/// The shipped table against the shipped catalog, loaded once (thread-safe).
/// Throws effbench::Error when it is missing or malformed (the message names
/// the path and $EFFBENCH_DATA_DIR).
const std::vector<PublishedThroughput>& default_published_throughputs();

/// "fp32" | "tf32" | "bf16" | "fp16" for a published precision ("amp-fp16"
/// is fp16 autocast); empty for one the catalog has no peak for (int8).
std::string published_precision_family(const std::string& precision);

/// The precision family a published row ran at on `gpu`: its published
/// family, with "fp32" read as "tf32" on a GPU with a TF32 peak (PyTorch and
/// TensorFlow let convolutions use TF32 there by default; Note [fp32 on
/// tensor-core GPUs]).
std::string effective_precision_family(const PublishedThroughput& row, const HardwareSpec& gpu);

/// The efficiency a published row achieved at its effective precision (Note
/// [Calibrated GPU projection]); absent when its GPU has no peak there (int8).
std::optional<double> published_efficiency(const PublishedThroughput& row, const HardwareSpec& gpu);

/// The efficiencies transferred to one GPU and mode, and where they came from.
struct EfficiencyRange {
  double low = 0, high = 0;                              // fractions of the target precision's peak
  int rows = 0;                                          // published rows used
  bool pooled = false;                                   // rows of every GPU, not only this one
  double lowest_step_flops = 0, highest_step_flops = 0;  // of the rows used, per sample
  std::vector<std::string> models;                       // "resnet50 3x224x224", ...
  std::string basis;  // "2 published training rows of NVIDIA T4 at fp32 (resnet50 3x224x224), ..."
};

/// The range from the rows of `gpu_id` in `mode` (same precision family
/// preferred), else pooled over GPUs; nullopt when no row applies. With
/// `left_out`, that row and every row measured like it (same GPU, mode and
/// precision: near-repeats that would flatter a leave-one-out) are not used.
std::optional<EfficiencyRange> efficiency_range(const std::vector<PublishedThroughput>& rows,
                                                const std::vector<HardwareSpec>& catalog,
                                                const std::string& gpu_id, Mode mode,
                                                const std::string& precision_family,
                                                const PublishedThroughput* left_out = nullptr);

/// The precision a case measured at `precision` runs at on `gpu` (fp32 ->
/// tf32 where the GPU has a TF32 peak), and that peak in TFLOP/s.
struct TargetPrecision {
  std::string family;
  std::optional<double> peak_tflops;
};
TargetPrecision target_precision(Precision precision, const HardwareSpec& gpu);

/// One projected cell: the speedup over the measured case, an interval.
struct ProjectedSpeedup {
  std::string gpu_id;
  std::optional<double> low_x, high_x;  // absent: no peak figure at the precision
  bool bound_only = false;              // no published rows: high_x is the roofline bound
  bool extrapolated = false;            // the case's FLOPs per step lie outside the rows'
  std::string basis;
  std::optional<double> joules_per_sample_low, joules_per_sample_high;  // at the projected throughput
  std::string power_basis;  // "typical board power 70 W" | "TDP 700 W (upper bound)"
};

/// One measured CPU case and its projections.
struct ProjectedSpeedupRow {
  std::string model;
  Mode mode = Mode::kTrain;
  Precision precision = Precision::kFp32;
  Exec exec = Exec::kEager;
  double measured_samples_per_s = 0;
  std::optional<EnergyPerSample> measured_energy;  // here, from the case
  std::vector<ProjectedSpeedup> cells;             // parallel to the table's gpus
};

struct ProjectedSpeedupTable {
  std::vector<const HardwareSpec*> gpus;  // columns, from the catalog
  std::vector<ProjectedSpeedupRow> rows;
};

/// The catalog's GPU `id`; throws effbench::Error naming --project-to when
/// it is unknown or not a GPU.
const HardwareSpec& require_gpu(const std::vector<HardwareSpec>& catalog, const std::string& id);

/// The GPUs a lab would consider: study 1's T4, an L4, an A100 and an H100.
std::vector<std::string> default_projection_gpus();

/// Projects every ok cpu case with throughput and step FLOPs onto
/// `gpu_ids` (Note [Calibrated GPU projection]). Throws effbench::Error
/// naming an id that is not a GPU of `catalog`.
ProjectedSpeedupTable project_gpu_speedups(const std::vector<CaseRecord>& cases,
                                           const std::vector<std::string>& gpu_ids,
                                           const std::vector<HardwareSpec>& catalog,
                                           const std::vector<PublishedThroughput>& published);

/// How well the method predicts what was published: each row predicted from
/// the rows not measured like it (the geometric middle of its interval), by
/// the ratio predicted / published.
struct CalibrationError {
  int rows = 0;                      // rows that could be predicted
  double median_factor = 0;          // median of max(ratio, 1 / ratio)
  double worst_factor = 0;           // largest of them
  double share_inside_interval = 0;  // rows whose published figure lies in the interval
  double share_inside_widened = 0;   // ... in the interval widened by median_factor, as projected
};
CalibrationError leave_one_out_calibration(const std::vector<PublishedThroughput>& rows,
                                           const std::vector<HardwareSpec>& catalog);

}  // namespace effbench
