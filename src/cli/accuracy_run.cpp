#include "cli/accuracy_run.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <tuple>

#include "cli/command.h"
#include "core/error.h"
#include "core/units.h"
#include "meters/memory.h"
#include "report/console.h"
#include "results/json.h"
#include "runner/devices.h"
#include "runner/interrupt.h"

namespace effbench {
namespace {

// Note [Energy so far]
// The meters only report a window once it is stopped. To read the energy
// after every evaluation, a case is metered as consecutive windows (one per
// epoch, cut right after its evaluation, the device synchronised): stop, add
// the window's readings to the case's running totals, start again. The
// readings of one source are summed over the windows (joules, duration,
// sensor samples), so the case's record holds one reading per source as for a
// throughput case. Only the few microseconds between a stop and the next
// start go unmetered. A window shorter than a sensor's update period marks the
// summed reading below resolution, which keeps it out of the measured total.
//
// In a data-parallel case every rank meters its own windows, and `combine`
// merges the ranks' readings (Note [Energy of a data-parallel case]) each
// time energy so far is read and at the end.
class SegmentedEnergy {
 public:
  using Combine = std::function<std::vector<EnergyReading>(std::vector<EnergyReading>)>;
  SegmentedEnergy(MeterSet& meters, std::string device, Combine combine = nullptr)
      : meters_(meters), device_(std::move(device)), combine_(std::move(combine)) {}

  void start() {
    merged_.clear();
    order_.clear();
    timelines_.clear();
    offset_s_ = 0;
    meters_.start();
  }

  EnergySoFar cut() {
    meters_.stop();
    absorb();
    meters_.start();
    return so_far();
  }

