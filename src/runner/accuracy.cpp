#include "runner/accuracy.h"

#include <torch/torch.h>

#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/stats.h"
#include "core/units.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/image_folder.h"
#include "models/model.h"
#include "runner/benchmark.h"
#include "runner/case_outcome.h"
#include "runner/communicator.h"
#include "runner/devices.h"
#include "runner/interrupt.h"
#include "runner/torch_device.h"

namespace effbench {

// Note [Time to accuracy]
// The rules of MLPerf Training and DAWNBench, as this runner applies them:
// - The clock starts before the first data access: reading the dataset files,
//   copying them to the device and building the model are all on the clock
//   (stricter than MLPerf, which allows model initialisation off the clock).
//   Only the device's own start-up (the CUDA context) runs before it, since
//   it is a property of the process, not of the training.
// - The clock is never paused: the evaluation after every epoch is on it.
// - The run stops at the first evaluation at or above the target; its time
//   and the energy read right after that evaluation are the time and energy
//   to target. A run that reaches --max-epochs first is recorded with
//   reached_target = false ("did not reach target").
// - The learning-rate schedule spans the recipe's (or --epochs') epochs;
//   epochs past it, allowed by a larger --max-epochs, keep the schedule's
//   last learning rate.
// Metering starts with the clock (hooks.start) and energy so far is read after
// every evaluation (hooks.energy_so_far), so energy to target covers the same
// span as time to target.

// Note [Data-parallel time to accuracy]
// With a communicator (`effbench run --distributed --dataset ...`) the case
// trains with data parallelism and must reach the accuracy that one process
// reaches with the same global batch and recipe:
// - The recipe's batch (or --batch) is the global batch; each of the N ranks
//   trains on its 1/N shard of every batch, so the learning rate and schedule
//   stay those of the recipe. The global batch must divide by N.
// - Every rank loads the whole dataset and draws the same permutation and
//   augmentation (the same seed, and on a cpu a loader generator of its own,
//   so that ranks in one process stay in step), then keeps its shard.
// - Rank 0's parameters and buffers are broadcast before the first step;
//   gradients are averaged over the ranks after backward (GradientAllReducer,
//   as `run --distributed`); BatchNorm statistics stay per rank.
// - Evaluation is sharded: rank r evaluates the test batches i with
//   i mod N = r, and the correct counts are summed over the ranks, so every
//   rank sees the same accuracy and stops at the same epoch.
// - The epoch's loss is the mean of the ranks' mean losses.
// Classifiers only: CycleGAN's two optimisers are not wrapped.

namespace {

// A dataset that cannot be loaded: the input's fault, rethrown as Error.
struct DataError : Error {
  explicit DataError(const std::string& message) : Error(message) {}
};

bool is_dir(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool has_unpaired_folders(const std::string& dir) {
  return !dir.empty() && is_dir(dir + "/trainA") && is_dir(dir + "/trainB") && is_dir(dir + "/testA") &&
         is_dir(dir + "/testB");
}

// The first `count` samples of a split (0: all).
Dataset first_samples(const Dataset& split, int64_t count) {
  if (count <= 0 || count >= split.size()) return split;
  Dataset subset = split;
  subset.images = split.images.narrow(0, 0, count).contiguous();
  subset.labels = split.labels.narrow(0, 0, count).contiguous();
  return subset;
}

// CycleGAN's fallback domains per labelled dataset: two classes that share a
// shape but differ in detail (sneakers vs ankle boots, 4 vs 9, cats vs dogs).
std::pair<int64_t, int64_t> fallback_domains(const std::string& dataset) {
  if (dataset == "mnist") return {4, 9};
  if (dataset == "cifar10") return {3, 5};
  return {7, 9};  // fashion-mnist: sneaker vs ankle boot
}

// Note [CycleGAN's backward generator]
// Cycle consistency on domain B needs the B->A generator, which the Model
// interface does not expose (forward() is A->B). It is reached through the
// module tree: the child "g_ba" of the model's module, whose child "net" is
// the Sequential holding the whole generator (models/cyclegan.cpp). A change
// of those names fails the case with this message instead of a wrong figure.
std::function<torch::Tensor(const torch::Tensor&)> backward_generator(Model& model) {
  for (const auto& child : model.module().named_children()) {
    if (child.key() != "g_ba") continue;
    for (const auto& inner : child.value()->named_children()) {
      if (inner.key() != "net") continue;
      auto sequential = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(inner.value());
      if (sequential) return [sequential](const torch::Tensor& x) { return sequential->forward(x); };
    }
  }
  throw Error("cyclegan: the module has no g_ba/net generator (see Note [CycleGAN's backward generator])");
}

void check_finite_loss(double loss, int64_t epoch) {
  if (!std::isfinite(loss)) {
    throw Error("loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " in epoch " +
                std::to_string(epoch) + " (diverged training; try a lower learning rate)");
  }
}

// The data and the functions of one case, built on the clock.
struct CaseData {
  std::string description;  // for the notes and the screen
  int64_t eval_samples = 0;
};

std::string percent(double fraction) { return format_number(100.0 * fraction) + "%"; }

void run_body(const std::string& model_name, const Device& device_id, const AccuracyOptions& options,
              const AccuracyHooks& hooks, EpochLog& log, CaseRecord& record) {
  const torch::Device device = torch_device(device_id);
  const std::string device_name = device_id.str();
  const ModelEntry& entry = find_model(model_name);
  const bool classifier = entry.task == ModelTask::kClassification;
  TrainingRecipe recipe = default_recipe(model_name);
  if (options.batch) recipe.batch = *options.batch;
  Communicator* comm = options.communicator;  // Note [Data-parallel time to accuracy]
  const int64_t world = comm ? comm->world_size() : 1;
  const int64_t rank = comm ? comm->rank() : 0;
  const int64_t shard = recipe.batch / world;
  if (comm) {
    check(classifier,
          "--distributed --dataset: data-parallel training to a result supports the classifiers "
          "(conv6, vgg16, resnet18), not '" +
              model_name + "'");
    check(recipe.batch % world == 0, "--batch: the global batch " + std::to_string(recipe.batch) +
                                         " does not divide over " + std::to_string(world) +
                                         " ranks; choose a multiple of " + std::to_string(world));
  }
  const int64_t schedule_epochs = options.epochs.value_or(recipe.epochs);
  const bool use_target = classifier && options.target.has_value();
  const int64_t max_epochs = use_target ? options.max_epochs.value_or(schedule_epochs) : schedule_epochs;
  if (!classifier && options.target) {
    record.notes.push_back("--target-accuracy applies to classifiers; " + model_name + " trained for " +
                           std::to_string(schedule_epochs) + " epochs");
  }
  if (classifier && options.dataset == "folders") {
    throw Error("--dataset folders holds unlabelled image domains for cyclegan; " + model_name +
                " needs a labelled dataset (fashion-mnist, mnist, cifar10)");
  }
  set_deterministic(options.deterministic);
  torch::manual_seed(static_cast<uint64_t>(options.seed));
  // The device's own start-up is not part of the training (Note [Time to accuracy]).
  torch::zeros({1}, torch::TensorOptions().device(device)).add_(1);
  synchronize_device(device_id);

  const Stopwatch clock;  // Note [Time to accuracy]: before the first data access
  if (hooks.start) hooks.start();

  // Data, on the clock. Loading errors are the input's fault (DataError).
  CaseData data;
  DatasetSplits splits;
  UnpairedSplits unpaired;
  const bool folders =
      !classifier && (options.dataset == "folders" || has_unpaired_folders(options.data_dir));
  try {
    if (folders) {
      unpaired = load_unpaired(options.data_dir, options.image_size.value_or(0));
    } else {
      splits = load_dataset(options.dataset, options.data_dir);
      splits.train = first_samples(splits.train, options.train_samples);
      splits.test = first_samples(splits.test, options.test_samples);
      if (!classifier) {
        const auto classes = fallback_domains(options.dataset);
        unpaired = unpaired_from_classes(splits, classes.first, classes.second);
      }
    }
  } catch (const Error& e) {
    throw DataError(e.what());
  }
  if (!classifier && folders) {
    unpaired.train_a = first_samples(unpaired.train_a, options.train_samples);
    unpaired.train_b = first_samples(unpaired.train_b, options.train_samples);
    unpaired.test_a = first_samples(unpaired.test_a, options.test_samples);
    unpaired.test_b = first_samples(unpaired.test_b, options.test_samples);
  }

  ModelConfig config = entry.default_config;
  std::unique_ptr<DeviceEpochLoader> train_loader;
  std::unique_ptr<UnpairedEpochLoader> unpaired_loader;
  std::unique_ptr<EvalBatches> eval, eval_a, eval_b;
  int64_t steps_per_epoch = 0;
  if (classifier) {
    config.in_channels = splits.train.images.size(1);
    config.image_size = 32;
    config.num_classes = splits.train.num_classes;
    LoaderOptions train_options = train_loader_options(options.dataset, recipe.batch, device);
    // A generator of its own on a cpu: ranks that are threads of one process stay in step.
    if (device.is_cpu())
      train_options.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(options.seed));
    if (train_options.image_size_px == 0) config.image_size = splits.train.images.size(2);
    train_loader = std::make_unique<DeviceEpochLoader>(splits.train, train_options);
    eval = std::make_unique<EvalBatches>(splits.test,
                                         eval_loader_options(options.dataset, recipe.eval_batch, device));
    steps_per_epoch = train_loader->batches_per_epoch();
    data.eval_samples = eval->num_samples();
    data.description =
        options.dataset + ": " + std::to_string(splits.train.size()) + " training / " +
        std::to_string(splits.test.size()) + " test images of " +
        std::to_string(splits.train.images.size(2)) + "x" + std::to_string(splits.train.images.size(3)) +
        (config.image_size != splits.train.images.size(2)
             ? ", padded to " + std::to_string(config.image_size) + "x" + std::to_string(config.image_size)
             : "");
  } else {
    const int64_t native_px = unpaired.train_a.images.size(2);
    // Fashion-MNIST's 28x28 is padded to 32 (the generators downsample by 4).
    const int64_t image_px = folders ? 0 : 32;
    config.in_channels = unpaired.train_a.images.size(1);
    config.image_size = folders ? native_px : image_px;
    const LoaderOptions unpaired_options = unpaired_loader_options(recipe.batch, image_px, device);
    unpaired_loader =
        std::make_unique<UnpairedEpochLoader>(unpaired.train_a, unpaired.train_b, unpaired_options);
    LoaderOptions eval_options = unpaired_options;
    eval_options.batch_size = recipe.eval_batch;
    eval_a = std::make_unique<EvalBatches>(unpaired.test_a, eval_options);
    eval_b = std::make_unique<EvalBatches>(unpaired.test_b, eval_options);
    steps_per_epoch = unpaired_loader->batches_per_epoch();
    data.eval_samples = eval_a->num_samples() + eval_b->num_samples();
    data.description = (folders ? "unpaired folders " + options.data_dir
                                : std::string("two ") + options.dataset + " classes") +
                       ": " + unpaired.description + " (" + std::to_string(unpaired.train_a.size()) + " + " +
                       std::to_string(unpaired.train_b.size()) + " training, " +
                       std::to_string(unpaired.test_a.size()) + " + " +
                       std::to_string(unpaired.test_b.size()) + " test images, " +
                       std::to_string(config.image_size) + "x" + std::to_string(config.image_size) + ")";
    if (hooks.on_message) hooks.on_message("cyclegan trains on " + data.description);
  }
  record.notes.push_back("data: " + data.description);
  if (options.train_samples > 0 || options.test_samples > 0) {
    record.notes.push_back(
        "subset: first " +
        (options.train_samples > 0 ? std::to_string(options.train_samples) : std::string("all")) +
        " training / " +
        (options.test_samples > 0 ? std::to_string(options.test_samples) : std::string("all")) +
        " test images (not a full-dataset result)");
  }

  std::unique_ptr<Model> model;
  {
    // Initial weights from the seed alone, even when ranks are threads of one
    // process drawing from LibTorch's one default generator.
    static std::mutex creating;
    const std::lock_guard<std::mutex> lock(creating);
    torch::manual_seed(static_cast<uint64_t>(options.seed));
    model = entry.create(config);
  }
  model->to(device);
  if (comm) {
    comm->set_step(0);
    comm->broadcast_module(model->module());
    record.notes.push_back("data parallel: " + std::to_string(world) + " ranks x batch " +
                           std::to_string(shard) + " (" + comm->backend() +
                           "); BatchNorm per rank; sharded evaluation");
  }
  record.params = model->parameter_count();
  record.flops_per_sample = model->forward_flops_per_sample();
  record.step_flops_per_sample = model->train_flops_per_sample();
  record.input_shape = {config.in_channels, config.image_size, config.image_size};
  record.batch = recipe.batch;

  TrainOptions train_options;
  train_options.optimizer = recipe.optimizer;
  train_options.lr = recipe.peak_lr;
  train_options.momentum = recipe.momentum;
  train_options.weight_decay = recipe.weight_decay;
  std::unique_ptr<GradientAllReducer> reducer;
  if (comm) {
    reducer = std::make_unique<GradientAllReducer>(*comm,
                                                   static_cast<int64_t>(options.bucket_cap_mb * 1024 * 1024));
    train_options.gradient_hook = [&reducer](std::vector<torch::Tensor>& grads) { (*reducer)(grads); };
  }
  std::unique_ptr<Trainer> trainer = model->make_trainer(train_options);

  LrSchedule schedule;
  schedule.kind = recipe.schedule;
  schedule.peak_lr = recipe.peak_lr;
  schedule.total_steps = std::max<int64_t>(1, steps_per_epoch * schedule_epochs);
  schedule.warmup_steps =
      std::min(schedule.total_steps - 1,
               static_cast<int64_t>(std::llround(recipe.warmup_fraction * schedule.total_steps)));
  recipe.epochs = schedule_epochs;
  record.notes.push_back("recipe: " + recipe.describe() + "; seed " + std::to_string(options.seed) +
                         (options.deterministic ? ", deterministic algorithms" : ""));

  nlohmann::json start = {{"event", "start"},
                          {"model", model_name},
                          {"device", device_name},
                          {"dataset", options.dataset},
                          {"data", data.description},
                          {"seed", options.seed},
                          {"deterministic", options.deterministic},
                          {"recipe", recipe.describe()},
                          {"batch", recipe.batch},
                          {"steps_per_epoch", steps_per_epoch},
                          {"max_epochs", max_epochs}};
  start["target"] = use_target ? nlohmann::json(*options.target) : nlohmann::json(nullptr);
  log.write_line(start.dump());

  int64_t step = 0;
  int64_t samples = 0;
  double last_lr = schedule.lr_at(0);
  // A figure summed over the ranks (this rank's alone in one process).
  auto sum_over_ranks = [&](double value) {
    if (!comm) return value;
    double sum = 0;
    for (const auto& values : comm->all_gather({value})) sum += values.at(0);
    return sum;
  };
  TrainingLoop loop;
  loop.current_lr = [&] { return last_lr; };
  loop.train_epoch = [&](int64_t epoch) {
    model->train(true);
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
    for (int64_t i = 0; i < steps_per_epoch; ++i) {
      throw_if_interrupted();
      last_lr = schedule.lr_at(step);
      trainer->set_lr(last_lr);
      const Batch batch = classifier ? train_loader->next() : unpaired_loader->next();
      if (comm) {  // this rank's shard of the global batch (classifiers only)
        comm->set_step(step + 1);
        loss_sum.add_(trainer->step(batch.input.narrow(0, rank * shard, shard),
                                    batch.target.narrow(0, rank * shard, shard)));
      } else {
        loss_sum.add_(trainer->step(batch.input, batch.target));
      }
      ++step;
      samples += batch.input.size(0);  // the global batch
    }
    // The mean of the ranks' mean losses.
    const double loss = sum_over_ranks(loss_sum.item<double>() / static_cast<double>(steps_per_epoch)) /
                        static_cast<double>(world);
    check_finite_loss(loss, epoch);
    return loss;
  };
  if (classifier) {
    loop.evaluate = [&] {
      model->train(false);
      double correct = 0;
      {
        c10::InferenceMode inference;
        torch::Tensor count = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
        // Sharded evaluation when data-parallel (Note [Data-parallel time to accuracy]).
        for (int64_t i = rank; i < eval->num_batches(); i += world) {
          throw_if_interrupted();  // an evaluation of a large model takes minutes on a CPU
          const Batch batch = eval->batch(i);
          count.add_(model->forward(batch.input).argmax(1).eq(batch.target).sum());
        }
        correct = static_cast<double>(count.item<int64_t>());
      }
      // Outside InferenceMode: the collective writes into its tensors.
      return sum_over_ranks(correct) / static_cast<double>(eval->num_samples());
    };
  } else {
    auto g_ba = backward_generator(*model);
    // Cycle-consistency L1 over the test images of both domains, in the
    // normalised [-1, 1] pixel range the generators work in.
    loop.evaluate = [&, g_ba] {
      model->train(false);
      c10::InferenceMode inference;
      torch::Tensor l1_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
      double values = 0;
      for (const Batch& batch : *eval_a) {
        throw_if_interrupted();
        l1_sum.add_((g_ba(model->forward(batch.input)) - batch.input).abs().sum().to(torch::kDouble));
        values += static_cast<double>(batch.input.numel());
      }
      for (const Batch& batch : *eval_b) {
        throw_if_interrupted();
        l1_sum.add_((model->forward(g_ba(batch.input)) - batch.input).abs().sum().to(torch::kDouble));
        values += static_cast<double>(batch.input.numel());
      }
      return l1_sum.item<double>() / values;
    };
  }

  LoopSettings settings;
  settings.model = model_name;
  settings.device = device_name;
  settings.metric = classifier ? "test_accuracy" : "cycle_l1";
  settings.higher_is_better = classifier;
  settings.max_epochs = max_epochs;
  if (use_target) settings.target = options.target;
  const LoopOutcome outcome = run_training_loop(settings, loop, clock, hooks, &log);
  if (hooks.finish) hooks.finish(record, samples);

  AccuracyResult result;
  result.dataset = folders ? "folders:" + options.data_dir : options.dataset;
  result.metric = settings.metric;
  result.higher_is_better = settings.higher_is_better;
  result.value = outcome.epochs.back().value;
  result.epochs = static_cast<int64_t>(outcome.epochs.size());
  result.train_time_s = outcome.seconds;
  result.epoch_log = log.path();
  result.eval_samples = data.eval_samples;
  if (use_target) {
    result.target = options.target;
    result.reached_target = outcome.reached_target;
    result.time_to_target_s = outcome.time_to_target_s;
    result.energy_to_target_j = outcome.energy_to_target_j;
    if (!outcome.reached_target) {
      double best = 0;
      for (const auto& e : outcome.epochs) best = std::max(best, e.value);
      record.notes.push_back("did not reach target " + percent(*options.target) + " in " +
                             std::to_string(max_epochs) + " epochs (best " + percent(best) +
                             "); --max-epochs " + "allows more");
    }
  }
  record.accuracy = result;
  if (comm) {
    DistributedResult d;
    d.backend = comm->backend();
    d.world_size = world;
    d.per_process_batch = shard;
    d.single_process_source = "none";  // no throughput_1 in a training run: no scaling efficiency
    d.bucket_cap_bytes = options.bucket_cap_mb * 1024 * 1024;
    const AllReduceStats& stats = reducer->stats();
    d.bytes_per_step = stats.bytes_per_step;
    d.buckets = stats.buckets;
    if (stats.calls > 0) d.allreduce_s = stats.seconds / static_cast<double>(stats.calls);
    double train_s = 0;
    for (const auto& e : outcome.epochs) train_s += e.train_s;
    if (step > 0) d.compute_s = std::max(0.0, train_s / static_cast<double>(step) - d.allreduce_s);
    RankFigures mine;  // this rank's; the others' are not gathered in a training run
    mine.rank = rank;
    mine.steps = step;
    mine.compute_s = d.compute_s;
    mine.allreduce_s = d.allreduce_s;
    if (train_s > 0) mine.samples_per_s = static_cast<double>(step * shard) / train_s;
    d.ranks.push_back(mine);
    record.distributed = d;
  }

  // Training throughput per epoch (training steps only, evaluations excluded).
  std::vector<double> throughputs;
  double train_s = 0;
  for (const auto& e : outcome.epochs) {
    train_s += e.train_s;
    throughputs.push_back(static_cast<double>(steps_per_epoch * recipe.batch) / std::max(e.train_s, 1e-9));
  }
  record.timed_iterations = step;
  record.timed_s = train_s;
  // Per-epoch throughput: the first epoch's start-up makes a CV warning meaningless here.
  record_throughput(throughputs, std::numeric_limits<double>::infinity(), record);

  nlohmann::json end = {{"event", "end"},          {"model", model_name},        {"device", device_name},
                        {"epochs", result.epochs}, {"seconds", outcome.seconds}, {"metric", result.metric},
                        {"value", result.value}};
  end["reached_target"] =
      result.reached_target ? nlohmann::json(*result.reached_target) : nlohmann::json(nullptr);
  log.write_line(end.dump());
}

}  // namespace

double LrSchedule::lr_at(int64_t step) const {
  check(kind == "one-cycle" || kind == "cosine",
        "learning-rate schedule: expected one-cycle or cosine but got '" + kind + "'");
  check(total_steps >= 1,
        "learning-rate schedule: expected at least 1 step but got " + std::to_string(total_steps));
  check(warmup_steps >= 0 && warmup_steps < total_steps,
        "learning-rate schedule: expected 0 <= warm-up steps < " + std::to_string(total_steps) + " but got " +
            std::to_string(warmup_steps));
  const int64_t s = std::clamp<int64_t>(step, 0, total_steps - 1);
  if (s < warmup_steps) return peak_lr * static_cast<double>(s + 1) / static_cast<double>(warmup_steps);
  const double decay_steps = static_cast<double>(total_steps - warmup_steps);
  const double into = static_cast<double>(s - warmup_steps);
  if (kind == "one-cycle") return peak_lr * (decay_steps - into) / decay_steps;
  return 0.5 * peak_lr * (1.0 + std::cos(M_PI * into / decay_steps));
}

std::string TrainingRecipe::describe() const {
  auto g = [](double value) {  // settings as typed: 0.1, 5e-04, 15
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return std::string(buffer);
  };
  return optimizer + (optimizer == "sgd" ? " nesterov momentum " + g(momentum) : "") + " lr " + g(peak_lr) +
         " wd " + g(weight_decay) + ", " + schedule + " (" + g(100.0 * warmup_fraction) +
         "% warm-up), batch " + std::to_string(batch) + ", " + std::to_string(epochs) + " epochs";
}

// The recipes and the accuracies they reach are in docs/recipes.md.
TrainingRecipe default_recipe(const std::string& model) {
  struct Row {
    const char* model;
    TrainingRecipe recipe;  // optimizer, peak lr, momentum, wd, schedule, warm-up, batch, eval batch, epochs
  };
  static const Row kRecipes[] = {
      // No batch norm: Adam is forgiving where SGD needs a carefully tuned rate.
      {"conv6", {"adam", 2e-3, 0.9, 0, "one-cycle", 0.15, 128, 500, 15}},
      {"vgg16", {"sgd", 0.05, 0.9, 5e-4, "one-cycle", 0.15, 128, 500, 15}},
      {"resnet18", {"sgd", 0.1, 0.9, 5e-4, "one-cycle", 0.15, 128, 500, 15}},
      // The reference's Adam 2e-4 (beta1 0.5, set by the model), decayed by a
      // cosine instead of the reference's linear decay over its second half.
      {"cyclegan", {"adam", 2e-4, 0.9, 0, "cosine", 0, 8, 50, 2}},
  };
  for (const auto& row : kRecipes) {
    if (model == row.model) return row.recipe;
  }
  throw Error("--model: no training recipe for '" + model + "'; valid: conv6, vgg16, resnet18, cyclegan");
}

std::vector<std::string> trainable_models() {
  std::vector<std::string> names;
  for (const auto& entry : model_table()) names.push_back(entry.name);
  return names;
}

void validate(const AccuracyOptions& o) {
  check(o.dataset == "fashion-mnist" || o.dataset == "mnist" || o.dataset == "cifar10" ||
            o.dataset == "folders",
        "--dataset: unknown dataset '" + o.dataset + "'; valid: fashion-mnist, mnist, cifar10, folders");
  check(o.dataset != "folders" || !o.data_dir.empty(),
        "--dataset folders: expected --data-dir with trainA/ trainB/ testA/ testB/ but got none");
  check(!o.target || (*o.target > 0 && *o.target <= 1),
        "--target-accuracy: expected a fraction in (0, 1] (0.9 for 90%) but got " +
            format_number(o.target.value_or(0)));
  check(!o.epochs || *o.epochs > 0,
        "--epochs: expected a positive count but got " + std::to_string(o.epochs.value_or(0)));
  check(!o.max_epochs || *o.max_epochs > 0,
        "--max-epochs: expected a positive count but got " + std::to_string(o.max_epochs.value_or(0)));
  check(!o.max_epochs || o.target,
        "--max-epochs " + std::to_string(o.max_epochs.value_or(0)) +
            ": applies only with --target-accuracy; use --epochs to set the length of "
            "a run without a target");
  check(!o.batch || *o.batch > 0,
        "--batch: expected a positive batch size but got " + std::to_string(o.batch.value_or(0)));
  check(o.train_samples >= 0,
        "--train-samples: expected a count >= 0 but got " + std::to_string(o.train_samples));
  check(o.test_samples >= 0,
        "--test-samples: expected a count >= 0 but got " + std::to_string(o.test_samples));
}

std::string epoch_event_json(const EpochEvent& e) {
  nlohmann::json j = {{"event", "epoch"}, {"model", e.model},     {"device", e.device},
                      {"epoch", e.epoch}, {"seconds", e.seconds}, {"train_s", e.train_s},
                      {"loss", e.loss},   {"lr", e.lr},           {"metric", e.metric},
                      {"value", e.value}};
  if (e.metric == "test_accuracy") j["accuracy"] = e.value;
  j["joules"] = e.energy.available ? nlohmann::json(e.energy.energy_j) : nlohmann::json(nullptr);
  j["energy_basis"] = !e.energy.available ? "unavailable" : e.energy.measured ? "measured" : "estimated";
  return j.dump();
}

EpochLog::EpochLog(const std::string& path) : path_(path) {
  if (path.empty()) return;
  out_ = std::make_unique<std::ofstream>(path, std::ios::app);
  check(out_->good(),
        "--epoch-log: cannot open '" + path + "' for appending; check the folder exists and is writable");
}

void EpochLog::write_line(const std::string& json_line) {
  if (!out_) return;
  *out_ << json_line << '\n';
  out_->flush();
}

LoopOutcome run_training_loop(const LoopSettings& settings, const TrainingLoop& loop, const Stopwatch& clock,
                              const AccuracyHooks& hooks, EpochLog* log) {
  check(settings.max_epochs > 0,
        "max epochs: expected a positive count but got " + std::to_string(settings.max_epochs));
  LoopOutcome outcome;
  for (int64_t epoch = 1; epoch <= settings.max_epochs; ++epoch) {
    const Stopwatch train_clock;
    const double loss = loop.train_epoch(epoch);
    const double train_s = train_clock.elapsed_s();
    const double value = loop.evaluate();
    EpochEvent event;
    event.seconds = clock.elapsed_s();  // read first: the energy hook takes time of its own
    event.model = settings.model;
    event.device = settings.device;
    event.epoch = epoch;
    event.train_s = train_s;
    event.loss = loss;
    event.lr = loop.current_lr ? loop.current_lr() : 0.0;
    event.metric = settings.metric;
    event.value = value;
    if (hooks.energy_so_far) event.energy = hooks.energy_so_far();
    outcome.epochs.push_back(event);
    outcome.seconds = event.seconds;
    if (hooks.energy_so_far) outcome.energy = event.energy;
    if (log) log->write(event);
    if (hooks.on_epoch) hooks.on_epoch(event);
    const bool reached = settings.target &&
                         (settings.higher_is_better ? value >= *settings.target : value <= *settings.target);
    if (reached) {
      outcome.reached_target = true;
      outcome.time_to_target_s = event.seconds;
      if (event.energy.available) outcome.energy_to_target_j = event.energy.energy_j;
      break;
    }
  }
  return outcome;
}

void set_deterministic(bool on) {
  if (on && std::getenv("CUBLAS_WORKSPACE_CONFIG") == nullptr) {
    // cuBLAS needs a fixed workspace for reproducible results; it takes effect
    // only when set before the first cuBLAS call of the process.
    ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);
  }
  // Same signature in LibTorch 1.13 and 2.x: (enabled, warn_only).
  at::globalContext().setDeterministicAlgorithms(on, false);
  at::globalContext().setDeterministicCuDNN(on);
  if (on) at::globalContext().setBenchmarkCuDNN(false);
}

