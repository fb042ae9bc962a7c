#!/usr/bin/env bash
# The one command for a lent GPU machine (docs/gpu.md, "The GPU machine run").
# That machine has a GPU, python3 with a pip torch (CUDA), cmake, ninja and
# nvcc, and none of effbench's other dependencies: they come from the folder
# that scripts/gather_deps.sh makes on a Debian machine (device-deps/, carried
# with the working tree). In one go, inside DEADLINE_S (default 540 s):
#   1. build effbench against the pip LibTorch, with the folder
#   2. the CUDA tests, then the whole suite
#   3. the default suite on every device present (the speedup table, report)
#   4. the execution modes: fp32 eager/fused/graph, bf16 + channels-last
#   5. bench/gpu_vs_pytorch.sh (the comparison with PyTorch and the fusion table)
# Each step gets what is left of the deadline; a step that runs out is cut,
# says so in the summary, and the next steps are skipped. What comes back
# (at most 8 files): $OUT/summary.md (every table), $OUT/report.html,
# $OUT/results.tar.gz (JSON documents and logs).
#
#   OUT=/tmp/gpu bench/gpu_machine.sh
#
# Settings (environment): OUT (required), DEADLINE_S, DEPS_DIR (default
# device-deps), BUILD_DIR (default build-gpu), PYTHON (default python3),
# DEVICE (default cuda; cpu rehearses the script on a machine without a GPU),
# TORCH_PREFIX (CMake prefix of the LibTorch; default: the one python3 imports),
# COMPILE=1 (also torch.compile in the comparison; minutes per model).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:?set OUT to the folder for the results}"
DEADLINE_S=${DEADLINE_S:-540}
DEPS_DIR=${DEPS_DIR:-$root/device-deps}
BUILD_DIR=${BUILD_DIR:-$root/build-gpu}
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
mkdir -p "$OUT"
work=$(mktemp -d /tmp/effbench-gpu-machine-XXXXXX)
summary=$OUT/summary.md
start_s=$SECONDS
jobs=$(nproc)

say() { echo "$*" | tee -a "$summary"; }
left_s() { echo $((DEADLINE_S - (SECONDS - start_s))); }

# step NAME LOG CMD...: runs CMD with what is left of the deadline, its output
# in $work/LOG; records the outcome and its wall time in the summary.
failed_steps=0
out_of_time=0
step() {
  local name=$1 log=$work/$2 begin=$SECONDS
  shift 2
  local left
  left=$(left_s)
  if [ "$out_of_time" = 1 ] || [ "$left" -lt 10 ]; then
    say "- $name: **skipped**, the ${DEADLINE_S} s deadline was reached"
    out_of_time=1
    return 1
  fi
  echo "== $name (up to $left s)"
  timeout --signal=TERM --kill-after=25 "$left" "$@" >"$log" 2>&1
  local rc=$?
  local took=$((SECONDS - begin))
  if [ $rc = 0 ]; then
    say "- $name: ok in $took s"
  elif [ $rc = 124 ] || [ $rc = 137 ]; then
    say "- $name: **cut at the deadline** after $took s (log: $(basename "$log"))"
    out_of_time=1
  else
    say "- $name: **failed** (exit $rc) after $took s (log: $(basename "$log"))"
    failed_steps=$((failed_steps + 1))
  fi
  return $rc
}

finish() {
  say ""
  say "Total: $((SECONDS - start_s)) s of the ${DEADLINE_S} s deadline; $failed_steps step(s) failed."
  # Three files travel back: summary.md, report.html, results.tar.gz.
  tar -C "$work" -czf "$OUT/results.tar.gz" . 2>/dev/null
  if [ -f "$work/report.html" ]; then cp "$work/report.html" "$OUT/report.html"; fi
}
trap finish EXIT

: >"$summary"
say "# effbench on the GPU machine, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say ""
say '```'
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv 2>&1 || true
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "cxx11 ABI", torch._C._GLIBCXX_USE_CXX11_ABI)' 2>&1
  echo "cores: $jobs; $(cmake --version | head -1); nvcc: $(nvcc --version 2>/dev/null | tail -1)"
  head -3 "$DEPS_DIR/MANIFEST.txt" 2>/dev/null || echo "no dependency folder at $DEPS_DIR"
} | tee -a "$summary"
say '```'
say ""
say "## Steps"

