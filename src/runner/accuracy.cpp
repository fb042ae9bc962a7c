#include "runner/accuracy.h"

#include <torch/torch.h>

#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/stats.h"
#include "core/units.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/image_folder.h"
#include "models/model.h"
#include "runner/benchmark.h"
#include "runner/case_model.h"
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

std::string percent(double fraction) { return format_number(100.0 * fraction) + "%"; }

// What a training case runs: the recipe with the user's overrides, how long,
// and this rank's share (Note [Data-parallel time to accuracy]).
struct TrainingPlan {
  TrainingRecipe recipe;  // recipe.batch is the global batch; recipe.epochs the schedule's length
  bool classifier = true;
  bool use_target = false;  // stop at options.target
  int64_t max_epochs = 1;
  Communicator* comm = nullptr;  // data-parallel when set
  int64_t world = 1;
  int64_t rank = 0;
  int64_t shard = 0;  // this rank's samples of every global batch
};

TrainingPlan plan_training(const std::string& model_name, const AccuracyOptions& options,
                           CaseRecord& record) {
  TrainingPlan plan;
  plan.classifier = find_model(model_name).task == ModelTask::kClassification;
  plan.recipe = default_recipe(model_name);
  if (options.batch) plan.recipe.batch = *options.batch;
  plan.comm = options.communicator;
  plan.world = plan.comm ? plan.comm->world_size() : 1;
  plan.rank = plan.comm ? plan.comm->rank() : 0;
  plan.shard = plan.recipe.batch / plan.world;
  if (plan.comm) {
    EFFBENCH_CHECK(plan.classifier,
                   "--distributed --dataset: data-parallel training to a result supports the classifiers "
                   "(conv6, vgg16, resnet18), not '",
                   model_name, "'");
    EFFBENCH_CHECK(plan.recipe.batch % plan.world == 0, "--batch: the global batch ", plan.recipe.batch,
                   " does not divide over ", plan.world, " ranks; choose a multiple of ", plan.world);
  }
  plan.recipe.epochs = options.epochs.value_or(plan.recipe.epochs);
  plan.use_target = plan.classifier && options.target.has_value();
  plan.max_epochs = plan.use_target ? options.max_epochs.value_or(plan.recipe.epochs) : plan.recipe.epochs;
  if (!plan.classifier && options.target) {
    record.notes.push_back("--target-accuracy applies to classifiers; " + model_name + " trained for " +
                           std::to_string(plan.recipe.epochs) + " epochs");
  }
  if (plan.classifier && options.dataset == "folders") {
    throw Error("--dataset folders holds unlabelled image domains for cyclegan; " + model_name +
                " needs a labelled dataset (fashion-mnist, mnist, cifar10)");
  }
  return plan;
}

// The data of a case on the device, with its loaders: built on the clock.
struct TrainingData {
  ModelConfig config;       // the model's input shape and classes, from the data
  std::string dataset;      // as recorded: the dataset's name, or "folders:DIR"
  std::string description;  // for the notes and the screen
  std::unique_ptr<DataSource> train;
  int64_t steps_per_epoch = 0;
  std::unique_ptr<EvalBatches> eval;    // classifiers: the test split
  std::unique_ptr<EvalBatches> eval_b;  // cyclegan: eval holds domain A's test images, eval_b domain B's
  int64_t eval_images = 0;              // test images of one evaluation
};

TrainingData classifier_data(const Dataset& train, const Dataset& test, const std::string& dataset,
                             const TrainingRecipe& recipe, const torch::Device& device, int64_t seed) {
  TrainingData data;
  data.dataset = dataset;
  data.config.in_channels = train.images.size(1);
  data.config.image_size = 32;
  data.config.num_classes = train.num_classes;
  LoaderOptions train_options = train_loader_options(dataset, recipe.batch, device);
  // A generator of its own on a cpu: ranks that are threads of one process stay in step.
  if (device.is_cpu()) train_options.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  if (train_options.image_size_px == 0) data.config.image_size = train.images.size(2);
  auto loader = std::make_unique<DeviceEpochLoader>(train, train_options);
  data.steps_per_epoch = loader->batches_per_epoch();
  data.train = std::move(loader);
  data.eval = std::make_unique<EvalBatches>(test, eval_loader_options(dataset, recipe.eval_batch, device));
  data.eval_images = data.eval->num_samples();
  const int64_t native_px = train.images.size(2);
  data.description =
      dataset + ": " + std::to_string(train.size()) + " training / " + std::to_string(test.size()) +
      " test images of " + std::to_string(native_px) + "x" + std::to_string(train.images.size(3)) +
      (data.config.image_size != native_px ? ", padded to " + std::to_string(data.config.image_size) + "x" +
                                                 std::to_string(data.config.image_size)
                                           : "");
  return data;
}

