#pragma once
// How this process's malloc serves large allocations (Note [Heap-only malloc]
// in allocator.cpp). Applied once at start-up by main(); recorded with every
// run (SystemInfo::allocator).

#include <string>

namespace effbench {

/// Applies the setting named by EFFBENCH_MALLOC: "heap" (the default: large
/// blocks from the heap, never given back) or "system" (glibc's defaults).
/// Returns the description recorded with runs. Throws effbench::Error naming
/// EFFBENCH_MALLOC and its value when it is neither.
std::string configure_allocator();

/// The description configure_allocator() returned ("glibc defaults" when it
/// was not called, e.g. in tests).
const std::string& allocator_setting();

}  // namespace effbench
