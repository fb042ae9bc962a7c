#!/usr/bin/env bash
# Fused (frozen TorchScript) inference on the CPU, three ways in interleaved
# rounds (issue 18, docs/cpu_vs_pytorch.md "Fused inference: the same graph
# on both sides"):
#   own   effbench's built-in model (scripted from its C++ module)
#   file  effbench running PyTorch's own traced module, saved from
#         bench/pytorch_reference.py's model (`--model FILE --input 3xSxS`)
#   py    bench/pytorch_reference.py --exec fused
# and prints own / py and file / py per round. When file / py matches own /
# py, a difference between the sides is not in effbench's model or graph.
#
#   MODEL=resnet18 bench/cpu_fused_same_graph.sh
#   CHANNELS_LAST=1 ROUNDS=4 bench/cpu_fused_same_graph.sh
#
# Settings (environment): MODEL (conv6, vgg16 or resnet18; default resnet18),
# CHANNELS_LAST (1: both sides channels-last), ROUNDS (default 4), EFFBENCH,
# PYTHON (default /usr/bin/python3), THREADS, PYTORCH_ENV (as
# bench/cpu_vs_pytorch.sh), OUT. Not part of the test suite; about 2 minutes.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
MODEL="${MODEL:-resnet18}"
case "$MODEL" in conv6 | vgg16 | resnet18) ;; *) echo "MODEL: expected conv6, vgg16 or resnet18 but got '$MODEL'" >&2; exit 2 ;; esac
ROUNDS="${ROUNDS:-4}"
PYTHON="${PYTHON:-/usr/bin/python3}"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
OUT="${OUT:-$root/bench/results/cpu_fused_same_graph-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
# shellcheck source=bench/cpu_reference_settings.sh
source "$root/bench/cpu_reference_settings.sh"  # THREADS, PYTORCH_ENV; checks EFFBENCH and PYTHON
cl=()
[[ "${CHANNELS_LAST:-}" == 1 ]] && cl=(--channels-last)
timing=(--warmup-s 1 --min-time-s 0.5 --repeats 5 --threads "$THREADS")
case=(--device cpu --mode infer --exec fused --batch 64 "${timing[@]}" "${cl[@]}")

"$PYTHON" - "$root/bench" "$MODEL" "$OUT/traced.pt" <<'EOF_TRACE'
import sys, torch
sys.path.insert(0, sys.argv[1])
import pytorch_reference
model = getattr(pytorch_reference, {"conv6": "Conv6", "vgg16": "Vgg16", "resnet18": "ResNet18"}[sys.argv[2]])(32)
torch.jit.trace(model.eval(), torch.randn(64, 3, 32, 32)).save(sys.argv[3])
EOF_TRACE

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round"
  "$EFFBENCH" run --model "$MODEL" --image-size 32 "${case[@]}" --no-save --json "$OUT/own-$round.json" \
    >"$OUT/own-$round.log" 2>&1
  "$EFFBENCH" run --model "$OUT/traced.pt" --input 3x32x32 "${case[@]}" --no-save --json "$OUT/file-$round.json" \
    >"$OUT/file-$round.log" 2>&1
  # shellcheck disable=SC2086  # PYTORCH_ENV is a list of NAME=VALUE words
  env $PYTORCH_ENV "$PYTHON" "$root/bench/pytorch_reference.py" --model "$MODEL" --image-size 32 "${case[@]}" \
    >"$OUT/py-$round.json" 2>>"$OUT/pytorch.log"
done

"$PYTHON" - "$OUT" "$ROUNDS" <<'EOF_SUMMARY' | tee "$OUT/summary.txt"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
effbench = lambda name: json.load(open(f"{out}/{name}.json"))["cases"][0]["throughput"]["median"]
own, file = [], []
for r in range(1, rounds + 1):
    py = json.loads(open(f"{out}/py-{r}.json").read().strip().splitlines()[-1])["throughput"]
    own.append(effbench(f"own-{r}") / py)
    file.append(effbench(f"file-{r}") / py)
    print(f"round {r}: own {effbench(f'own-{r}'):.1f}  file {effbench(f'file-{r}'):.1f}  PyTorch {py:.1f} samples/s;"
          f"  own/py {own[-1]:.3f}  file/py {file[-1]:.3f}")
print(f"median own/py {statistics.median(own):.3f}, file/py {statistics.median(file):.3f}")
EOF_SUMMARY