// `folders_dir`: the unpaired folders the domains came from (empty: two
// classes of `dataset`, padded from 28x28 to 32, since the generators
// downsample by 4).
TrainingData unpaired_data(const UnpairedSplits& unpaired, const std::string& dataset,
                           const std::string& folders_dir, const TrainingRecipe& recipe,
                           const torch::Device& device) {
  const bool folders = !folders_dir.empty();
  TrainingData data;
  data.dataset = folders ? "folders:" + folders_dir : dataset;
  const int64_t image_px = folders ? 0 : 32;
  data.config.in_channels = unpaired.train_a.images.size(1);
  data.config.image_size = folders ? unpaired.train_a.images.size(2) : image_px;
  const LoaderOptions train_options = unpaired_loader_options(recipe.batch, image_px, device);
  auto loader = std::make_unique<UnpairedEpochLoader>(unpaired.train_a, unpaired.train_b, train_options);
  data.steps_per_epoch = loader->batches_per_epoch();
  data.train = std::move(loader);
  LoaderOptions eval_options = train_options;
  eval_options.batch_size = recipe.eval_batch;
  data.eval = std::make_unique<EvalBatches>(unpaired.test_a, eval_options);
  data.eval_b = std::make_unique<EvalBatches>(unpaired.test_b, eval_options);
  data.eval_images = data.eval->num_samples() + data.eval_b->num_samples();
  const int64_t px = data.config.image_size;
  data.description = (folders ? "unpaired folders " + folders_dir : "two " + dataset + " classes") + ": " +
                     unpaired.description + " (" + std::to_string(unpaired.train_a.size()) + " + " +
                     std::to_string(unpaired.train_b.size()) + " training, " +
                     std::to_string(unpaired.test_a.size()) + " + " + std::to_string(unpaired.test_b.size()) +
                     " test images, " + std::to_string(px) + "x" + std::to_string(px) + ")";
  return data;
}

UnpairedSplits first_samples(const UnpairedSplits& splits, int64_t train_count, int64_t test_count) {
  UnpairedSplits subset = splits;
  subset.train_a = first_samples(splits.train_a, train_count);
  subset.train_b = first_samples(splits.train_b, train_count);
  subset.test_a = first_samples(splits.test_a, test_count);
  subset.test_b = first_samples(splits.test_b, test_count);
  return subset;
}

// Reads the data set and takes the subset and domains asked for (a failure
// is the input's: DataError), then builds the loaders.
TrainingData load_training_data(const TrainingPlan& plan, const AccuracyOptions& options,
                                const torch::Device& device) {
  const bool folders =
      !plan.classifier && (options.dataset == "folders" || has_unpaired_folders(options.data_dir));
  Dataset train, test;      // classifiers
  UnpairedSplits unpaired;  // cyclegan
  try {
    if (folders) {
      unpaired = first_samples(load_unpaired(options.data_dir, options.image_size.value_or(0)),
                               options.train_samples, options.test_samples);
    } else {
      const DatasetSplits splits = load_dataset(options.dataset, options.data_dir);
      train = first_samples(splits.train, options.train_samples);
      test = first_samples(splits.test, options.test_samples);
      if (!plan.classifier) {
        const auto classes = fallback_domains(options.dataset);
        unpaired = unpaired_from_classes({train, test}, classes.first, classes.second);
      }
    }
  } catch (const Error& e) {
    throw DataError(e.what());
  }
  if (plan.classifier)
    return classifier_data(train, test, options.dataset, plan.recipe, device, options.seed);
  return unpaired_data(unpaired, options.dataset, folders ? options.data_dir : "", plan.recipe, device);
}

// A figure summed over the ranks (this rank's alone without a communicator).
double sum_over_ranks(Communicator* comm, double value) {
  if (!comm) return value;
  double sum = 0;
  for (const auto& values : comm->all_gather({value})) sum += values.at(0);
  return sum;
}

// Test accuracy, the evaluation sharded over the ranks (Note [Data-parallel time to accuracy]).
std::function<double()> classifier_accuracy(Model& model, const EvalBatches& eval, const TrainingPlan& plan,
                                            const torch::Device& device) {
  return [&model, &eval, &plan, device] {
    model.train(false);
    double correct = 0;
    {
      c10::InferenceMode inference;
      torch::Tensor count = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
      for (int64_t i = plan.rank; i < eval.num_batches(); i += plan.world) {
        throw_if_interrupted();  // an evaluation of a large model takes minutes on a CPU
        const Batch batch = eval.batch(i);
        count.add_(model.forward(batch.input).argmax(1).eq(batch.target).sum());
      }
      correct = static_cast<double>(count.item<int64_t>());
    }
    // Outside InferenceMode: the collective writes into its tensors.
    return sum_over_ranks(plan.comm, correct) / static_cast<double>(eval.num_samples());
  };
}

