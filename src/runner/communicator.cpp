#include "runner/communicator.h"

// Note [c10d backends]
// LibTorch's c10d headers compile their backends only when USE_C10D_GLOO /
// USE_C10D_NCCL are defined, which LibTorch's CMake config does not export.
// We define them here, for this file alone, when the backend's own headers
// are present: Gloo's come from Debian's libgloo-dev (or a LibTorch that ships
// include/gloo); NCCL needs a CUDA build (EFFBENCH_HAS_CUDA) and nccl.h. The
// symbols themselves are in libtorch_cpu / libtorch_cuda. A backend whose
// headers are missing is reported at connect time, not at build time.
#if __has_include(<gloo/algorithm.h>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#define EFFBENCH_HAS_GLOO 1
#endif
#if defined(EFFBENCH_HAS_CUDA) && __has_include(<nccl.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#define EFFBENCH_HAS_NCCL 1
#endif

#include <torch/version.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef EFFBENCH_HAS_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef EFFBENCH_HAS_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <cstdlib>

#include "core/clock.h"
#include "core/error.h"
#include "core/units.h"
#include "runner/devices.h"
#include "runner/torch_device.h"

namespace effbench {
namespace {

// LibTorch 2.0 split ProcessGroup into a dispatching ProcessGroup and the
// per-backend c10d::Backend that ProcessGroupGloo/NCCL now derive from; the
// collective calls we use are the same on both.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

std::string first_line(const std::string& text) {
  const auto newline = text.find('\n');
  return newline == std::string::npos ? text : text.substr(0, newline);
}

std::string exception_text(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
    return first_line(c10_error->what_without_backtrace());
  }
  return first_line(e.what());
}

std::vector<uint8_t> bytes_of(const std::string& text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}
std::string text_of(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, seconds) * 1000.0));
}

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "localhost" || address == "::1";
}

std::string rank_list(const std::vector<int64_t>& ranks) {
  std::string text;
  for (size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
  return text;
}

std::string choose_backend(const std::string& requested, const Device& device) {
  const bool cuda = device.is_cuda();
  std::string backend = requested;
  if (backend == "auto") backend = cuda ? "nccl" : "gloo";
  check(backend == "gloo" || backend == "nccl",
        "--dist-backend: expected auto, gloo or nccl but got '" + requested + "'");
  check(backend == "gloo" || cuda,
        "--dist-backend nccl needs a CUDA device but the run uses '" + device.str() + "'");
#ifndef EFFBENCH_HAS_NCCL
  if (backend == "nccl" && requested == "auto")
    backend = "gloo";  // Gloo also reduces CUDA tensors (via host copies)
#endif
#ifndef EFFBENCH_HAS_GLOO
  check(backend != "gloo",
        "this effbench was built without the Gloo headers (install libgloo-dev and rebuild)");
#endif
#ifndef EFFBENCH_HAS_NCCL
  check(backend != "nccl",
        "this effbench was built without NCCL (needs a CUDA LibTorch and nccl.h); use "
        "--dist-backend gloo");
#endif
  return backend;
}

}  // namespace

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;  // effbench's keys (progress, rendezvous checks)
  c10::intrusive_ptr<CollectiveGroup> group;
  int64_t rank = 0;
  int64_t world_size = 1;
  std::string backend;
  Device device;
  double timeout_s = 120;
  int64_t step = 0;
  int64_t text_rounds = 0;  // all_gather_text calls so far (the same on every rank)

  std::string progress_key(int64_t r) const { return "progress/" + std::to_string(r); }

  // Note [Naming the failed rank]
  // Before each step's all-reduce a rank records the step in the store
  // ("progress/<rank>"). When a collective fails (a peer's connection closed)
  // or times out, the survivors read every rank's progress: a rank that never
  // reached the failing step died or hangs before it. The store is served by
  // rank 0, so when it cannot be read, rank 0 is the one gone. A rank that
  // dies inside the collective itself is reported as "a peer" with the
  // backend's own message.
  std::string describe_fault(const std::string& collective, const std::string& backend_text) {
    std::string cause;
    try {
      store->setTimeout(std::chrono::milliseconds(3000));  // restored below: the run may go on
      std::vector<int64_t> behind;
      std::string last_seen;
      for (int64_t r = 0; r < world_size; ++r) {
        if (r == rank) continue;
        const std::string key = progress_key(r);
        const int64_t seen = store->check({key}) ? std::stoll(text_of(store->get(key))) : -1;
        if (seen < step) {
          behind.push_back(r);
          last_seen += (last_seen.empty() ? "" : ", ") + std::string("rank ") + std::to_string(r) + ": " +
                       (seen < 0 ? "none" : "step " + std::to_string(seen));
        }
      }
      if (!behind.empty()) {
        cause = std::string(behind.size() == 1 ? "rank " : "ranks ") + rank_list(behind) +
                " never reached step " + std::to_string(step) + " (last step entered: " + last_seen +
                "): the process died or hangs";
      } else {
        cause = "a peer closed its connection or stalled inside the collective";
      }
    } catch (const std::exception&) {
      cause = rank == 0 ? "the rendezvous store is unreadable"
                        : "rank 0 (which hosts the rendezvous store) is unreachable: it died or hangs";
    }
    try {
      store->setTimeout(to_ms(timeout_s));
    } catch (const std::exception&) {
    }
    return "rank " + std::to_string(rank) + ": " + collective + " at step " + std::to_string(step) +
           " failed after " + "at most --dist-timeout-s " + format_number(timeout_s) + " s: " + cause + " [" +
           backend + ": " + backend_text + "]";
  }

  // Runs `body`; turns a backend failure into an Error naming the ranks behind.
  template <typename Body>
  void guarded(const std::string& collective, Body&& body) {
    try {
      body();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(describe_fault(collective, exception_text(e)), ExitCode::kCasesFailed);
    }
  }

  void wait(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(to_ms(timeout_s)); }
};