  void finish(CaseRecord& record, int64_t samples) {
    meters_.stop();
    absorb();
    std::vector<EnergyReading> readings;
    for (const auto& key : order_) {
      EnergyReading r = merged_.at(key);
      r.avg_power_w = r.duration_s > 0 ? r.joules / r.duration_s : 0;
      r.joules_per_sample = samples > 0 ? r.joules / static_cast<double>(samples) : 0;
      readings.push_back(std::move(r));
    }
    if (combine_) readings = combine_(std::move(readings));
    for (auto& r : readings) record.energy.push_back(std::move(r));
    for (auto& t : timelines_) record.power_timeline.push_back(std::move(t));
    record.memory.device_used_bytes = meters_.device_used_bytes();
    record.memory.peak_rss_bytes = read_peak_rss_bytes();
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string, bool>;

  EnergySoFar so_far() const {
    std::vector<EnergyReading> readings;
    for (const auto& key : order_) readings.push_back(merged_.at(key));
    if (combine_) readings = combine_(std::move(readings));
    EnergySoFar e;
    const double measured_j = measured_total_joules(readings);
    const double estimated_j = estimated_total_joules(readings);
    if (measured_j > 0) {
      e = {true, true, measured_j};
    } else if (estimated_j > 0) {
      e = {true, false, estimated_j};
    }
    return e;
  }

  void absorb() {
    double window_s = 0;
    for (auto& r : meters_.readings(0)) {
      if (!reading_belongs_to_case(r, device_)) continue;
      window_s = std::max(window_s, r.duration_s);
      const Key key{r.source, r.scope, r.device, r.basis, r.cross_check};
      auto found = merged_.find(key);
      if (found == merged_.end()) {
        order_.push_back(key);
        merged_.emplace(key, std::move(r));
        continue;
      }
      EnergyReading& m = found->second;
      m.available = m.available && r.available;
      if (m.unavailable_reason.empty()) m.unavailable_reason = r.unavailable_reason;
      m.below_resolution = m.below_resolution || r.below_resolution;
      m.joules += r.joules;
      m.duration_s += r.duration_s;
      m.samples += r.samples;
      if (r.state_end) m.state_end = r.state_end;
      for (auto& w : r.warnings) {
        if (std::find(m.warnings.begin(), m.warnings.end(), w) == m.warnings.end()) m.warnings.push_back(w);
      }
    }
    for (auto& t : meters_.timelines()) {
      if (device_ == "cpu" && t.device.rfind("cuda", 0) == 0) continue;
      PowerTimeline* target = nullptr;
      for (auto& existing : timelines_) {
        if (existing.source == t.source && existing.device == t.device) target = &existing;
      }
      if (!target) {
        timelines_.push_back({t.source, t.device, {}});
        target = &timelines_.back();
      }
      for (const auto& p : t.points) target->points.push_back({p.t_s + offset_s_, p.watts});
      // Keep timelines bounded: drop every other point above 1024.
      if (target->points.size() > 1024) {
        std::vector<PowerPoint> halved;
        for (size_t i = 0; i < target->points.size(); i += 2) halved.push_back(target->points[i]);
        target->points = std::move(halved);
      }
    }
    offset_s_ += window_s;
  }

  MeterSet& meters_;
  std::string device_;
  Combine combine_;
  std::map<Key, EnergyReading> merged_;
  std::vector<Key> order_;  // first-seen order, as the meters report them
  std::vector<PowerTimeline> timelines_;
  double offset_s_ = 0;
};

std::string percent(double fraction) { return format_number(100.0 * fraction) + "%"; }

std::string quality_text(const std::string& metric, double value) {
  return metric == "test_accuracy" ? "accuracy " + percent(value) : "cycle L1 " + format_number(value);
}

std::string energy_text(const EnergySoFar& e) {
  if (!e.available) return "energy unavailable";
  return format_number(e.joules) + " J " + (e.measured ? "measured" : "estimated");
}

std::string case_result_text(const CaseRecord& c) {
  if (c.status != "ok") return c.status + ": " + c.error;
  const AccuracyResult& a = *c.accuracy;
  std::string text = quality_text(a.metric, a.value) + " after " + std::to_string(a.epochs) + " epoch" +
                     (a.epochs == 1 ? "" : "s") + ", " + format_number(a.train_time_s) + " s";
  const double measured_j = measured_total_joules(c.energy);
  const double estimated_j = estimated_total_joules(c.energy);
  if (measured_j > 0) {
    text += ", " + format_number(measured_j) + " J measured";
  } else if (estimated_j > 0) {
    text += ", " + format_number(estimated_j) + " J estimated";
  }
  if (a.reached_target) {
    text += *a.reached_target ? "; reached target " + percent(*a.target) + " at " +
                                    format_number(*a.time_to_target_s) + " s"
                              : "; did not reach target " + percent(*a.target);
  }
  return text;
}

std::string optional_number(const std::optional<double>& value) {
  return value ? format_number(*value) : "-";
}

std::string efficiency_text(const std::vector<CaseEfficiency>& rows, const GqiSettings& settings) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> footnotes;
  bool any_estimated = false;
  const std::string gqi_tag = " [" + describe(settings) + "]";
  for (const auto& e : rows) {
    std::string quality = e.metric == "test_accuracy" ? percent(e.quality) : "L1 " + format_number(e.quality);
    if (e.reached_target) quality += *e.reached_target ? " (target)" : " (missed)";
    std::string energy = "-";
    if (e.energy_available) {
      energy = format_number(e.energy_j) + (e.energy_estimated ? " est." : " meas.");
      any_estimated = any_estimated || e.energy_estimated;
    }
    std::string gqi = "-";
    if (e.gqi) {
      if (e.gqi->defined) {
        gqi = format_number(e.gqi->value) + gqi_tag;
      } else {
        footnotes.push_back("[" + std::to_string(footnotes.size() + 1) + "] " + e.model + " " + e.device +
                            ": GQI " + e.gqi->reason);
        gqi = "undefined [" + std::to_string(footnotes.size()) + "]" + gqi_tag;
      }
    }
    const std::string pareto = e.pareto ? (*e.pareto ? "yes" : "no") : "-";
    cells.push_back({e.model, e.device, quality, format_number(e.time_s), energy,
                     optional_number(e.accuracy_per_kwh), optional_number(e.joules_per_correct),
                     optional_number(e.seconds_per_point), optional_number(e.joules_per_point), gqi, pareto});
  }
  std::string text = render_table({"model", "device", "quality", "time s", "energy J", "acc/kWh", "J/correct",
                                   "s/point", "J/point", "GQI", "pareto"},
                                  cells);
  text += "  GQI = beta x accuracy^alpha / log10(E) with " + describe(settings) +
          "; pareto: not dominated in quality and energy among this run's cases\n";
  if (any_estimated) {
    text +=
        "  est.: estimated energy (no sensor could be read), not a measurement; figures derived from it are "
        "estimates too\n";
  }
  for (const auto& f : footnotes) text += "  " + f + "\n";
  return text;
}

}  // namespace

std::shared_ptr<AccuracyCliOptions> add_accuracy_options(CLI::App* cmd) {
  auto options = std::make_shared<AccuracyCliOptions>();
  AccuracyOptions& a = options->accuracy;
  cmd->add_option("--dataset", options->dataset,
                  "Train to a result on real data: fashion-mnist, mnist, cifar10, or folders (cyclegan's "
                  "trainA/trainB/testA/testB under --data-dir)");
  cmd->add_option(
      "--data-dir", a.data_dir,
      "Dataset folder (default: /usr/share/datasets/<dataset>); cyclegan uses unpaired folders when "
      "it has trainA/ trainB/ testA/ testB/");
  cmd->add_option("--epochs", a.epochs,
                  "Training epochs and the length of the learning-rate schedule "
                  "(default: the model's recipe, docs/recipes.md)");
  cmd->add_option("--target-accuracy", a.target,
                  "Time to accuracy: stop at the first evaluation >= X, a fraction in (0, 1]");
  cmd->add_option("--max-epochs", a.max_epochs,
                  "With --target-accuracy: give up after N epochs (default: the recipe's or --epochs)");
  cmd->add_option("--epoch-log", a.epoch_log_path, "Append per-epoch events to this JSON-lines file");
  cmd->add_flag("--deterministic", a.deterministic, "Use LibTorch's deterministic algorithms");
  cmd->add_option("--train-samples", a.train_samples,
                  "Train on the first N training images only (0: all; quick checks, not full results)")
      ->capture_default_str();
  cmd->add_option("--test-samples", a.test_samples, "Evaluate on the first N test images only (0: all)")
      ->capture_default_str();
  cmd->add_option("--gqi-alpha", options->gqi_alpha, "Green Quotient Index: accuracy exponent")
      ->capture_default_str();
  cmd->add_option("--gqi-beta", options->gqi_beta, "Green Quotient Index: scale")->capture_default_str();
  cmd->add_option("--gqi-unit", options->gqi_unit, "Green Quotient Index: unit of E (J, Wh, kWh)")
      ->capture_default_str();
  return options;
}

void run_accuracy_cases(const AccuracyCliOptions& cli, const BenchmarkOptions& bench, MeterSet& meters,
                        RunRecord& run, const std::function<void()>& save, const AccuracyParallel& parallel) {
  AccuracyOptions options = cli.accuracy;
  options.communicator = parallel.communicator;
  options.bucket_cap_mb = parallel.bucket_cap_mb;
  if (parallel.rank != 0) options.epoch_log_path.clear();  // rank 0 writes the job's log
  options.dataset = cli.dataset.value_or("");
  options.seed = bench.seed;
  options.batch = bench.batch;
  options.image_size = bench.image_size;
  validate(options);
  GqiSettings gqi;
  gqi.alpha = cli.gqi_alpha;
  gqi.beta = cli.gqi_beta;
  gqi.unit = parse_energy_unit(cli.gqi_unit);
  validate(gqi);

  std::vector<std::string> models = bench.models;
  if (models.empty()) models = trainable_models();
  for (const auto& model : models) default_recipe(model);  // throws for a model without a recipe
  const std::vector<std::string> devices = resolve_devices(bench.devices);
  run.settings.data = options.dataset;

  const size_t total = models.size() * devices.size();
  std::cout << "  train:   " << total << " case" << (total == 1 ? "" : "s") << " trained on "
            << options.dataset
            << (options.target ? " to target accuracy " + percent(*options.target) : std::string())
            << ", seed " << options.seed << (options.deterministic ? ", deterministic" : "")
            << (options.epoch_log_path.empty() ? "" : ", epoch log " + options.epoch_log_path) << "\n\n";

  size_t index = 0;
  bool parallel_fault = false;
  for (const auto& model : models) {
    for (const auto& device : devices) {
      ++index;
      TrainingRecipe recipe = default_recipe(model);
      recipe.batch = options.batch.value_or(recipe.batch);
      recipe.epochs = options.epochs.value_or(recipe.epochs);
      std::cout << "[" << index << "/" << total << "] " << model << " " << device << " train on "
                << options.dataset << " (" << recipe.describe() << ")" << std::endl;
      reset_peak_rss();
      SegmentedEnergy energy(meters, device, parallel.combine_energy);
      AccuracyHooks hooks;
      hooks.start = [&energy] { energy.start(); };
      hooks.energy_so_far = [&energy] { return energy.cut(); };
      hooks.finish = [&energy](CaseRecord& record, int64_t samples) { energy.finish(record, samples); };
      hooks.on_message = [](const std::string& line) { std::cout << "  " << line << std::endl; };
      hooks.on_epoch = [](const EpochEvent& e) {
        std::cout << "  epoch " << e.epoch << ": " << format_number(e.seconds) << " s, loss "
                  << format_number(e.loss) << ", " << quality_text(e.metric, e.value) << ", "
                  << energy_text(e.energy) << std::endl;
      };
      CaseRecord record = run_accuracy_case(model, device, options, hooks);
      std::cout << "  -> " << case_result_text(record) << std::endl;
      // Data-parallel: a failed case may have left the process group broken
      // (a rank gone); every rank stops here rather than wait out a timeout
      // per later case.
      parallel_fault = parallel.communicator != nullptr && record.status == "failed";
      run.cases.push_back(std::move(record));
      save();
      if (interrupt_requested() || parallel_fault) break;
    }
    if (interrupt_requested() || parallel_fault) break;
  }
  run.finished_at = utc_now_iso8601();
  disarm_interrupt_grace();  // the steps have returned (Note [Interrupt grace])
  run.status = interrupt_requested() ? "interrupted" : parallel_fault ? "incomplete" : "complete";
  save();

  const std::vector<CaseEfficiency> rows = case_efficiencies(run.cases, gqi);
  if (!rows.empty())
    std::cout << "\nEfficiency (quality at the end of each case; energy over the same span)\n"
              << efficiency_text(rows, gqi);
  for (const auto& c : run.cases) {
    for (const auto& note : c.notes) std::cout << "  " << c.model << " " << c.device << ": " << note << "\n";
  }

  bool failed = false;
  for (const auto& c : run.cases) failed = failed || c.status == "failed";
  if (interrupt_requested()) request_exit_code(static_cast<int>(ExitCode::kInterrupted));
  if (failed) request_exit_code(static_cast<int>(ExitCode::kCasesFailed));
}

}  // namespace effbench
