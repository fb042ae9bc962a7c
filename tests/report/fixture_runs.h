#pragma once
// Constructed runs for the report tests and the browser check: every section
// of the report has data, including a model name that tries to end a script.

#include <cmath>
#include <string>
#include <vector>

#include "results/record.h"

namespace effbench::fixture {

inline constexpr const char* kEvilModel = "evil</script><script>alert(1)</script>";

inline CaseRecord make_case(const std::string& model, const std::string& device, const std::string& mode,
                            double median, bool gpu_energy) {
  CaseRecord c;
  c.model = model;
  c.device = Device::parse(device, "test case");
  c.device_name = device == "cpu" ? "Test CPU 8-core" : "Test GPU 24 GB";
  c.mode = parse_word<Mode>(mode, "test");
  c.batch = mode == "train" ? 64 : 128;
  c.input_shape = {3, 32, 32};
  c.params = 1000000;
  c.flops_per_sample = 1e8;
  c.step_flops_per_sample = mode == "train" ? 3e8 : 1e8;
  ThroughputSummary t;
  // Seven windows spread +-4% around the median.
  for (double f : {0.96, 0.98, 0.99, 1.0, 1.01, 1.03, 1.04}) t.window_samples_per_s.push_back(median * f);
  t.median = median;
  t.min = median * 0.96;
  t.max = median * 1.04;
  t.iqr = median * 0.04;
  t.cv = 0.027;
  c.throughput = t;
  if (mode == "infer")
    c.latency_ms = LatencyMs{1000.0 / median * 4, 1000.0 / median * 5, 1000.0 / median * 7, 500};
  c.timed_s = 10;

  EnergyReading estimate;
  estimate.source = EnergySource::kEstimate;
  estimate.scope = "cpu-package";
  estimate.device = "package-0";
  estimate.available = true;
  estimate.measured = false;
  estimate.duration_s = 10;
  estimate.avg_power_w = 65;
  estimate.joules = 650;
  estimate.joules_per_sample = 650 / (median * 10);
  estimate.formula = "TDP 65 W x 10 s";
  c.energy.push_back(estimate);
  if (gpu_energy) {
    EnergyReading gpu;
    gpu.source = EnergySource::kNvmlEnergyCounter;
    gpu.scope = "gpu-board";
    gpu.device = device;
    gpu.available = true;
    gpu.measured = true;
    gpu.duration_s = 10;
    gpu.avg_power_w = 210;
    gpu.joules = 2100;
    gpu.joules_per_sample = 2100 / (median * 10);
    gpu.sensor_reads = 100;
    gpu.period_s = 0.1;
    c.energy.push_back(gpu);
    PowerTimeline timeline{"nvml", device, {}};
    for (int i = 0; i <= 40; ++i) timeline.points.push_back({i * 0.25, 200 + 15 * std::sin(i / 3.0)});
    c.power_timeline.push_back(timeline);
    c.memory.cuda_peak_allocated_bytes = int64_t{900} << 20;
    c.memory.cuda_peak_reserved_bytes = int64_t{1200} << 20;
  } else {
    EnergyReading rapl;
    rapl.source = EnergySource::kRapl;
    rapl.scope = "cpu-package";
    rapl.available = false;
    rapl.unavailable_reason = "/sys/class/powercap not readable (run as root)";
    c.energy.push_back(rapl);
  }
  c.memory.peak_rss_bytes = int64_t{1500} << 20;
  return c;
}

inline RunRecord make_run(const std::string& run_id = "20261122T100000-labhost-a1b2c3") {
  RunRecord run;
  run.run_id = run_id;
  run.started_at = "2026-11-22T10:00:00Z";
  run.finished_at = "2026-11-22T10:20:00Z";
  run.status = RunStatus::kComplete;
  SystemInfo& s = run.system;
  s.hostname = "labhost";
  s.cpu_model = "Test CPU 8-core @ 3.0GHz";
  s.logical_cores = 16;
  s.physical_cores = 8;
  s.memory_bytes = int64_t{64} << 30;
  s.os = "Debian GNU/Linux 12 (bookworm)";
  s.kernel = "6.1.0";
  s.compiler = "GCC 12.2.0";
  s.build_type = "Release";
  s.effbench_version = "0.1.0";
  s.torch_version = "2.3.0";
  s.torch_cuda = true;
  s.cuda_version = "12.1";
  s.cudnn_version = "8.9";
  s.gpu_driver_version = "550.54";
  s.gpus.push_back(GpuInfo{0, "Test GPU 24 GB", "GPU-0000", int64_t{24} << 30, "8.9"});
  run.settings.repeats = 7;
  run.settings.min_time_s = 1;
  run.settings.warmup_s = 2;
  run.settings.seed = 1;
  run.settings.command_line = {"effbench", "run"};

  struct Spec {
    std::string model;
    double cpu_train, gpu_train, cpu_infer, gpu_infer;
  };
  const std::vector<Spec> specs = {{"mlp", 5000, 60000, 20000, 250000},
                                   {"conv6", 400, 12000, 1500, 40000},
                                   {"resnet18", 30, 2500, 110, 9000},
                                   {kEvilModel, 100, 1000, 300, 3000}};
  for (const auto& spec : specs) {
    run.cases.push_back(make_case(spec.model, "cpu", "train", spec.cpu_train, false));
    run.cases.push_back(make_case(spec.model, "cuda:0", "train", spec.gpu_train, true));
    run.cases.push_back(make_case(spec.model, "cpu", "infer", spec.cpu_infer, false));
    run.cases.push_back(make_case(spec.model, "cuda:0", "infer", spec.gpu_infer, true));
  }
  // Accuracy on three training cases.
  // Accuracy on four training cases: (case index, accuracy, energy to target J).
  struct Accuracy {
    size_t index;
    double value, energy_j;
  };
  for (const auto& [index, value, energy_j] :
       std::vector<Accuracy>{{1, 0.55, 300}, {5, 0.82, 1500}, {9, 0.93, 5000}, {4, 0.80, 9000}}) {
    AccuracyResult a;
    a.dataset = "cifar10";
    a.metric = "test_accuracy";
    a.value = value;
    a.epochs = 10;
    a.train_time_s = 120;
    a.target = 0.5;
    a.reached_target = true;
    a.energy_to_target_j = energy_j;
    run.cases[index].accuracy = a;
    // The counted reading covers the span to the target (Note [Which energy] in
    // analysis/efficiency.cpp): the gpu counter, or the cpu case's estimate.
    auto& readings = run.cases[index].energy;
    (readings.back().available ? readings.back() : readings.front()).joules = energy_j;
  }
  // A failed case is shown as missing.
  CaseRecord failed = make_case("vit", "cuda:0", "train", 1, true);
  failed.status = CaseStatus::kFailed;
  failed.error = "CUDA out of memory";
  failed.throughput.reset();
  run.cases.push_back(failed);
  return run;
}

// One run for the console/HTML identity test: conv6 inference under --exec
// eager,fused,graph on cpu and cuda:0 (graph on cuda only), a cuda case whose
// readings include a cross-check and a psys reading (neither counted), and
// two training cases with accuracy, one with only an estimate.
inline RunRecord make_multi_exec_run() {
  RunRecord run = make_run("20261123T100000-labhost-d4e5f6");
  run.cases.clear();
  auto with_exec = [](CaseRecord c, const std::string& exec) {
    c.exec = parse_word<Exec>(exec, "test");
    return c;
  };
  run.cases.push_back(with_exec(make_case("conv6", "cpu", "infer", 1500, false), "eager"));
  run.cases.push_back(with_exec(make_case("conv6", "cpu", "infer", 1800, false), "fused"));
  run.cases.push_back(with_exec(make_case("conv6", "cuda:0", "infer", 40000, true), "eager"));
  run.cases.push_back(with_exec(make_case("conv6", "cuda:0", "infer", 44000, true), "fused"));
  run.cases.push_back(with_exec(make_case("conv6", "cuda:0", "infer", 60000, true), "graph"));
  CaseRecord cpu_train = make_case("conv6", "cpu", "train", 400, false);
  cpu_train.energy.front().joules = 9000;  // the estimate: the only reading
  CaseRecord gpu_train = make_case("conv6", "cuda:0", "train", 12000, true);
  gpu_train.energy.back().joules = 1500;  // nvml-energy-counter
  EnergyReading cross = gpu_train.energy.back();
  cross.source = EnergySource::kNvmlPowerIntegral;
  cross.joules = 1490;
  cross.cross_check = true;
  EnergyReading psys;
  psys.source = EnergySource::kRapl;
  psys.scope = "psys";
  psys.device = "psys-0";
  psys.available = true;
  psys.measured = true;
  psys.joules = 5000;
  psys.duration_s = 10;
  gpu_train.energy.push_back(cross);
  gpu_train.energy.push_back(psys);
  for (auto* c : {&cpu_train, &gpu_train}) {
    AccuracyResult a;
    a.dataset = "cifar10";
    a.metric = "test_accuracy";
    a.value = c == &cpu_train ? 0.80 : 0.90;
    a.epochs = 10;
    a.train_time_s = 120;
    a.eval_images = 10000;
    c->accuracy = a;
    run.cases.push_back(*c);
  }
  return run;
}

}  // namespace effbench::fixture
