#!/usr/bin/env bash
# The most a harness can win over PyTorch's eager mode on the CPU, measured
# (issue 18): the bound on effbench / PyTorch when both run the same kernels.
#
# effbench and bench/pytorch_reference.py call the same ATen, oneDNN and
# OpenBLAS kernels; what differs is the code between two operator calls
# (Python's interpreter and module calls against effbench's C++). That cost
# is per operator call, so it does not grow with the batch, while the
# kernels' time does. Each case therefore runs on both sides at a small batch
# (classifiers: 2 at 32x32, batch 1 leaves one value per channel in vgg16's
# last batch norm; cyclegan: batch 1 at 32x32) and at the comparison's batch
# (64 at 32x32; cyclegan 1 at 64x64), in interleaved rounds:
#
#   harness saving per step  d = PyTorch's small-batch step - effbench's (ms)
#   bound                      = T / (T - d), T = PyTorch's step at the
#                                comparison's batch (ms)
#
# i.e. effbench / PyTorch if effbench saved all of d and nothing else
# differed. The table also gives the measured ratio at the comparison's batch,
# so a row where the measured ratio departs from the bound by more than the
# rounds' spread points at something besides the harness.
#
#   bench/cpu_harness_bound.sh                      (Debian 12: PYTHON=/usr/bin/python3)
#   MODELS=conv6 ROUNDS=1 bench/cpu_harness_bound.sh   (a smoke test)
#
# Settings (environment): MODELS (default conv6,vgg16,resnet18,cyclegan),
# CASES (precision:format words; default "fp32:contiguous bf16:channels-last",
# the like-for-like baseline and the fastest mode of most models), EFFBENCH
# (default build/src/cli/effbench), PYTHON (default /usr/bin/python3), THREADS
# (both sides; default one per physical core, as effbench), ROUNDS (default
# 3), PYTORCH_ENV (as bench/cpu_vs_pytorch.sh: effbench's process settings),
# OUT (result folder). Not part of the test suite; about 20 minutes on a
# 2-core VM.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
MODELS="${MODELS:-conv6,vgg16,resnet18,cyclegan}"
CASES="${CASES:-fp32:contiguous bf16:channels-last}"
PYTHON="${PYTHON:-/usr/bin/python3}"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
ROUNDS="${ROUNDS:-3}"
OUT="${OUT:-$root/bench/results/cpu_harness_bound-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
# shellcheck source=bench/cpu_reference_settings.sh
source "$root/bench/cpu_reference_settings.sh"  # THREADS, PYTORCH_ENV; checks EFFBENCH and PYTHON
timing=(--warmup-s 1 --min-time-s 0.5 --repeats 5 --threads "$THREADS")
{
  echo "effbench=$("$EFFBENCH" --version 2>&1 | tr '\n' ' ')"
  echo "pytorch=$("$PYTHON" -c 'import torch; print(torch.__version__)')"
  echo "threads=$THREADS rounds=$ROUNDS cases=$CASES"
  echo "pytorch_env=$PYTORCH_ENV"
  echo "cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2-)"
} >"$OUT/settings.txt"