namespace {

// Every rank checks, before the backend connects, that it is the only
// process with its rank and that its WORLD_SIZE is rank 0's: a mismatch
// otherwise shows up as a hang or a cryptic backend error.
void check_membership(c10d::Store& store, int64_t rank, int64_t world_size, double timeout_s) {
  const std::string me = std::to_string(rank);
  const int64_t claims = store.add("claims/" + me, 1);
  check(claims == 1,
        "RANK " + me + " is used by two processes: every process needs its own RANK in 0..WORLD_SIZE-1");
  // A rank announces itself only once it agrees with rank 0, so that rank 0
  // counts it missing otherwise.
  if (rank != 0) {
    try {
      store.wait({"world_size/0"}, to_ms(timeout_s));
    } catch (const std::exception&) {
      throw Error("rank " + me + ": rank 0 did not join within --dist-timeout-s " + format_number(timeout_s) +
                  " s");
    }
    const int64_t rank0_world = std::stoll(text_of(store.get("world_size/0")));
    check(rank0_world == world_size, "WORLD_SIZE mismatch: rank " + me +
                                         " has WORLD_SIZE=" + std::to_string(world_size) +
                                         " but rank 0 has " + std::to_string(rank0_world) +
                                         "; start every process with the same WORLD_SIZE");
  }
  store.set("world_size/" + me, bytes_of(std::to_string(world_size)));
  std::vector<std::string> keys;
  for (int64_t r = 0; r < world_size; ++r) keys.push_back("world_size/" + std::to_string(r));
  try {
    store.wait(keys, to_ms(timeout_s));
  } catch (const std::exception&) {
    std::vector<int64_t> missing;
    for (int64_t r = 0; r < world_size; ++r) {
      if (!store.check({keys[static_cast<size_t>(r)]})) missing.push_back(r);
    }
    throw Error("rank " + me + ": only " + std::to_string(world_size - static_cast<int64_t>(missing.size())) +
                " of " + std::to_string(world_size) + " ranks joined within --dist-timeout-s " +
                format_number(timeout_s) + " s; missing ranks: " + rank_list(missing) +
                " (not started, crashed, or started with another "
                "WORLD_SIZE / MASTER_PORT)");
  }
}

std::unique_ptr<Communicator::Impl> make_group(c10::intrusive_ptr<c10d::Store> base, int64_t rank,
                                               int64_t world_size, const Device& device,
                                               const DistributedOptions& options,
                                               const std::string& host_address) {
  check(options.timeout_s > 0,
        "--dist-timeout-s: expected seconds > 0 but got " + format_number(options.timeout_s));
  auto impl = std::make_unique<Communicator::Impl>();
  impl->rank = rank;
  impl->world_size = world_size;
  impl->device = device;
  impl->timeout_s = options.timeout_s;
  impl->backend = choose_backend(options.backend, device);
  impl->store = c10::make_intrusive<c10d::PrefixStore>("effbench", base);
  impl->store->setTimeout(to_ms(options.timeout_s));
  check_membership(*impl->store, rank, world_size, options.timeout_s);
  auto group_store = c10::make_intrusive<c10d::PrefixStore>("pg", base);
  try {
    if (impl->backend == "gloo") {
#ifdef EFFBENCH_HAS_GLOO
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(to_ms(options.timeout_s));
      // Same choice of network device as torch.distributed: GLOO_SOCKET_IFNAME
      // names an interface; else the host's address (loopback for loopback jobs).
      const char* interface_name = std::getenv("GLOO_SOCKET_IFNAME");
      if (interface_name != nullptr && *interface_name != '\0') {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface_name));
      } else if (is_loopback(host_address)) {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else {
        gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      gloo_options->threads = 2;
      impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(group_store, static_cast<int>(rank),
                                                                static_cast<int>(world_size), gloo_options);
#endif
    } else {
#ifdef EFFBENCH_HAS_NCCL
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = to_ms(options.timeout_s);
      impl->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_store, static_cast<int>(rank),
                                                                static_cast<int>(world_size), nccl_options);
#endif
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(rank) + ": the " + impl->backend +
                " process group could not connect: " + exception_text(e));
  }
  check(impl->group.defined(), "backend '" + impl->backend + "' is not available in this build");
  return impl;
}

}  // namespace