CaseRecord run_accuracy_case(const std::string& model, const Device& device, const AccuracyOptions& options,
                             const AccuracyHooks& hooks) {
  CaseSpec spec;
  spec.model = model;
  spec.device = device;
  spec.mode = Mode::kTrain;
  CaseRecord record = begin_case_record(spec, Precision::kFp32);
  EpochLog log(options.epoch_log_path);  // an unwritable log is the user's fault: throws
  // A case that stops early still stops its meters (and keeps what they read).
  bool started = false, finished = false;
  AccuracyHooks tracked = hooks;
  tracked.start = [&] {
    started = true;
    if (hooks.start) hooks.start();
  };
  tracked.finish = [&](CaseRecord& r, int64_t samples) {
    finished = true;
    if (hooks.finish) hooks.finish(r, samples);
  };
  auto finish_early = [&] {
    if (started && !finished) tracked.finish(record, 0);
  };
  std::optional<std::string> data_error;  // the input's fault: rethrown, not a failed case
  const bool body_done = run_case_guarded(record, [&] {
    try {
      run_body(model, device, options, tracked, log, record);
    } catch (const DataError& e) {
      data_error = e.what();
    }
  });
  if (data_error) {
    finish_early();
    throw Error(*data_error);
  }
  if (!body_done) {
    finish_early();
    record.throughput.reset();
    record.achieved_tflops.reset();
    record.accuracy.reset();
    nlohmann::json end = {{"event", "end"},
                          {"model", model},
                          {"device", device.str()},
                          {"status", record.status},
                          {"error", record.error}};
    log.write_line(end.dump());
  }
  return record;
}

}  // namespace effbench
