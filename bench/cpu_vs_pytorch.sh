#!/usr/bin/env bash
# effbench against the PyTorch (Python) reference on the CPU, every mode of
# each side (issue 18): bench/pytorch_reference.py has the same models,
# optimisers, synthetic data and timing method (warm-up, windows, median).
#
#   effbench: eager, fp32 and bf16 (autocast), train and infer, contiguous and
#             channels-last; fused (frozen TorchScript) inference, fp32, both
#             formats. Four effbench runs per model (fused takes fp32 only, so
#             it runs apart: effbench refuses fused with a named bf16).
#   PyTorch:  the same eager cases (torch.autocast("cpu", dtype=torch.bfloat16)
#             for bf16); fused = torch.jit.freeze(torch.jit.trace(model.eval()))
#             + torch.jit.optimize_for_inference, fp32; torch.compile (inductor;
#             inference with inductor's freezing) in both precisions and
#             formats where the torch has it (2.x), else skipped with the reason.
#
# bench/summarize_vs_pytorch.py --cpu then prints (and saves as summary.md and
# summary.txt in OUT) the effbench / PyTorch ratio of median throughputs per
# model x mode x precision x exec (eager, fused, graph-like) x memory format,
# and per model and mode effbench's fastest case over PyTorch's fastest,
# naming both. Targets (issue 18): every like-for-like ratio >= 1.0; best /
# best >= 1.05; rows below are marked MISS. The table's header records what
# moves CPU figures: threads, PYTORCH_ENV, OMP/affinity/BLAS variables, both
# torch versions, the CPU model and its bf16 instructions (avx512_bf16, AMX).
# Not part of the test suite.
#
# Debian 12 (python3-torch 1.13: no torch.compile; effbench built in build/):
#
#   DEVICE=cpu PYTHON=/usr/bin/python3 bench/cpu_vs_pytorch.sh
#   (or: DEVICE=cpu PYTHON=/usr/bin/python3 bench/gpu_vs_pytorch.sh, which runs this)
#
# Debian 13 (python3-torch 2.6 with torch.compile), in CI's trixie-cpu root
# (.ci/debian_root.sh; the checkout is mounted at /effbench, effbench is built
# in /effbench/build-trixie as CI's "Debian 13: scripts/setup.sh test" stage
# does; as root, like CI):
#
#   .ci/debian_root.sh ensure trixie-cpu trixie
#   .ci/debian_root.sh exec trixie-cpu env BUILD_DIR=/effbench/build-trixie EFFBENCH_VARIANT=cpu \
#     /effbench/scripts/setup.sh build
#   .ci/debian_root.sh exec trixie-cpu bash -c 'apt-get update -qq &&
#     DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch python3-setuptools g++ python3-dev'
#   .ci/debian_root.sh exec trixie-cpu env EFFBENCH=/effbench/build-trixie/src/cli/effbench \
#     PYTHON=/usr/bin/python3 /effbench/bench/cpu_vs_pytorch.sh
#
# (inductor compiles its CPU kernels with g++ and includes Python.h: g++ and
# python3-dev; without them the compile cases fail with the reason, the rest
# runs.) Results land in bench/results/cpu_vs_pytorch-<time>/ of the checkout.
#
# Settings (environment): MODELS (default conv6,vgg16,resnet18,cyclegan),
# EFFBENCH (binary; default build/src/cli/effbench), PYTHON (default python3),
# THREADS (both sides; default one per physical core, as effbench), PRECISIONS (default fp32,bf16),
# PYTORCH_ENV (NAME=VALUE words for the reference; unset: effbench's own
# process settings, i.e. heap-only malloc (Note [Heap-only malloc]) and
# OpenBLAS on one thread (Note [One CPU thread pool]); set it empty for
# PyTorch as installed), OUT (result folder), QUICK=1 (short windows, smoke
# tests), SKIP_COMPILE=1 (leave torch.compile out), ROUNDS (default 3: each
# side runs every case ROUNDS times, the two sides alternating; the tables
# give the median of the per-round ratios and their range), CASE_TIMEOUT_S
# (default 900: a reference case, torch.compile's compilation included, that
# runs longer is listed as failed with the reason).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
MODELS="${MODELS:-conv6,vgg16,resnet18,cyclegan}"
PYTHON="${PYTHON:-python3}"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
ROUNDS="${ROUNDS:-3}"
CASE_TIMEOUT_S="${CASE_TIMEOUT_S:-900}"
PRECISIONS="${PRECISIONS:-fp32,bf16}"
OUT="${OUT:-$root/bench/results/cpu_vs_pytorch-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
# shellcheck source=bench/cpu_reference_settings.sh
source "$root/bench/cpu_reference_settings.sh"  # THREADS, PYTORCH_ENV; checks EFFBENCH and PYTHON

timing=(--warmup-s 1 --min-time-s 0.5 --repeats 5)
[[ "${QUICK:-}" == 1 ]] && timing=(--warmup-s 0.3 --min-time-s 0.3 --repeats 3)
threads=(--threads "$THREADS")