Communicator::Communicator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Communicator::~Communicator() = default;

std::unique_ptr<Communicator> Communicator::connect_tcp(const DistributedEnv& env, const Device& device,
                                                        const DistributedOptions& options) {
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(env.master_port);
  store_options.isServer = env.rank == 0;
  store_options.numWorkers = static_cast<std::size_t>(env.world_size);
  store_options.waitWorkers = false;  // check_membership waits, with a message naming the missing ranks
  store_options.timeout = to_ms(options.timeout_s);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  // LibTorch 2.4 made libuv the TCPStore's default backend, and a LibTorch
  // built without libuv (Debian's 2.6) refuses to start a store that asks for
  // it. The classic backend exists in every build and serves effbench's few
  // ranks as well; use it everywhere, so every build behaves the same.
  store_options.useLibUV = false;
#endif
  c10::intrusive_ptr<c10d::Store> store;
  const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
  try {
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
  } catch (const std::exception& e) {
    const std::string text = exception_text(e);
    if (env.rank == 0 && text.find("in use") != std::string::npos) {
      throw Error("MASTER_PORT " + std::to_string(env.master_port) +
                  " is in use on this host (another job?); " + "choose a free MASTER_PORT [" + text + "]");
    }
    if (env.rank == 0) throw Error("rank 0 could not serve the rendezvous store on " + where + ": " + text);
    throw Error("rank " + std::to_string(env.rank) +
                " could not reach the master at MASTER_ADDR:MASTER_PORT " + where +
                " within --dist-timeout-s " + format_number(options.timeout_s) +
                " s (rank 0 not started, wrong address or port, or a firewall) [" + text + "]");
  }
  return std::unique_ptr<Communicator>(
      new Communicator(make_group(store, env.rank, env.world_size, device, options, env.master_addr)));
}

std::unique_ptr<Communicator> Communicator::connect_file(const std::string& path, int64_t rank,
                                                         int64_t world_size, const Device& device,
                                                         const DistributedOptions& options) {
  auto store = c10::make_intrusive<c10d::FileStore>(path, static_cast<int>(world_size));
  return std::unique_ptr<Communicator>(
      new Communicator(make_group(store, rank, world_size, device, options, "127.0.0.1")));
}

int64_t Communicator::rank() const { return impl_->rank; }
int64_t Communicator::world_size() const { return impl_->world_size; }
const std::string& Communicator::backend() const { return impl_->backend; }
const Device& Communicator::device() const { return impl_->device; }
void Communicator::set_step(int64_t step) { impl_->step = step; }
int64_t Communicator::step() const { return impl_->step; }

void Communicator::broadcast_module(torch::nn::Module& module) {
  impl_->guarded("the parameter broadcast", [&] {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> tensors = module.parameters();
    for (const auto& b : module.buffers()) tensors.push_back(b);
    for (auto& t : tensors) {
      std::vector<torch::Tensor> one = {t.detach()};
      impl_->wait(impl_->group->broadcast(one, c10d::BroadcastOptions{}));
    }
  });
}

void Communicator::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  impl_->guarded("the gradient all-reduce", [&] {
    impl_->store->set(impl_->progress_key(impl_->rank), bytes_of(std::to_string(impl_->step)));
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& t : tensors) {
      std::vector<torch::Tensor> one = {t};
      works.push_back(impl_->group->allreduce(one, c10d::AllreduceOptions{}));
    }
    for (auto& work : works) impl_->wait(work);
  });
}

