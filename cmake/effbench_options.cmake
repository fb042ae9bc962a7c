# Compiler settings shared by every effbench target.
add_library(effbench_warnings INTERFACE)
target_compile_options(effbench_warnings INTERFACE -Wall -Wextra)
if(EFFBENCH_WERROR)
  target_compile_options(effbench_warnings INTERFACE -Werror)
endif()

# Note [Sanitizer builds]
# EFFBENCH_SANITIZE=ON (or address,undefined): ASan and UBSan; =thread: TSan.
# Every effbench target and the test binaries are instrumented; LibTorch,
# Gloo, OpenBLAS and libgomp come from Debian and are not. The run-time
# options and suppressions, each with the reason it is not effbench's, live
# in .ci/sanitizers/ and are applied by scripts/sanitize.sh, which CI runs.
# A UBSan report stops the program there (UBSAN_OPTIONS=halt_on_error=1), so
# a test that triggers one fails. UBSan is compiled recoverable on purpose:
# with -fno-sanitize-recover its handlers abort before the suppressions are
# consulted, and one is needed for a third-party header compiled into the
# tests (stb_image_write.h, .ci/sanitizers/ubsan.supp).
if(EFFBENCH_SANITIZE)
  if(EFFBENCH_SANITIZE STREQUAL "thread")
    set(effbench_sanitizers thread)
  elseif(EFFBENCH_SANITIZE MATCHES "^(ON|On|on|1|YES|yes|TRUE|true|address,undefined)$")
    set(effbench_sanitizers address,undefined)
  endif()
  if(NOT effbench_sanitizers)
    message(FATAL_ERROR "EFFBENCH_SANITIZE: expected OFF, ON, address,undefined or thread but got '${EFFBENCH_SANITIZE}'")
  endif()
  add_compile_options(-fsanitize=${effbench_sanitizers} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${effbench_sanitizers})
  # GCC's flow analysis sees through the instrumentation poorly: with
  # -fsanitize it reports -Wmaybe-uninitialized on LibTorch's inlined
  # c10::optional<at::Generator> copies (TensorBody.h normal_, GCC 12),
  # which the plain -Werror build does not. That one warning is off here only.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  message(STATUS "effbench: sanitizers: ${effbench_sanitizers}")
endif()

# Note [Fuzz targets] in fuzz/CMakeLists.txt: coverage for libFuzzer in every
# library the targets link, with ASan and UBSan.
if(EFFBENCH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EFFBENCH_FUZZ needs clang (libFuzzer) but the compiler is ${CMAKE_CXX_COMPILER_ID}; "
                        "configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# effbench_library(NAME SOURCES... [TORCH] [DEPS targets...])
# Declares the static library of one src/ folder. TORCH marks the few folders
# allowed to include <torch/torch.h>; they share one precompiled header.
function(effbench_library name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE effbench_warnings)
  if(ARG_TORCH)
    effbench_use_torch(${name})
  endif()
endfunction()

# Links LibTorch and reuses one precompiled <torch/torch.h>.
function(effbench_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_compile_options(${target} PRIVATE ${TORCH_CXX_FLAGS})
  # Torch's own headers are noisy under -Wextra; treat them as system headers.
  target_include_directories(${target} SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS})
  if(EFFBENCH_HAS_CUDA)
    target_compile_definitions(${target} PUBLIC EFFBENCH_HAS_CUDA=1)
  endif()
  if(NOT TARGET effbench_torch_pch)
    add_library(effbench_torch_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
    target_link_libraries(effbench_torch_pch PUBLIC ${TORCH_LIBRARIES})
    target_include_directories(effbench_torch_pch SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS})
    target_precompile_headers(effbench_torch_pch PUBLIC <torch/torch.h>)
    if(EFFBENCH_HAS_CUDA)
      target_compile_definitions(effbench_torch_pch PUBLIC EFFBENCH_HAS_CUDA=1)
    endif()
  endif()
  if(NOT target STREQUAL effbench_torch_pch)
    target_precompile_headers(${target} REUSE_FROM effbench_torch_pch)
  endif()
endfunction()

# Note [Link-only build]
# CI compiles and links the CUDA variant (Debian's libtorch-cuda-dev) on a
# machine without a GPU. libtorch_cuda.so needs libcudnn.so.9, which no Debian
# package ships (nvidia-cudnn downloads it from NVIDIA at install time), so
# the linker is told not to resolve the symbols of shared libraries' own
# dependencies, and test discovery, which runs each test binary, waits until
# test time. The executables are complete but cannot start without cuDNN.
if(EFFBENCH_LINK_ONLY)
  add_link_options(LINKER:--allow-shlib-undefined)
  set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
endif()
