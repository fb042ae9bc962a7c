#pragma once
// Small TorchScript files written with LibTorch itself, for the TorchScript
// model tests and the CLI check (tests/models/make_torchscript_fixtures.cpp).
// Every count below is worked out by hand from the layers.

#include <string>

namespace effbench {
namespace fixtures {

// TinyNet: input 3x8x8; a submodule `block` with conv 3->4, 3x3, padding 1,
// then ReLU; flatten; linear 256 -> 10.
//   parameters: conv 4*3*3*3 + 4 = 112, linear 10*256 + 10 = 2570; 2682 in all
//   FLOPs per sample: conv 4*8*8 outputs x 3*3*3 multiply-adds = 6912,
//   linear 256*10 = 2560; 9472 multiply-adds = 18944 FLOPs
inline constexpr int64_t kTinyNetParams = 2682;
inline constexpr double kTinyNetFlops = 18944;
void write_tiny_net(const std::string& path);

// UpNet: input 2x4x4; conv_transpose 2->3, 2x2, stride 2 (out 3x8x8); flatten;
// matmul by a 192x5 weight.
//   FLOPs per sample: transposed conv 2*4*4 inputs x 3*2*2 = 384, matmul
//   192*5 = 960; 1344 multiply-adds = 2688 FLOPs
inline constexpr double kUpNetFlops = 2688;
void write_up_net(const std::string& path);

// TiedNet: input 4; two submodules holding the same 4x4 weight (tied),
// applied one after the other: 16 parameters, not 32.
void write_tied_net(const std::string& path);

// NoParams: input 4; returns x * 2 (a buffer, no parameters).
void write_no_params(const std::string& path);

// PairOut: input 4; returns (x, x) - a tuple, not a tensor.
void write_pair_out(const std::string& path);

}  // namespace fixtures
}  // namespace effbench
