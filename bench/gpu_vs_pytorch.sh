#!/usr/bin/env bash
# effbench against a PyTorch (Python) reference written the same way
# (bench/pytorch_reference.py: same models, optimisers, synthetic data and
# timing), on one device, in one run. Prints per model the ratio
# effbench / PyTorch of median throughputs for
#   fp32 eager                vs PyTorch eager fp32
#   bf16 + channels-last      vs PyTorch autocast bf16 + channels-last
#   effbench best (CUDA graphs, bf16 + channels-last) vs the best of PyTorch
#                             eager and torch.compile (same precision/format)
# then the fusion table (inference: batch-1 latency and batch throughput,
# eager vs fused vs graph) and effbench's achieved TFLOP/s and MFU.
# Targets (issue 8): every ratio >= 1.0; best mode >= 1.2 (classifiers) and
# >= 1.5 (cyclegan). Not part of the test suite.
#
#   bench/gpu_vs_pytorch.sh                 # GPU: builds build-cuda against pip torch, runs everything
#   DEVICE=cpu bench/gpu_vs_pytorch.sh      # CPU: runs bench/cpu_vs_pytorch.sh (every mode of
#                                           # each side, best vs best; see its header)
#   QUICK=1 bench/gpu_vs_pytorch.sh         # short windows, for a smoke test
#
# Settings (environment): DEVICE (cuda | cuda:N | cpu; default cuda), MODELS,
# EFFBENCH (binary; default: build it in BUILD_DIR against the torch that
# python3 imports), BUILD_DIR (default build-cuda),
# PYTHON (default python3), PYTORCH_ENV (NAME=VALUE words for the reference),
# OUT (result folder), QUICK=1, SKIP_COMPILE=1
# (leave torch.compile out), PEAK_TFLOPS (for MFU when the catalog lacks the GPU).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
DEVICE="${DEVICE:-cuda}"
# On the CPU each side has other modes (fused and bf16 for effbench; autocast,
# freeze + optimize_for_inference and torch.compile for PyTorch): its own
# script compares all of them (issue 18).
if [[ "$DEVICE" == cpu ]]; then
  exec "$root/bench/cpu_vs_pytorch.sh"
fi
MODELS="${MODELS:-conv6,vgg16,resnet18,cyclegan}"
PYTHON="${PYTHON:-python3}"
BUILD_DIR="${BUILD_DIR:-$root/build-cuda}"
OUT="${OUT:-$root/bench/results/gpu_vs_pytorch-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"

timing=(--warmup-s 2 --min-time-s 1 --repeats 5)
[[ "${QUICK:-}" == 1 ]] && timing=(--warmup-s 0.3 --min-time-s 0.3 --repeats 3)

cls_batch=512; gan_size=256

# --- the effbench binary -----------------------------------------------------
EFFBENCH="${EFFBENCH:-}"
if [[ -z "$EFFBENCH" ]]; then
  prefix="$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  echo "== building effbench against $("$PYTHON" -c 'import torch; print(torch.__version__, torch.version.cuda)') in $BUILD_DIR"
  cmake -S "$root" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >"$OUT/cmake.log"
  grep -q "CUDA support: ON" "$OUT/cmake.log" || { echo "LibTorch at $prefix has no CUDA (see $OUT/cmake.log)" >&2; exit 2; }
  ninja -C "$BUILD_DIR" effbench runner_tests >"$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 2; }
  echo "== runner tests (CPU checks, in the CUDA build)"
  "$BUILD_DIR/tests/runner/runner_tests" --gtest_brief=1 | tail -5
  EFFBENCH="$BUILD_DIR/src/cli/effbench"
fi
[[ -x "$EFFBENCH" ]] || { echo "effbench binary not found at $EFFBENCH; build it or set EFFBENCH" >&2; exit 2; }
peak=()
[[ -n "${PEAK_TFLOPS:-}" ]] && peak=(--peak-tflops "$PEAK_TFLOPS")

# effbench NAME MODEL BATCH SIZE FLAGS...: one effbench run into $OUT/effbench-NAME-MODEL-N.json
# (N counts the runs: train and infer of one config must not share a file)
runs=0
effbench() {
  local name=$1 model=$2 batch=$3 size=$4; shift 4
  runs=$((runs + 1))
  local file="$OUT/effbench-$name-$model-$runs"
  echo "== effbench $name $model: $*"
  "$EFFBENCH" run --model "$model" --device "$DEVICE" --batch "$batch" --image-size "$size" "${timing[@]}" \
    --budget-s 100000 --max-case-s 120 "${peak[@]}" --json "$file.json" "$@" \
    >"$file.log" 2>&1 || echo "   (effbench exited $?; see $file.log)"
}
# pytorch NAME MODEL BATCH SIZE FLAGS...: one reference case appended to $OUT/pytorch.jsonl
pytorch() {
  local name=$1 model=$2 batch=$3 size=$4; shift 4
  local t=(--warmup-s "${timing[1]}" --min-time-s "${timing[3]}" --repeats "${timing[5]}")
  echo "== pytorch  $name $model: $*"
  # shellcheck disable=SC2086  # PYTORCH_ENV is a list of NAME=VALUE words
  env ${PYTORCH_ENV:-} "$PYTHON" "$root/bench/pytorch_reference.py" --model "$model" --device "$DEVICE" --batch "$batch" \
    --image-size "$size" "${t[@]}" "$@" 2>>"$OUT/pytorch.log" | sed "s/^{/{\"config\": \"$name\", /" >>"$OUT/pytorch.jsonl" \
    || echo "   (reference failed; see $OUT/pytorch.log)"
}

IFS=, read -r -a models <<<"$MODELS"
for model in "${models[@]}"; do
  if [[ "$model" == cyclegan ]]; then batch=1; size=$gan_size; else batch=$cls_batch; size=32; fi
  for mode in train infer; do
    effbench fp32 "$model" "$batch" "$size" --mode "$mode" --precision fp32
    pytorch fp32 "$model" "$batch" "$size" --mode "$mode" --precision fp32
    effbench bf16cl "$model" "$batch" "$size" --mode "$mode" --precision bf16 --channels-last
    pytorch bf16cl "$model" "$batch" "$size" --mode "$mode" --precision bf16 --channels-last
    # effbench's best: CUDA graphs (refused for cyclegan training: Adam; the
    # summary falls back to its best eager figure then).
    effbench best "$model" "$batch" "$size" --mode "$mode" --precision bf16 --channels-last --exec graph
    if [[ -z "${SKIP_COMPILE:-}" ]]; then
      pytorch best "$model" "$batch" "$size" --mode "$mode" --precision bf16 --channels-last --exec compile
      pytorch best "$model" "$batch" "$size" --mode "$mode" --precision bf16 --channels-last --exec compile-max
    fi
  done
  # Fusion table: fp32 inference, eager vs fused vs graph; every
  # inference case also measures batch-1 latency.
  effbench fusion "$model" "$batch" "$size" --mode infer --precision fp32 --exec eager,fused,graph
  pytorch fusion "$model" "$batch" "$size" --mode infer --precision fp32 --exec fused
done

"$PYTHON" "$root/bench/summarize_vs_pytorch.py" "$OUT" | tee "$OUT/summary.txt"
