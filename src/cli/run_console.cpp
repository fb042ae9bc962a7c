#include "cli/run_console.h"

#include <algorithm>
#include <iostream>

#include "analysis/speedup.h"
#include "core/units.h"
#include "meters/machine_load.h"
#include "report/console.h"
#include "report/html.h"

namespace effbench {
namespace {

std::string percent(double fraction) { return format_number(100.0 * fraction) + "%"; }

std::string quality_text(const std::string& metric, double value) {
  return metric == "test_accuracy" ? "accuracy " + percent(value) : "cycle L1 " + format_number(value);
}

std::string energy_text(const CountedEnergy& e) {
  if (!e.available) return "energy unavailable";
  return format_plus_minus(e.interval(), "J") + " " + (e.measured ? "measured" : "estimated");
}

std::string throughput_result(const CaseRecord& c) {
  if (c.status != CaseStatus::kOk) return to_string(c.status) + ": " + c.error;
  std::string text =
      format_number(c.throughput->median) + " samples/s (CV " + format_number(100 * c.throughput->cv) + "%)";
  if (c.latency_ms) text += ", batch-1 p50 " + format_number(c.latency_ms->p50) + " ms";
  return text;
}

std::string data_parallel_result(const CaseRecord& c) {
  if (!c.throughput || !c.distributed) return to_string(c.status) + ": " + c.error;
  const DistributedResult& d = *c.distributed;
  std::string text = format_number(c.throughput->median) + " samples/s on " + std::to_string(d.world_size) +
                     " ranks (CV " + format_number(100 * c.throughput->cv) + "%)";
  if (d.scaling_efficiency > 0) {
    text += ", 1 process " + format_number(d.single_process_samples_per_s) +
            " samples/s, scaling efficiency " + format_number(100 * d.scaling_efficiency) + "%";
  }
  text += "; per step: compute " + format_number(1000 * d.compute_s) + " ms, all-reduce " +
          format_number(1000 * d.allreduce_s) + " ms of " +
          format_bytes(static_cast<double>(d.bytes_per_step)) + " in " + std::to_string(d.buckets) +
          (d.buckets == 1 ? " bucket" : " buckets");
  if (c.status != CaseStatus::kOk) text += " [" + to_string(c.status) + ": " + c.error + "]";
  return text;
}

std::string training_result(const CaseRecord& c) {
  if (c.status != CaseStatus::kOk) return to_string(c.status) + ": " + c.error;
  const AccuracyResult& a = *c.accuracy;
  std::string text = quality_text(a.metric, a.value) + " after " + std::to_string(a.epochs) + " epoch" +
                     (a.epochs == 1 ? "" : "s") + ", " + format_number(a.train_time_s) + " s";
  const CountedEnergy energy = counted_energy(c.energy);
  if (energy.available) text += ", " + energy_text(energy);
  if (a.reached_target) {
    text += *a.reached_target ? "; reached target " + percent(*a.target) + " at " +
                                    format_number(*a.time_to_target_s) + " s"
                              : "; did not reach target " + percent(*a.target);
  }
  return text;
}

std::string command_result(const CaseRecord& c) {
  if (!c.command) return to_string(c.status) + ": " + c.error;
  const CommandResult& command = *c.command;
  std::string text = "exit status " + std::to_string(command.exit_status) + ", " +
                     format_number(command.wall_s) + " s wall, " + format_number(command_cpu_s(command)) +
                     " s CPU, " + energy_text(counted_energy(c.energy));
  if (c.memory.peak_rss_bytes)
    text += ", peak memory " + format_bytes(static_cast<double>(*c.memory.peak_rss_bytes));
  return text;
}

void print_system(const RunRecord& run) {
  const SystemInfo& s = run.system;
  std::cout << "effbench " << s.effbench_version << " run " << run.run_id << "\n"
            << "  host:    " << s.hostname << ", " << s.cpu_model << " (" << s.logical_cores << " logical / "
            << s.physical_cores << " physical cores), " << format_bytes(static_cast<double>(s.memory_bytes))
            << "\n"
            << "  torch:   LibTorch " << s.torch_version << ", " << run.settings.threads << " CPU threads"
            << (s.torch_cuda ? ", CUDA " + s.cuda_version : ", no CUDA") << "\n";
  for (const auto& gpu : s.gpus) {
    std::cout << "  gpu:     cuda:" << gpu.index << " " << gpu.name << ", "
              << format_bytes(static_cast<double>(gpu.memory_bytes)) << "\n";
  }
  if (!s.blas.empty()) std::cout << "  blas:    " << s.blas << "\n";
  if (!s.blas_threads.empty()) std::cout << "           " << s.blas_threads << "\n";
  if (!s.allocator.empty()) std::cout << "  malloc:  " << s.allocator << "\n";
  if (!s.cpu_threads.empty()) std::cout << "  threads: " << s.cpu_threads << "\n";
  if (s.blas.find("/blas/libblas") != std::string::npos) {
    std::cout << "  warning: LibTorch uses the reference BLAS, several times slower for linear layers; "
                 "install libopenblas0-pthread\n";
  }
  if (s.build_type != "Release") {
    std::cout << "  warning: effbench was built as '" << s.build_type
              << "', not Release: timings are pessimistic\n";
  }
}

void print_plan(const RunRecord& run, const SessionPlan& plan) {
  if (plan.kind == CaseKind::kCommand) {
    std::cout << "  plan:    one command, metered from start to exit (docs/monitor.md)\n";
  } else if (plan.training) {
    const AccuracyOptions& t = *plan.training;
    const size_t total = plan.cases.size();
    std::cout << "  train:   " << total << " case" << (total == 1 ? "" : "s") << " trained on " << t.dataset
              << (t.target ? " to target accuracy " + percent(*t.target) : std::string()) << ", seed "
              << t.seed << (t.deterministic ? ", deterministic" : "")
              << (t.epoch_log_path.empty() ? "" : ", epoch log " + t.epoch_log_path) << "\n";
  } else {
    std::cout << "  plan:    " << plan.cases.size() << " cases, " << run.settings.repeats
              << " timed windows of >= " << format_number(run.settings.min_time_s)
              << " s each, warm-up >= " << format_number(run.settings.warmup_s) << " s\n";
  }
  if (plan.job) {
    std::cout << "  ranks:   " << plan.job->world_size << " (data parallel), rendezvous "
              << plan.job->master_addr << ":" << plan.job->master_port << ", " << run.settings.threads
              << " threads per rank, " << plan.cases.front().device.str()
              << "; only training runs data-parallel\n";
  }
  for (const auto& status : plan.meters) {
    std::cout << "  meter:   " << status.name << " " << status.scope << " " << status.device << ": "
              << (status.available ? "available" + (status.detail.empty() ? "" : " (" + status.detail + ")")
                                   : "unavailable: " + status.reason)
              << "\n";
  }
}

void print_throughput_tables(const RunRecord& run) {
  std::cout << "\nResults (throughput = median over timed windows; IQR and CV of the windows)\n"
            << results_table(run.cases);
  for (const Mode mode : {Mode::kTrain, Mode::kInfer}) {
    const SpeedupTable table = speedup_table(run.cases, mode);
    if (table.models.empty()) continue;
    std::cout << "\nSpeedup over cpu, " << (mode == Mode::kTrain ? "training" : "inference")
              << " (ratio of median throughputs)\n"
              << speedup_text(table);
    if (table.devices.size() == 1) std::cout << "  (no GPU present: only the cpu column)\n";
  }
  const std::string sweep_table = batch_sweep_text(run.cases);
  if (!sweep_table.empty())
    std::cout << "\nBatch sweep: the throughput-best batch (median samples/s at each batch)\n" << sweep_table;
  const std::string exec_table = exec_mode_text(run.cases);
  if (!exec_table.empty())
    std::cout << "\nExecution modes (--exec), each against eager on the same device\n" << exec_table;
}

// Note [Calibrated GPU projection]: what a GPU would buy, when none ran here.
// A projection that cannot be made (a data file missing) is said, and the
// measured run stands.
void print_projected_speedups(const RunRecord& run, const std::vector<std::string>& gpu_ids) {
  const bool gpu_ran =
      std::any_of(run.cases.begin(), run.cases.end(), [](const CaseRecord& c) { return c.device.is_cuda(); });
  if (gpu_ran || gpu_ids.empty()) return;
  try {
    const ProjectedSpeedupTable table =
        project_gpu_speedups(run.cases, gpu_ids, default_catalog(), default_published_throughputs());
    if (table.rows.empty()) return;
    std::cout << "\nWhat a GPU would buy you: projected speedup over this machine (no GPU ran)\n"
              << figure_text(projected_speedup_figures(table))
              << "\nEnergy per sample: measured here, projected on each GPU\n"
              << figure_text(projected_energy_figures(table)) << "\nOne epoch of "
              << format_number(kEpochSamples) << " samples: time and energy\n"
              << figure_text(projected_epoch_figures(table));
  } catch (const Error& e) {
    std::cout << "\nNo GPU projection: " << e.what() << "\n";
  }
}

}  // namespace

void ConsoleRunObserver::run_begun(const RunRecord& run, const SessionPlan& plan) {
  plan_ = plan;
  print_system(run);
  print_plan(run, plan);
  std::cout << std::flush;
}

void ConsoleRunObserver::idle_measurement(double seconds, bool done) {
  if (!done) {
    std::cout << "  idle:    measuring idle power for " << format_number(seconds) << " s ..." << std::flush;
  } else {
    std::cout << " done\n";
  }
}

namespace {

// A built-in model's image size, or a TorchScript model's --input.
std::string input_text(const CaseSpec& spec) {
  if (spec.image_size > 0) return std::to_string(spec.image_size) + "x" + std::to_string(spec.image_size);
  std::string text;
  for (int64_t size : spec.sample_shape) text += (text.empty() ? "" : "x") + std::to_string(size);
  return text;
}

}  // namespace

void ConsoleRunObserver::case_skipped(size_t index, size_t total, const CaseSpec& spec,
                                      const std::string& reason) {
  std::cout << "[" << index + 1 << "/" << total << "] " << spec.model << " " << spec.device.str() << " "
            << to_string(spec.mode) << " batch " << spec.batch << " skipped: " << reason << std::endl;
}

void ConsoleRunObserver::case_begun(size_t index, size_t total, const CaseSpec& spec) {
  if (index == 0) std::cout << "\n";
  std::string line = "[" + std::to_string(index + 1) + "/" + std::to_string(total) + "] " + spec.model + " " +
                     spec.device.str() + " ";
  if (plan_.kind == CaseKind::kCommand) {
    std::cout << line << "started" << std::endl;
    open_line_.clear();
  } else if (plan_.training) {
    std::cout << line << "train on " << plan_.training->dataset << " (" << spec.recipe << ")" << std::endl;
    open_line_.clear();
  } else {
    if (plan_.job) {
      line += "train global batch " + std::to_string(spec.batch * plan_.job->world_size) + " ... ";
    } else {
      line += to_string(spec.mode) + (spec.exec == Exec::kEager ? "" : " " + to_string(spec.exec)) +
              " batch " + std::to_string(spec.batch) + " " + input_text(spec) + " ... ";
    }
    std::cout << line << std::flush;
    open_line_ = line;
  }
  case_clock_.restart();
  progress_ = ProgressEstimate();
  progress_shown_s_ = -1;
}

void ConsoleRunObserver::case_progress(double done_fraction) {
  constexpr double kProgressRedrawS = 0.25;
  constexpr double kProgressLineS = 30;
  const double now_s = case_clock_.elapsed_s();
  progress_.report(now_s, done_fraction);
  const bool upper_bound = plan_.training && plan_.training->target.has_value();
  if (terminal_) {
    if (progress_shown_s_ >= 0 && now_s - progress_shown_s_ < kProgressRedrawS) return;
    redraw_terminal_line(open_line_.empty() ? "  training: " + progress_.text(upper_bound)
                                            : open_line_ + progress_.text(upper_bound));
    progress_drawn_ = true;
  } else {
    if (!open_line_.empty() || now_s - std::max(0.0, progress_shown_s_) < kProgressLineS) return;
    std::cout << "  training: " << progress_.text(upper_bound) << std::endl;
  }
  progress_shown_s_ = now_s;
}

void ConsoleRunObserver::end_progress_line() {
  if (!progress_drawn_) return;
  redraw_terminal_line(open_line_);
  progress_drawn_ = false;
}

void ConsoleRunObserver::case_message(const std::string& line) {
  end_progress_line();
  std::cout << "  " << line << std::endl;
}

void ConsoleRunObserver::epoch_done(const EpochEvent& e) {
  end_progress_line();
  std::cout << "  epoch " << e.epoch << ": " << format_number(e.seconds) << " s, loss "
            << format_number(e.loss) << ", " << quality_text(e.metric, e.value) << ", "
            << energy_text(e.energy) << std::endl;
}

void ConsoleRunObserver::case_done(size_t, size_t, const CaseRecord& record) {
  end_progress_line();
  open_line_.clear();
  if (plan_.kind == CaseKind::kCommand) {
    std::cout << "  -> " << command_result(record) << std::endl;
  } else if (plan_.kind == CaseKind::kTrainingToResult) {
    std::cout << "  -> " << training_result(record) << std::endl;
  } else if (plan_.job) {
    std::cout << data_parallel_result(record) << std::endl;
  } else {
    std::cout << throughput_result(record) << std::endl;
  }
  // Said at once, not only in the table at the end (Note [Busy machine], Note [Others on a GPU]).
  for (const auto& warning : record.warnings) std::cout << "  warning: " << warning << std::endl;
}

void ConsoleRunObserver::run_done(const RunRecord& run, const SessionPlan& plan) {
  if (plan.kind == CaseKind::kTrainingToResult) {
    const std::vector<CaseEfficiency> rows = case_efficiencies(run.cases, gqi_);
    if (!rows.empty())
      std::cout << "\nEfficiency (quality at the end of each case; energy over the same span)\n"
                << efficiency_table_text(rows, gqi_);
    for (const auto& c : run.cases) {
      for (const auto& note : c.notes)
        std::cout << "  " << c.model << " " << c.device << ": " << note << "\n";
      for (const auto& warning : c.warnings)
        std::cout << "  warning " << c.model << " " << c.device << ": " << warning << "\n";
    }
  } else if (plan.kind == CaseKind::kCommand) {
    std::cout << "\nCommand (energy over its whole run; peak memory of its process tree)\n"
              << command_table(run.cases);
    for (const auto& c : run.cases) {
      for (const auto& warning : c.warnings) std::cout << "  warning: " << warning << "\n";
    }
  } else if (plan.job) {
    std::cout << "\nResults (throughput of the global batch; median over timed windows)\n"
              << results_table(run.cases);
  } else {
    print_throughput_tables(run);
    print_projected_speedups(run, projection_gpus_);
  }
  if (!outputs_.json_path.empty()) std::cout << "\nResults written to " << outputs_.json_path << "\n";
  if (!outputs_.prometheus_path.empty())
    std::cout << "Prometheus metrics written to " << outputs_.prometheus_path << "\n";
  if (!outputs_.db_path.empty()) {
    std::cout << "Run " << run.run_id << " saved in " << outputs_.db_path << " (effbench results show "
              << run.run_id << ")\n";
  }
  if (!outputs_.report_path.empty()) {
    write_html_report({run}, outputs_.report_path);
    std::cout << "Report written to " << outputs_.report_path << "\n";
  }
}

}  // namespace effbench