std::vector<std::vector<double>> Communicator::all_gather(const std::vector<double>& values) {
  std::vector<std::vector<double>> result;
  impl_->guarded("the gather of the figures", [&] {
    const auto options = torch::TensorOptions().dtype(torch::kFloat64).device(torch_device(impl_->device));
    std::vector<torch::Tensor> input = {
        torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64)).to(options.device())};
    std::vector<std::vector<torch::Tensor>> output(1);
    for (int64_t r = 0; r < impl_->world_size; ++r) {
      output[0].push_back(torch::empty({static_cast<int64_t>(values.size())}, options));
    }
    impl_->wait(impl_->group->allgather(output, input, c10d::AllgatherOptions{}));
    for (const auto& t : output[0]) {
      const torch::Tensor host = t.cpu().contiguous();
      result.emplace_back(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
    }
  });
  return result;
}

std::vector<std::string> Communicator::all_gather_text(const std::string& text) {
  std::vector<std::string> result;
  const std::string prefix = "text/" + std::to_string(impl_->text_rounds++) + "/";
  impl_->guarded("the gather of the measurements", [&] {
    impl_->store->set(prefix + std::to_string(impl_->rank), bytes_of(text));
    for (int64_t r = 0; r < impl_->world_size; ++r) {
      result.push_back(text_of(impl_->store->get(prefix + std::to_string(r))));  // waits up to the timeout
    }
  });
  return result;
}

void Communicator::barrier() {
  impl_->guarded("a barrier", [&] { impl_->wait(impl_->group->barrier(c10d::BarrierOptions{})); });
}

// Note [Gradient buckets]
// As PyTorch's DDP, gradients are flattened into buckets of at most
// bucket_cap_bytes (25 MiB by default) so that a model with hundreds of small
// tensors costs a few large collectives, not hundreds of small ones. Every
// bucket's all-reduce is issued before the first is waited for, so Gloo's
// worker threads (and NCCL's stream) pipeline them. Unlike DDP there is no
// overlap with backward: LibTorch's C++ API has no post-accumulate-grad hook
// (DDP's Reducer lives in the Python bindings), so the all-reduce starts when
// backward has returned. The time from flattening to the copy back is
// allreduce_s; on CUDA the device is synchronised around it so that the
// split between compute and all-reduce is real (one extra sync per step).
GradientAllReducer::GradientAllReducer(Communicator& communicator, int64_t bucket_cap_bytes)
    : communicator_(communicator), bucket_cap_bytes_(std::max<int64_t>(1, bucket_cap_bytes)) {}

void GradientAllReducer::operator()(std::vector<torch::Tensor>& grads) {
  const Device& device = communicator_.device();
  synchronize_device(device);
  const Stopwatch clock;
  std::vector<std::vector<size_t>> buckets;
  int64_t bucket_bytes = 0;
  int64_t total_bytes = 0;
  for (size_t i = 0; i < grads.size(); ++i) {
    const int64_t bytes = grads[i].numel() * static_cast<int64_t>(grads[i].element_size());
    const bool same_kind =
        !buckets.empty() && grads[buckets.back().front()].scalar_type() == grads[i].scalar_type();
    if (buckets.empty() || !same_kind || bucket_bytes + bytes > bucket_cap_bytes_) {
      buckets.emplace_back();
      bucket_bytes = 0;
    }
    buckets.back().push_back(i);
    bucket_bytes += bytes;
    total_bytes += bytes;
  }
  std::vector<torch::Tensor> flats;
  for (const auto& bucket : buckets) {
    std::vector<torch::Tensor> pieces;
    for (size_t i : bucket) pieces.push_back(grads[i].reshape({-1}));
    flats.push_back(torch::cat(pieces));
  }
  communicator_.all_reduce_sum(flats);
  const double scale = 1.0 / static_cast<double>(communicator_.world_size());
  {
    torch::NoGradGuard no_grad;
    for (size_t b = 0; b < buckets.size(); ++b) {
      flats[b].mul_(scale);
      int64_t offset = 0;
      for (size_t i : buckets[b]) {
        const int64_t n = grads[i].numel();
        grads[i].copy_(flats[b].narrow(0, offset, n).view_as(grads[i]));
        offset += n;
      }
    }
  }
  synchronize_device(device);
  stats_.calls += 1;
  stats_.seconds += clock.elapsed_s();
  stats_.bytes_per_step = total_bytes;
  stats_.buckets = static_cast<int64_t>(buckets.size());
}

}  // namespace effbench
