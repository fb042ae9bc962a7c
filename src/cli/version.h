#pragma once
#include <string>

namespace effbench {
/// "effbench 0.1.0 (commit abc), LibTorch 1.13.0, CUDA: no".
std::string version_text();
}  // namespace effbench