# run ROUND MODEL CASE BATCH SIZE: both sides, train and infer, eager, into
# $OUT/{effbench.json,pytorch-MODE.json} under ROUND-MODEL-CASE-bBATCH-sSIZE.
run() {
  local round=$1 model=$2 case=$3 batch=$4 size=$5
  local precision=${case%%:*} format=${case#*:} cl=()
  [[ "$format" == channels-last ]] && cl=(--channels-last)
  local name="$OUT/r$round-$model-$precision-$format-b$batch-s$size"
  echo "== round $round $model $precision $format batch $batch ${size}x$size"
  effbench_side() {
    "$EFFBENCH" run --model "$model" --device cpu --mode train,infer --precision "$precision" --exec eager \
      --batch "$batch" --image-size "$size" "${timing[@]}" "${cl[@]}" --budget-s 100000 --no-save \
      --json "$name-effbench.json" >"$name-effbench.log" 2>&1 || echo "   (effbench exited $?; see $name-effbench.log)"
  }
  pytorch_side() {
    for mode in train infer; do
      # shellcheck disable=SC2086  # PYTORCH_ENV is a list of NAME=VALUE words
      env $PYTORCH_ENV "$PYTHON" "$root/bench/pytorch_reference.py" --model "$model" --device cpu --mode "$mode" \
        --precision "$precision" --exec eager --batch "$batch" --image-size "$size" "${timing[@]}" "${cl[@]}" \
        >"$name-pytorch-$mode.json" 2>>"$OUT/pytorch.log" || echo "   (reference exited $?; see $OUT/pytorch.log)"
    done
  }
  # Odd rounds start with effbench, even rounds with PyTorch, so that a drift
  # within a round does not always favour the same side.
  if ((round % 2)); then effbench_side; pytorch_side; else pytorch_side; effbench_side; fi
}

IFS=, read -r -a models <<<"$MODELS"
shapes=()  # MODEL:SMALL_BATCH:SMALL_SIZE:BATCH:SIZE, for the summary
for model in "${models[@]}"; do
  if [[ "$model" == cyclegan ]]; then small=(1 32); else small=(2 32); fi
  read -r -a large <<<"$(comparison_shape "$model")"
  shapes+=("$model:${small[0]}:${small[1]}:${large[0]}:${large[1]}")
  for round in $(seq 1 "$ROUNDS"); do
    for case in $CASES; do
      run "$round" "$model" "$case" "${small[@]}"
      run "$round" "$model" "$case" "${large[@]}"
    done
  done
done

"$PYTHON" - "$OUT" "${shapes[*]}" "$CASES" "$ROUNDS" <<'EOF_SUMMARY' | tee "$OUT/summary.md"
import json, statistics, sys

out, shapes, cases, rounds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])


def step_ms(name, mode):
    """(effbench, PyTorch) step time in ms at the run's batch, or None."""
    try:
        doc = json.load(open(f"{name}-effbench.json"))
        case = next(c for c in doc["cases"] if c["mode"] == mode and c.get("status", "ok") == "ok")
        ref = json.loads(open(f"{name}-pytorch-{mode}.json").read().strip().splitlines()[-1])
        if ref.get("status") != "ok":
            return None
        return 1000 * case["batch"] / case["throughput"]["median"], 1000 * ref["batch"] / ref["throughput"]
    except (OSError, ValueError, KeyError, StopIteration, IndexError):
        return None


def spread(values, fmt):
    return fmt.format(statistics.median(values)) + (
        f" ({fmt.format(min(values))}-{fmt.format(max(values))})" if len(values) > 1 else "")


print(open(f"{out}/settings.txt").read())
print("| model | mode | precision | format | small-batch step ms (effbench / PyTorch) | harness saving d ms/step "
      "(rounds' range) | PyTorch step ms at the comparison's batch | d / PyTorch step | bound effbench / PyTorch "
      "| measured effbench / PyTorch (range) |")
print("|---|---|---|---|---|---|---|---|---|---|")
bounds = []
for shape in shapes:
    model, bs, ss, bl, sl = shape.split(":")
    for case in cases:
        precision, fmt = case.split(":")
        for mode in ("train", "infer"):
            saving, bound, ratio, small_e, small_p, large_p = [], [], [], [], [], []
            for r in range(1, rounds + 1):
                s = step_ms(f"{out}/r{r}-{model}-{precision}-{fmt}-b{bs}-s{ss}", mode)
                big = step_ms(f"{out}/r{r}-{model}-{precision}-{fmt}-b{bl}-s{sl}", mode)
                if not s or not big:
                    continue
                d = s[1] - s[0]
                small_e.append(s[0])
                small_p.append(s[1])
                large_p.append(big[1])
                saving.append(d)
                bound.append(big[1] / (big[1] - d))
                ratio.append(big[1] / big[0])
            if not saving:
                print(f"| {model} | {mode} | {precision} | {fmt} | failed: see the logs in {out} | | | | | |")
                continue
            bounds.append(statistics.median(bound))
            share = statistics.median(saving) / statistics.median(large_p)
            print(f"| {model} | {mode} | {precision} | {fmt} | {statistics.median(small_e):.3g} / "
                  f"{statistics.median(small_p):.3g} | {spread(saving, '{:.3f}')} | "
                  f"{statistics.median(large_p):.4g} | {100 * share:.2f}% | {statistics.median(bound):.4f} | "
                  f"{spread(ratio, '{:.3f}')} |")
if bounds:
    print(f"\nLargest bound: {max(bounds):.4f} (target best vs best >= 1.05). d is per step, so the bound is the "
          "ratio effbench would reach if it saved all of d and ran the same kernels as PyTorch.")
EOF_SUMMARY