// Cycle-consistency L1 over the test images of both domains, in the
// normalised [-1, 1] pixel range the generators work in.
std::function<double()> cycle_l1(Model& model, const EvalBatches& eval_a, const EvalBatches& eval_b,
                                 const torch::Device& device) {
  auto g_ba = backward_generator(model);
  return [&model, &eval_a, &eval_b, g_ba, device] {
    model.train(false);
    c10::InferenceMode inference;
    torch::Tensor l1_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
    double values = 0;
    for (const Batch& batch : eval_a) {
      throw_if_interrupted();
      l1_sum.add_((g_ba(model.forward(batch.input)) - batch.input).abs().sum().to(torch::kDouble));
      values += static_cast<double>(batch.input.numel());
    }
    for (const Batch& batch : eval_b) {
      throw_if_interrupted();
      l1_sum.add_((model.forward(g_ba(batch.input)) - batch.input).abs().sum().to(torch::kDouble));
      values += static_cast<double>(batch.input.numel());
    }
    return l1_sum.item<double>() / values;
  };
}

// Where the training loop stands: optimiser steps and global-batch samples so far.
struct TrainingProgress {
  int64_t steps = 0;
  int64_t samples_processed = 0;  // of the global batch
  double last_lr = 0;
};

// One epoch of training on this rank's shard of every batch; returns the mean of the ranks' mean losses.
std::function<double(int64_t)> training_epoch(Model& model, Trainer& trainer, DataSource& train,
                                              int64_t steps_per_epoch, const LrSchedule& schedule,
                                              const TrainingPlan& plan, const torch::Device& device,
                                              TrainingProgress& progress,
                                              std::function<void(int64_t steps)> step_done) {
  return [&, steps_per_epoch, device, step_done](int64_t epoch) {
    model.train(true);
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
    for (int64_t i = 0; i < steps_per_epoch; ++i) {
      throw_if_interrupted();
      progress.last_lr = schedule.lr_at(progress.steps);
      trainer.set_lr(progress.last_lr);
      const Batch batch = train.next();
      if (plan.comm) {  // this rank's shard of the global batch (classifiers only)
        plan.comm->set_step(progress.steps + 1);
        loss_sum.add_(trainer.step(batch.input.narrow(0, plan.rank * plan.shard, plan.shard),
                                   batch.target.narrow(0, plan.rank * plan.shard, plan.shard)));
      } else {
        loss_sum.add_(trainer.step(batch.input, batch.target));
      }
      ++progress.steps;
      progress.samples_processed += batch.input.size(0);  // the global batch
      step_done(progress.steps);
    }
    const double loss =
        sum_over_ranks(plan.comm, loss_sum.item<double>() / static_cast<double>(steps_per_epoch)) /
        static_cast<double>(plan.world);
    check_finite_loss(loss, "in epoch " + std::to_string(epoch));
    return loss;
  };
}

LrSchedule schedule_for(const TrainingRecipe& recipe, int64_t steps_per_epoch) {
  LrSchedule schedule;
  schedule.kind = recipe.schedule;
  schedule.peak_lr = recipe.peak_lr;
  schedule.total_steps = std::max<int64_t>(1, steps_per_epoch * recipe.epochs);
  schedule.warmup_steps =
      std::min(schedule.total_steps - 1,
               static_cast<int64_t>(std::llround(recipe.warmup_fraction * schedule.total_steps)));
  return schedule;
}

AccuracyResult accuracy_result(const LoopSettings& settings, const LoopOutcome& outcome,
                               const TrainingData& data, const TrainingPlan& plan,
                               const AccuracyOptions& options, const EpochLog& log, CaseRecord& record) {
  AccuracyResult result;
  result.dataset = data.dataset;
  result.metric = settings.metric;
  result.higher_is_better = settings.higher_is_better;
  result.value = outcome.epochs.back().value;
  result.epochs = static_cast<int64_t>(outcome.epochs.size());
  result.train_time_s = outcome.seconds;
  result.epoch_log = log.path();
  result.eval_images = data.eval_images;
  if (!plan.use_target) return result;
  result.target = options.target;
  result.reached_target = outcome.reached_target;
  result.time_to_target_s = outcome.time_to_target_s;
  result.energy_to_target_j = outcome.energy_to_target_j;
  if (!outcome.reached_target) {
    double best = 0;
    for (const auto& e : outcome.epochs) best = std::max(best, e.value);
    record.notes.push_back("did not reach target " + percent(*options.target) + " in " +
                           std::to_string(plan.max_epochs) + " epochs (best " + percent(best) +
                           "); --max-epochs allows more");
  }
  return result;
}

