#pragma once
// The hardware catalog: published peak figures of CPUs, GPUs, TPUs, DPUs and
// QPUs (data/hardware_catalog.csv, every row with its source), used to turn
// measured throughput into model-FLOPs utilisation and to project a measured
// case onto hardware that is not present. Sources: docs/data_sources.md.
//
// Note [Dense peaks]
// Vendors often print tensor-core figures "with sparsity" (2:4 structured
// sparsity, twice the dense rate). Training does not use it, so the catalog
// keeps dense figures only, halving where the datasheet gives sparse ones
// (the row's notes say so). A cell is empty when no public figure was found;
// CPU vendors publish no peak FLOP/s, so CPU peaks are empty.
//
// Note [fp32 on tensor-core GPUs]
// The fp32 column is the CUDA-core (non-tensor) rate. PyTorch runs fp32
// matmuls on CUDA cores by default (torch.backends.cuda.matmul.allow_tf32 is
// off since 1.12) but lets cuDNN use TF32 for convolutions by default on
// Ampere and later. A convolutional network measured in "fp32" on an A100 or
// H100 can therefore show a utilisation above 1 against the fp32 peak; the
// tf32 peak is the fairer denominator there.

#include <optional>
#include <string>
#include <vector>

#include "analysis/trend.h"

namespace effbench {

/// One device of the catalog; absent values had no public figure.
struct HardwareSpec {
  std::string id;    // "h100-sxm": what --to takes
  std::string name;  // "NVIDIA H100 SXM5 80GB"
  std::string kind;  // cpu | gpu | tpu | dpu | qpu
  std::string vendor;
  std::vector<std::string>
      match;  // names as drivers report them (Note [Device name matching] in catalog.cpp)
  std::optional<double> fp32_tflops;  // dense peaks, 10^12 FLOP/s (Note [Dense peaks])
  std::optional<double> tf32_tflops;
  std::optional<double> bf16_tflops;
  std::optional<double> fp16_tflops;
  std::optional<double> memory_gb;              // vendor-stated capacity
  std::optional<double> memory_bandwidth_gb_s;  // 10^9 bytes/s
  std::optional<double> io_bandwidth_gb_s;      // network/host line rate (DPUs)
  std::optional<double> typical_power_w;
  std::optional<double> peak_power_w;        // TDP / maximum board power
  std::optional<double> price_usd_per_hour;  // public on-demand list price
  std::optional<int> release_year;
  std::string source;  // never empty
  std::string notes;
};

/// Folder of the shipped data files: $EFFBENCH_DATA_DIR when set, else the
/// data/ folder of the source tree effbench was built from.
std::string data_dir();

/// The shipped catalog's path: data_dir() + "/hardware_catalog.csv".
std::string default_catalog_path();

/// Validates and converts a catalog table: required columns, unique ids,
/// kind in {cpu, gpu, tpu, dpu, qpu}, numbers empty or positive, a source on
/// every row. Throws effbench::Error naming file, line, column and value.
std::vector<HardwareSpec> parse_catalog(const CsvTable& table);

/// read_csv_file + parse_catalog.
std::vector<HardwareSpec> load_catalog(const std::string& path);

/// The shipped catalog, loaded once (thread-safe). Throws effbench::Error
/// when the file is missing or malformed (the message names the path and
/// $EFFBENCH_DATA_DIR).
const std::vector<HardwareSpec>& default_catalog();

/// The row whose id, name or one of whose match names equals `id_or_name`
/// (case-insensitive); nullptr when none does.
const HardwareSpec* find_hardware(const std::vector<HardwareSpec>& catalog, const std::string& id_or_name);

/// find_hardware or effbench::Error listing the known ids.
const HardwareSpec& require_hardware(const std::vector<HardwareSpec>& catalog, const std::string& id_or_name);

/// The row a driver-reported device name belongs to ("NVIDIA H100 80GB HBM3",
/// "Tesla T4", "AMD EPYC 9654 96-Core Processor"); nullptr when none matches.
const HardwareSpec* match_device(const std::vector<HardwareSpec>& catalog, const std::string& device_name);

/// "fp32" | "tf32" | "bf16" | "fp16" for a precision name (float32, float,
/// half, float16, bfloat16, amp = fp16 autocast, ...); empty when unknown.
std::string normalize_precision(const std::string& precision);

/// The row's dense peak at `precision` in TFLOP/s; absent when the catalog
/// has no figure or the precision is unknown.
std::optional<double> peak_tflops(const HardwareSpec& spec, const std::string& precision);

/// Dense peak TFLOP/s of the device named `device_name` (a GPU name or CPU
/// model string as recorded in CaseRecord::device_name) at `precision`, from
/// the shipped catalog. Absent when the device is not in the catalog, has no
/// figure at that precision (CPUs), the precision is unknown, or the catalog
/// cannot be read. Never throws; thread-safe.
std::optional<double> peak_tflops(const std::string& device_name, const std::string& precision);

}  // namespace effbench