# --- what changes CPU figures, for the table's header ------------------------
compile=yes
reason=$("$PYTHON" -c 'import torch; print("" if hasattr(torch, "compile") else "torch " + torch.__version__ + " has no torch.compile (PyTorch 2.x)")')
[[ -n "$reason" ]] && compile="skipped: $reason"
[[ -n "${SKIP_COMPILE:-}" ]] && compile="skipped: SKIP_COMPILE=1"
{
  echo "threads=$THREADS"
  echo "PYTORCH_ENV=$PYTORCH_ENV"
  for v in OMP_NUM_THREADS OMP_PROC_BIND OMP_PLACES GOMP_CPU_AFFINITY KMP_AFFINITY OPENBLAS_NUM_THREADS \
    MKL_NUM_THREADS LD_PRELOAD EFFBENCH_MALLOC EFFBENCH_BLAS_THREADS; do
    if [[ -n "${!v:-}" ]]; then echo "env $v=${!v}"; fi
  done
  echo "affinity=$(taskset -cp $$ 2>/dev/null | sed 's/.*: //' || echo unknown)"
  echo "cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cpu_bf16=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx512_bf16|amx_bf16|amx_tile' | tr '\n' ' ')"
  echo "python=$PYTHON"
  echo "pytorch=$("$PYTHON" -c 'import torch; print(torch.__version__)')"
  echo "compile=$compile"
  echo "quick=${QUICK:-0}"
  echo "rounds=$ROUNDS"
} >"$OUT/settings.txt"
if [[ "$compile" != yes ]]; then echo "== torch.compile cases ${compile}"; fi

# effbench NAME MODEL ROUND BATCH SIZE FLAGS...: one effbench run into $OUT/effbench-NAME-MODEL-rROUND.json
effbench() {
  local name=$1 model=$2 round=$3 batch=$4 size=$5; shift 5
  local file="$OUT/effbench-$name-$model-r$round"
  echo "== effbench $name $model: $*"
  "$EFFBENCH" run --model "$model" --device cpu --batch "$batch" --image-size "$size" "${timing[@]}" \
    --budget-s 100000 --max-case-s 120 "${threads[@]}" --no-save --json "$file.json" "$@" \
    >"$file.log" 2>&1 || echo "   (effbench exited $?; see $file.log)"
}
# pytorch ROUND MODEL BATCH SIZE FLAGS...: one reference case appended to $OUT/pytorch-rROUND.jsonl
pytorch() {
  local round=$1 model=$2 batch=$3 size=$4; shift 4
  local t=(--warmup-s "${timing[1]}" --min-time-s "${timing[3]}" --repeats "${timing[5]}")
  echo "== pytorch  $model: $*"
  local status=0
  # shellcheck disable=SC2086  # PYTORCH_ENV is a list of NAME=VALUE words
  timeout "$CASE_TIMEOUT_S" env $PYTORCH_ENV "$PYTHON" "$root/bench/pytorch_reference.py" --model "$model" \
    --device cpu --batch "$batch" --image-size "$size" "${t[@]}" "${threads[@]}" "$@" 2>>"$OUT/pytorch.log" \
    >>"$OUT/pytorch-r$round.jsonl" || status=$?
  if [[ $status == 124 ]]; then
    # A case that ran out of time is listed with the reason, not dropped.
    "$PYTHON" - "$model" "$CASE_TIMEOUT_S" "$@" >>"$OUT/pytorch-r$round.jsonl" <<'EOF_CASE'
import json, sys
model, limit, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
value = lambda name: flags[flags.index(name) + 1]
print(json.dumps({"model": model, "mode": value("--mode"), "precision": value("--precision"),
                  "exec": value("--exec"), "channels_last": "--channels-last" in flags, "status": "failed",
                  "reason": f"not finished within CASE_TIMEOUT_S={limit} s (compilation included)"}))
EOF_CASE
    echo "   (reference timed out after $CASE_TIMEOUT_S s)"
  elif [[ $status != 0 ]]; then
    echo "   (reference failed; see $OUT/pytorch.log)"
  fi
}

IFS=, read -r -a models <<<"$MODELS"
IFS=, read -r -a precisions <<<"$PRECISIONS"
for model in "${models[@]}"; do
  read -r batch size <<<"$(comparison_shape "$model")"
  for fmt in contiguous channels-last; do
    cl=()
    [[ "$fmt" == channels-last ]] && cl=(--channels-last)
    # Rounds back to back per model and format: each round's ratio compares
    # two runs minutes apart, so a drift of this shared machine shows as the
    # spread of the rounds rather than as a difference of the sides.
    for round in $(seq 1 "$ROUNDS"); do
      effbench "eager-$fmt" "$model" "$round" "$batch" "$size" --mode train,infer --precision "$PRECISIONS" \
        --exec eager "${cl[@]}"
      effbench "fused-$fmt" "$model" "$round" "$batch" "$size" --mode infer --precision fp32 --exec fused "${cl[@]}"
      for mode in train infer; do
        for precision in "${precisions[@]}"; do
          pytorch "$round" "$model" "$batch" "$size" --mode "$mode" --precision "$precision" --exec eager "${cl[@]}"
          if [[ "$compile" == yes ]]; then
            pytorch "$round" "$model" "$batch" "$size" --mode "$mode" --precision "$precision" --exec compile \
              "${cl[@]}"
          fi
        done
      done
      pytorch "$round" "$model" "$batch" "$size" --mode infer --precision fp32 --exec fused "${cl[@]}"
    done
  done
done

"$PYTHON" "$root/bench/summarize_vs_pytorch.py" --cpu "$OUT" | tee "$OUT/summary.txt"
cp "$OUT/summary.txt" "$OUT/summary.md"