// This rank's data-parallel figures of a training run; the other ranks' are not gathered.
DistributedResult training_distributed_result(const TrainingPlan& plan, const AccuracyOptions& options,
                                              const AllReduceStats& stats, const LoopOutcome& outcome,
                                              int64_t steps) {
  DistributedResult d;
  d.backend = plan.comm->backend();
  d.world_size = plan.world;
  d.per_process_batch = plan.shard;
  d.single_process_source = "none";  // no throughput_1 in a training run: no scaling efficiency
  d.bucket_cap_bytes = options.bucket_cap_mb * 1024 * 1024;
  d.bytes_per_step = stats.bytes_per_step;
  d.buckets = stats.buckets;
  if (stats.calls > 0) d.allreduce_s = stats.seconds / static_cast<double>(stats.calls);
  double train_s = 0;
  for (const auto& e : outcome.epochs) train_s += e.train_s;
  if (steps > 0) d.compute_s = std::max(0.0, train_s / static_cast<double>(steps) - d.allreduce_s);
  RankFigures mine;
  mine.rank = plan.rank;
  mine.steps = steps;
  mine.compute_s = d.compute_s;
  mine.allreduce_s = d.allreduce_s;
  if (train_s > 0) mine.samples_per_s = static_cast<double>(steps * plan.shard) / train_s;
  d.ranks.push_back(mine);
  return d;
}

// Training throughput per epoch: training steps only, evaluations excluded.
void record_epoch_throughput(const LoopOutcome& outcome, int64_t steps_per_epoch, int64_t batch,
                             int64_t steps, CaseRecord& record) {
  std::vector<double> throughputs;
  double train_s = 0;
  for (const auto& e : outcome.epochs) {
    train_s += e.train_s;
    throughputs.push_back(static_cast<double>(steps_per_epoch * batch) / std::max(e.train_s, 1e-9));
  }
  record.timed_iterations = steps;
  record.timed_s = train_s;
  // Per-epoch throughput: the first epoch's start-up makes a CV warning meaningless here.
  record_throughput(throughputs, std::numeric_limits<double>::infinity(), record);
}

