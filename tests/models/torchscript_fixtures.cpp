#include "torchscript_fixtures.h"

#include <torch/script.h>
#include <torch/torch.h>

namespace effbench {
namespace fixtures {
namespace {

torch::Tensor parameter(std::vector<int64_t> shape) { return torch::randn(shape).requires_grad_(true); }

}  // namespace

void write_tiny_net(const std::string& path) {
  torch::manual_seed(1);
  torch::jit::Module block("Block");
  block.register_parameter("weight", parameter({4, 3, 3, 3}), false);
  block.register_parameter("bias", parameter({4}), false);
  block.define(R"(
def forward(self, x):
    return torch.relu(torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1]))
)");
  torch::jit::Module net("TinyNet");
  net.register_module("block", block);
  net.register_parameter("fc_weight", parameter({10, 256}), false);
  net.register_parameter("fc_bias", parameter({10}), false);
  net.define(R"(
def forward(self, x):
    return torch.linear(torch.flatten(self.block.forward(x), 1), self.fc_weight, self.fc_bias)
)");
  net.save(path);
}

void write_up_net(const std::string& path) {
  torch::manual_seed(2);
  torch::jit::Module net("UpNet");
  net.register_parameter("up_weight", parameter({2, 3, 2, 2}), false);
  net.register_parameter("head", parameter({192, 5}), false);
  net.define(R"(
def forward(self, x):
    y = torch.conv_transpose2d(x, self.up_weight, None, [2, 2])
    return torch.matmul(torch.flatten(y, 1), self.head)
)");
  net.save(path);
}

void write_tied_net(const std::string& path) {
  torch::manual_seed(3);
  const torch::Tensor shared = parameter({4, 4});
  torch::jit::Module first("First");
  first.register_parameter("weight", shared, false);
  first.define(R"(
def forward(self, x):
    return torch.matmul(x, self.weight)
)");
  torch::jit::Module second("Second");
  second.register_parameter("weight", shared, false);
  second.define(R"(
def forward(self, x):
    return torch.matmul(x, self.weight)
)");
  torch::jit::Module net("TiedNet");
  net.register_module("first", first);
  net.register_module("second", second);
  net.define(R"(
def forward(self, x):
    return self.second.forward(self.first.forward(x))
)");
  net.save(path);
}

void write_no_params(const std::string& path) {
  torch::jit::Module net("NoParams");
  net.register_buffer("scale", torch::full({4}, 2.0));
  net.define(R"(
def forward(self, x):
    return x * self.scale
)");
  net.save(path);
}

void write_pair_out(const std::string& path) {
  torch::jit::Module net("PairOut");
  net.register_parameter("w", parameter({4}), false);
  net.define(R"(
def forward(self, x):
    return (x * self.w, x)
)");
  net.save(path);
}

}  // namespace fixtures
}  // namespace effbench
