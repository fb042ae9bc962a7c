#include "analysis/projection.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"

namespace effbench {
namespace {

double bytes_per_element(const std::string& precision) {
  const std::string p = normalize_precision(precision);
  return (p == "fp16" || p == "bf16") ? 2.0 : 4.0;
}

// The roofline attainable rate in TFLOP/s (Note [Roofline projection]);
// bandwidth in GB/s, intensity in FLOP/byte: I * W = FLOP/s * 1e9.
double roofline_tflops(double peak_tflops, std::optional<double> bandwidth_gb_s, double intensity,
                       std::string* bound_by) {
  if (!bandwidth_gb_s) {
    if (bound_by) *bound_by = "compute";
    return peak_tflops;
  }
  const double memory_roof_tflops = intensity * *bandwidth_gb_s / 1e3;
  if (bound_by) *bound_by = memory_roof_tflops < peak_tflops ? "memory bandwidth" : "compute";
  return std::min(peak_tflops, memory_roof_tflops);
}

// The precision whose peak a target is projected at, with the reason when it
// differs from the case's (empty result: no peak at all).
std::string target_precision(const HardwareSpec& t, const std::string& case_precision, std::string* note) {
  const std::string p = normalize_precision(case_precision);
  if (peak_tflops(t, p)) return p;
  const std::vector<std::string> fallbacks =
      t.kind == "tpu" ? std::vector<std::string>{"bf16"}
                      : (p == "bf16" ? std::vector<std::string>{"fp16"} : std::vector<std::string>{});
  for (const std::string& f : fallbacks) {
    if (peak_tflops(t, f)) {
      *note = t.kind == "tpu"
                  ? "projected at the bf16 peak: TPU matrix units compute in bf16 (XLA's default precision "
                    "for " +
                        p + " matmuls)"
                  : "projected at the fp16 peak: " + t.name + " has no bf16 support";
      return f;
    }
  }
  return "";
}

void set_power(const HardwareSpec& t, TargetProjection& out) {
  if (t.typical_power_w) {
    out.power_w = t.typical_power_w;
    out.power_basis = "typical power";
  } else if (t.peak_power_w) {
    out.power_w = t.peak_power_w;
    out.power_basis = "TDP (upper bound on the draw)";
  } else {
    out.power_basis = "no published power figure";
  }
}

void set_energy(double time_s, bool at_bound, const ProjectionOptions& options, const HardwareSpec& t,
                TargetProjection& out) {
  if (out.power_w) {
    out.energy_j = *out.power_w * time_s;
    out.energy_at_bound = at_bound;
    out.energy_derived = derive_energy(*out.energy_j, options.energy);
  }
  if (t.price_usd_per_hour) out.rental_cost_usd = *t.price_usd_per_hour * time_s / 3600.0;
}

std::string n(double v) { return format_number(v); }

double input_elements(const CaseRecord& c) {
  double elements = c.input_shape.empty() ? 0 : 1;
  for (int64_t d : c.input_shape) elements *= static_cast<double>(d);
  return elements;
}

// One input sample as a tensor at the case's precision.
double input_bytes_per_sample(const CaseRecord& c) {
  return input_elements(c) * bytes_per_element(to_string(c.precision));
}

}  // namespace

double estimate_bytes_per_sample(const CaseRecord& c, std::string* basis) {
  const double elements = input_elements(c);
  const double element_bytes = bytes_per_element(to_string(c.precision));
  const double input_bytes = input_bytes_per_sample(c);
  const bool train = c.mode == Mode::kTrain;
  const double passes = train ? 4 : 1;  // Note [Bytes per sample]
  const double batch = static_cast<double>(std::max<int64_t>(c.batch, 1));
  const double weight_bytes = passes * static_cast<double>(c.params) * element_bytes / batch;
  if (basis) {
    *basis = "estimate: input " + n(elements) + " x " + n(element_bytes) + " B + " + n(passes) + " x " +
             std::to_string(c.params) + " params x " + n(element_bytes) + " B / batch " +
             std::to_string(static_cast<int64_t>(batch)) + "; activations not counted (lower bound)";
  }
  return input_bytes + weight_bytes;
}

Projection project_case(const CaseRecord& c, const std::vector<HardwareSpec>& targets,
                        const std::vector<HardwareSpec>& catalog, const ProjectionOptions& options) {
  const std::string what = "case " + c.model + " " + to_string(c.mode) + " on " + c.device.str();
  check(c.status == CaseStatus::kOk,
        what + " has status '" + to_string(c.status) + "'; project a case that ran successfully");
  check(c.throughput && c.throughput->median > 0,
        what + " has no measured throughput; project a case with timed windows");
  const double step_flops = c.step_flops_per_sample > 0
                                ? c.step_flops_per_sample
                                : (c.mode == Mode::kTrain ? 3.0 * c.flops_per_sample : c.flops_per_sample);
  check(step_flops > 0, what + " has no FLOPs per sample (step_flops_per_sample = " +
                            n(c.step_flops_per_sample) + "); the model's FLOP count is needed to project");
  check(options.samples > 0,
        "--samples " + std::to_string(options.samples) + " is not positive; give e.g. 50000");
  check(!options.epochs || *options.epochs > 0,
        "--epochs " + std::to_string(options.epochs.value_or(0)) + " is not positive; give 1 or more");
  check(!options.bytes_per_sample || *options.bytes_per_sample > 0,
        "--bytes-per-sample " + n(options.bytes_per_sample.value_or(0)) + " is not positive");
  check(!options.efficiency || (*options.efficiency > 0 && *options.efficiency <= 1),
        "--efficiency " + n(options.efficiency.value_or(0)) + " is outside (0, 1]; give e.g. 0.4");
  validate(options.energy);

  Projection out;
  MeasuredBasis& m = out.measured;
  m.model = c.model;
  m.mode = to_string(c.mode);
  m.device = c.device.str();
  m.device_name = c.device_name;
  m.precision = to_string(c.precision);  // the catalog's precision names include the vocabulary's
  m.batch = c.batch;
  m.throughput_samples_per_s = c.throughput->median;
  m.step_flops_per_sample = step_flops;
  if (options.bytes_per_sample) {
    m.bytes_per_sample = *options.bytes_per_sample;
    m.bytes_basis = "given (--bytes-per-sample)";
  } else {
    m.bytes_per_sample = estimate_bytes_per_sample(c, &m.bytes_basis);
    check(m.bytes_per_sample > 0, what +
                                      " has no input shape or parameter count to estimate bytes per sample; "
                                      "give --bytes-per-sample");
  }
  m.arithmetic_intensity = step_flops / m.bytes_per_sample;
  m.achieved_tflops = step_flops * m.throughput_samples_per_s / 1e12;
  m.samples = options.samples;
  m.epochs =
      options.epochs ? *options.epochs : (c.accuracy && c.accuracy->epochs > 0 ? c.accuracy->epochs : 1);
  const double total_samples = static_cast<double>(m.samples) * static_cast<double>(m.epochs);
  m.time_s = total_samples / m.throughput_samples_per_s;

  const HardwareSpec* measured_spec = options.measured_as.empty()
                                          ? match_device(catalog, c.device_name)
                                          : &require_hardware(catalog, options.measured_as);
  if (measured_spec) {
    m.catalog_id = measured_spec->id;
    m.peak_tflops = peak_tflops(*measured_spec, to_string(c.precision));
    if (m.peak_tflops) {
      m.roofline_tflops = roofline_tflops(*m.peak_tflops, measured_spec->memory_bandwidth_gb_s,
                                          m.arithmetic_intensity, nullptr);
    }
    if (measured_spec->price_usd_per_hour)
      m.rental_cost_usd = *measured_spec->price_usd_per_hour * m.time_s / 3600;
  }
  if (options.efficiency) {
    m.efficiency = options.efficiency;
    m.efficiency_basis = "given (--efficiency)";
  } else if (m.roofline_tflops) {
    const double e = m.achieved_tflops / *m.roofline_tflops;
    m.efficiency = std::min(1.0, e);
    m.efficiency_basis = "measured: achieved " + n(m.achieved_tflops) + " / roofline " +
                         n(*m.roofline_tflops) + " TFLOP/s on " + measured_spec->id;
    if (e > 1) {
      m.efficiency_basis += " = " + n(e) +
                            ", capped at 1 (see Note [fp32 on tensor-core GPUs]: cuDNN may have "
                            "used TF32 or the FLOP count is high)";
    }
  } else {
    m.efficiency_basis = measured_spec == nullptr
                             ? "unavailable: '" + c.device_name +
                                   "' is not in the hardware catalog (give "
                                   "--measured-as ID or --efficiency)"
                             : "unavailable: the catalog has no " + m.precision + " peak for " +
                                   measured_spec->id +
                                   " (give --efficiency); only roofline bounds are projected";
  }

  if (c.memory.cuda_peak_allocated_bytes && c.device.is_cuda()) {
    m.peak_memory_bytes = static_cast<double>(*c.memory.cuda_peak_allocated_bytes);
    m.memory_field = "cuda_peak_allocated_bytes";
  } else if (c.memory.peak_rss_bytes) {
    m.peak_memory_bytes = static_cast<double>(*c.memory.peak_rss_bytes);
    m.memory_field = "peak_rss_bytes";
  }

  const double measured_joules = measured_total_joules(c.energy);
  const double measured_samples = static_cast<double>(c.timed_iterations) * static_cast<double>(c.batch);
  if (measured_joules > 0 && measured_samples > 0) {
    m.energy_j = measured_joules / measured_samples * total_samples;
    m.energy_derived = derive_energy(*m.energy_j, options.energy);
  }

  for (const HardwareSpec& t : targets) {
    TargetProjection p;
    p.id = t.id;
    p.name = t.name;
    p.kind = t.kind;
    set_power(t, p);
    if (t.kind == "qpu") {
      p.status = "not applicable";
      p.reason =
          "no mapping of gradient-based training or inference of a classical neural network onto a "
          "gate-based quantum processor exists, and no vendor publishes deep-learning timings; study 3 "
          "itself lists QPUs as experimental";
      p.power_w.reset();
      p.power_basis.clear();
      out.targets.push_back(std::move(p));
      continue;
    }
    if (t.kind == "dpu") {
      // Only the data path: streaming the run's input samples at the line rate.
      p.status = "data movement only";
      const double input_bytes = input_bytes_per_sample(c);
      p.reason = "a DPU offloads networking, storage and data movement and has no hardware to train " +
                 c.model + "; shown: the time to stream the run's input samples (" +
                 format_bytes(input_bytes) + " each) at its line rate";
      if (t.io_bandwidth_gb_s && input_bytes > 0) {
        p.time_s = total_samples * input_bytes / (*t.io_bandwidth_gb_s * 1e9);
        p.epoch_time_s = *p.time_s / static_cast<double>(m.epochs);
        p.throughput_samples_per_s = *t.io_bandwidth_gb_s * 1e9 / input_bytes;
        set_energy(*p.time_s, false, options, t, p);
      } else {
        p.notes.push_back("no line rate or input size known; nothing projected");
      }
      out.targets.push_back(std::move(p));
      continue;
    }
    if (m.peak_memory_bytes && t.memory_gb) {
      const double capacity_bytes = *t.memory_gb * 1e9;
      if (*m.peak_memory_bytes > capacity_bytes) {
        p.status = "does not fit";
        p.reason = "the case used " + format_bytes(*m.peak_memory_bytes) + " (" + m.memory_field + ") but " +
                   t.name + " has " + n(*t.memory_gb) + " GB; a smaller batch or model sharding is needed";
        out.targets.push_back(std::move(p));
        continue;
      }
    }
    std::string precision_note;
    p.precision = target_precision(t, to_string(c.precision), &precision_note);
    if (!precision_note.empty()) p.notes.push_back(precision_note);
    if (p.precision.empty()) {
      p.status = "no peak figure";
      p.reason = "the catalog has no published " + m.precision + " peak for " + t.name +
                 "; measure it there with effbench run";
      out.targets.push_back(std::move(p));
      continue;
    }
    p.status = "projected";
    p.peak_tflops = peak_tflops(t, p.precision);
    p.roofline_tflops =
        roofline_tflops(*p.peak_tflops, t.memory_bandwidth_gb_s, m.arithmetic_intensity, &p.bound_by);
    p.bound_time_s = total_samples * step_flops / (*p.roofline_tflops * 1e12);
    if (m.efficiency) {
      p.efficiency = m.efficiency;
      const double achieved_tflops = *m.efficiency * *p.roofline_tflops;
      p.throughput_samples_per_s = achieved_tflops * 1e12 / step_flops;
      p.epoch_time_s = static_cast<double>(m.samples) / *p.throughput_samples_per_s;
      p.time_s = total_samples / *p.throughput_samples_per_s;
      set_energy(*p.time_s, false, options, t, p);
    } else {
      p.notes.push_back("no efficiency to transfer: time and energy are roofline lower bounds");
      set_energy(*p.bound_time_s, true, options, t, p);
    }
    if (!m.peak_memory_bytes)
      p.notes.push_back("memory not measured: fit not checked");
    else if (!t.memory_gb)
      p.notes.push_back("capacity depends on the host: fit not checked");
    out.targets.push_back(std::move(p));
  }

  out.assumptions = {
      "time: roofline with efficiency transfer (Note [Roofline projection]): the target reaches the same "
      "fraction "
      "of its attainable rate min(peak, intensity x bandwidth) as the measured case did on its device",
      "peaks are dense datasheet figures at the case's precision (data/hardware_catalog.csv); real kernels, "
      "clocks under power caps and data loading can be slower",
      "bytes per sample: " + m.bytes_basis,
      "energy: E = P x T with the target's typical power, else its TDP; host CPU, memory and cooling are not "
      "included",
      "CO2e: " + n(options.energy.grid_intensity_g_per_kwh) + " gCO2e/kWh x PUE " + n(options.energy.pue) +
          " (default: world average 2023, Ember Global Electricity Review 2024)",
      "rental cost: public on-demand list price per device-hour where the catalog has one",
      "memory: the measured peak (CUDA peak allocated, else peak RSS) must fit in the target's capacity "
      "(vendor GB as 10^9 bytes); precision changes would shrink it and are ignored",
      "run: " + std::to_string(m.samples) + " samples per epoch x " + std::to_string(m.epochs) + " epoch(s)",
  };
  return out;
}

}  // namespace effbench