void run_body(const std::string& model_name, const Device& device_id, const AccuracyOptions& options,
              const AccuracyHooks& hooks, EpochLog& log, CaseRecord& record) {
  const torch::Device device = torch_device(device_id);
  const TrainingPlan plan = plan_training(model_name, options, record);
  const TrainingRecipe& recipe = plan.recipe;
  set_deterministic(options.deterministic);
  torch::manual_seed(static_cast<uint64_t>(options.seed));
  // The device's own start-up is not part of the training (Note [Time to accuracy]).
  torch::zeros({1}, torch::TensorOptions().device(device)).add_(1);
  synchronize_device(device_id);

  const Stopwatch clock;  // Note [Time to accuracy]: before the first data access
  if (hooks.start) hooks.start();
  const TrainingData data = load_training_data(plan, options, device);
  if (!plan.classifier && hooks.on_message) hooks.on_message("cyclegan trains on " + data.description);
  record.notes.push_back("data: " + data.description);
  if (options.train_samples > 0 || options.test_samples > 0) {
    auto count = [](int64_t n) { return n > 0 ? std::to_string(n) : std::string("all"); };
    record.notes.push_back("subset: first " + count(options.train_samples) + " training / " +
                           count(options.test_samples) + " test images (not a full-dataset result)");
  }

  std::unique_ptr<Model> model = build_model(model_name, data.config, device_id, options.seed);
  if (plan.comm) {
    plan.comm->set_step(0);
    plan.comm->broadcast_module(model->module());
    record.notes.push_back("data parallel: " + std::to_string(plan.world) + " ranks x batch " +
                           std::to_string(plan.shard) + " (" + plan.comm->backend() +
                           "); BatchNorm per rank; sharded evaluation");
  }
  describe_model(*model, Mode::kTrain, record);
  record.batch = recipe.batch;

  TrainOptions train_options;
  train_options.optimizer = recipe.optimizer;
  train_options.lr = recipe.peak_lr;
  train_options.momentum = recipe.momentum;
  train_options.weight_decay = recipe.weight_decay;
  std::unique_ptr<GradientAllReducer> reducer;
  if (plan.comm) {
    reducer = std::make_unique<GradientAllReducer>(*plan.comm,
                                                   static_cast<int64_t>(options.bucket_cap_mb * 1024 * 1024));
    train_options.gradient_hook = [&reducer](std::vector<torch::Tensor>& grads) { (*reducer)(grads); };
  }
  std::unique_ptr<Trainer> trainer = model->make_trainer(train_options);
  const LrSchedule schedule = schedule_for(recipe, data.steps_per_epoch);
  record.notes.push_back("recipe: " + recipe.describe() + "; seed " + std::to_string(options.seed) +
                         (options.deterministic ? ", deterministic algorithms" : ""));

  nlohmann::json start = {{"event", "start"},
                          {"model", model_name},
                          {"device", device_id.str()},
                          {"dataset", options.dataset},
                          {"data", data.description},
                          {"seed", options.seed},
                          {"deterministic", options.deterministic},
                          {"recipe", recipe.describe()},
                          {"batch", recipe.batch},
                          {"steps_per_epoch", data.steps_per_epoch},
                          {"max_epochs", plan.max_epochs}};
  start["target"] = plan.use_target ? nlohmann::json(*options.target) : nlohmann::json(nullptr);
  log.write_line(start.dump());

  TrainingProgress progress;
  progress.last_lr = schedule.lr_at(0);
  TrainingLoop loop;
  loop.current_lr = [&] { return progress.last_lr; };
  const double most_steps = static_cast<double>(data.steps_per_epoch * plan.max_epochs);
  auto step_done = [&](int64_t steps) {
    if (hooks.progress) hooks.progress(static_cast<double>(steps) / most_steps);
  };
  step_done(0);
  loop.train_epoch = training_epoch(*model, *trainer, *data.train, data.steps_per_epoch, schedule, plan,
                                    device, progress, step_done);
  loop.evaluate = plan.classifier ? classifier_accuracy(*model, *data.eval, plan, device)
                                  : cycle_l1(*model, *data.eval, *data.eval_b, device);

  LoopSettings settings;
  settings.model = model_name;
  settings.device = device_id.str();
  settings.metric = plan.classifier ? "test_accuracy" : "cycle_l1";
  settings.higher_is_better = plan.classifier;
  settings.max_epochs = plan.max_epochs;
  if (plan.use_target) settings.target = options.target;
  const LoopOutcome outcome = run_training_loop(settings, loop, clock, hooks, &log);
  if (hooks.finish) hooks.finish(record, progress.samples_processed);

  const AccuracyResult result = accuracy_result(settings, outcome, data, plan, options, log, record);
  record.accuracy = result;
  if (plan.comm) {
    record.distributed =
        training_distributed_result(plan, options, reducer->stats(), outcome, progress.steps);
  }
  record_epoch_throughput(outcome, data.steps_per_epoch, recipe.batch, progress.steps, record);

  nlohmann::json end = {{"event", "end"},          {"model", model_name},        {"device", device_id.str()},
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
  // More epochs than this is a typo, and steps x epochs must not overflow.
  constexpr int64_t kMostEpochs = 100000;
  EFFBENCH_CHECK(!o.epochs || (*o.epochs > 0 && *o.epochs <= kMostEpochs),
                 "--epochs: expected a count in [1, ", kMostEpochs, "] but got ", o.epochs.value_or(0));
  EFFBENCH_CHECK(!o.max_epochs || (*o.max_epochs > 0 && *o.max_epochs <= kMostEpochs),
                 "--max-epochs: expected a count in [1, ", kMostEpochs, "] but got ",
                 o.max_epochs.value_or(0));
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
  EFFBENCH_CHECK(!is_sqlite_database(path), "--epoch-log ", path,
                 ": is an SQLite database (the results database?); appending to it would corrupt it: choose "
                 "another path");
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
  spec.mode = Mode::kTrain;  // fp32 eager: CaseSpec's defaults
  CaseRecord record = begin_case_record(spec);
  EpochLog log(options.epoch_log_path);  // an unwritable log is the user's fault: throws
  // A case that stops early still stops its meters (and keeps what they read).
  bool started = false, finished = false;
  AccuracyHooks tracked = hooks;
  tracked.start = [&] {
    started = true;
    if (hooks.start) hooks.start();
  };
  tracked.finish = [&](CaseRecord& r, int64_t samples_processed) {
    finished = true;
    if (hooks.finish) hooks.finish(r, samples_processed);
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