# --- 1. build ----------------------------------------------------------------
prefix=${TORCH_PREFIX:-$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')}
cmake_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DEFFBENCH_DEPS_DIR="$DEPS_DIR")
if [ "$DEVICE" != cpu ]; then
  # The GPU's architecture, so LibTorch's CMake does not probe for one.
  arch=$("$PYTHON" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())')
  cmake_flags+=(-DTORCH_CUDA_ARCH_LIST="$arch" -DCMAKE_CUDA_COMPILER="$(command -v nvcc)")
  # nccl.h for the NCCL backend: the pip package nvidia-nccl ships it.
  nccl_include=$("$PYTHON" -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "include"))' 2>/dev/null)
  [ -f "$nccl_include/nccl.h" ] && cmake_flags+=(-DCMAKE_CXX_FLAGS="-isystem $nccl_include")
  # LibTorch finds the wheel's CUDA libraries through its RPATH, but NVRTC
  # (TorchScript's GPU fuser, for --exec fused) opens libnvrtc-builtins by
  # name at run time: put the pip nvidia libraries on the search path.
  nvidia_libs=$("$PYTHON" -c 'import glob, os, nvidia; print(":".join(sorted(d for p in nvidia.__path__ for d in glob.glob(os.path.join(p, "*", "lib")))))' 2>/dev/null)
  [ -n "$nvidia_libs" ] && export LD_LIBRARY_PATH="$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
step "configure against $prefix" configure.log cmake -S "$root" -B "$BUILD_DIR" "${cmake_flags[@]}" || exit 1
grep "effbench:" "$work/configure.log" | tee -a "$summary"
if [ "$DEVICE" != cpu ] && ! grep -q "CUDA support: ON" "$work/configure.log"; then
  say "- the LibTorch at $prefix has no CUDA: stopping"
  exit 1
fi
step "build (-j $jobs)" build.log cmake --build "$BUILD_DIR" -j "$jobs" || { tail -30 "$work/build.log"; exit 1; }
effbench=$BUILD_DIR/src/cli/effbench

# --- 2. tests ----------------------------------------------------------------
step "CUDA tests (Cuda.*, NvmlOnThisMachine.*, Batches on CUDA)" cuda_tests.log bash -c "
  '$BUILD_DIR/tests/runner/runner_tests' --gtest_filter='Cuda.*' &&
  '$BUILD_DIR/tests/meters/meters_tests' --gtest_filter='NvmlOnThisMachine.*' &&
  '$BUILD_DIR/tests/data/data_tests' --gtest_filter='*Cuda*'"
grep -E '^\[ +(OK|FAILED|SKIPPED) +\] [A-Za-z0-9_]+\.[A-Za-z0-9_]+ \(' "$work/cuda_tests.log" | sed 's/^/    /' | tee -a "$summary"
step "the whole test suite (ctest -j $jobs)" ctest.log bash -c "cd '$BUILD_DIR' && ctest -j $jobs --timeout 300 --output-on-failure"
grep -E "tests passed|tests failed|\(Failed\)|\(Timeout\)" "$work/ctest.log" | sed 's/^/    /' | tee -a "$summary"

# --- 3-4. effbench runs ----------------------------------------------------
tables() {  # the console tables of a run log, as a code block
  say '```'
  sed -n "/^Results/,\$p" "$work/$1" | tee -a "$summary"
  say '```'
}
step "default suite, every device (effbench run)" suite.log \
  "$effbench" run --budget-s 150 --json "$work/suite.json" --report "$work/report.html" --no-save && tables suite.log
modes=(--device "$DEVICE" --warmup-s 1 --min-time-s 0.5 --repeats 5 --budget-s 150 --no-save)
execs=eager,fused,graph
[ "$DEVICE" = cpu ] && execs=eager,fused
step "execution modes, fp32 ($execs)" modes_fp32.log \
  "$effbench" run --mode train,infer --exec "$execs" --precision fp32 "${modes[@]}" --json "$work/modes_fp32.json" \
  && tables modes_fp32.log
if [ "$DEVICE" != cpu ]; then
  step "execution modes, bf16 + channels-last (eager, graph)" modes_bf16.log \
    "$effbench" run --mode train,infer --exec eager,graph --precision bf16 --channels-last "${modes[@]}" \
    --json "$work/modes_bf16.json" && tables modes_bf16.log
fi

# --- 5. the comparison with PyTorch ------------------------------------------
compare_env=(EFFBENCH="$effbench" OUT="$work/vs_pytorch" DEVICE="$DEVICE" PYTHON="$PYTHON" QUICK=1)
[ "${COMPILE:-0}" = 1 ] || compare_env+=(SKIP_COMPILE=1)
step "bench/gpu_vs_pytorch.sh (QUICK$([ "${COMPILE:-0}" = 1 ] || echo ', without torch.compile'))" vs_pytorch.log \
  env "${compare_env[@]}" "$root/bench/gpu_vs_pytorch.sh"
if [ -f "$work/vs_pytorch/summary.txt" ]; then
  say '```'
  tee -a "$summary" <"$work/vs_pytorch/summary.txt"
  say '```'
fi
exit $((failed_steps > 0 || out_of_time))
