#!/usr/bin/env bash
# Fashion-MNIST time to accuracy for each classifier (MLPerf/DAWNBench rules,
# Note [Time to accuracy] in src/runner/accuracy.cpp), with the default
# recipes of docs/recipes.md. Not part of the test suite: the full run takes
# hours on a small CPU.
#
#   bench/time_to_accuracy.sh                       # full: cpu, target 0.90
#   DEVICES=cpu,cuda bench/time_to_accuracy.sh      # on a GPU machine too
#   EPOCHS=3 MODELS=resnet18 bench/time_to_accuracy.sh  # a 3-epoch schedule (CPU-sized)
#   TARGET=0.8 MAX_EPOCHS=2 MODELS=conv6 \
#     EXTRA="--train-samples 2048 --test-samples 1000" bench/time_to_accuracy.sh   # reduced check
#
# Settings (environment): EFFBENCH (binary), MODELS, DEVICES, TARGET,
# EPOCHS (length of the learning-rate schedule; empty: the recipe's),
# MAX_EPOCHS (empty: EPOCHS or the recipe's epochs), THREADS (empty: all cores),
# OUT (folder for the run JSON and the epoch log), EXTRA (more run flags).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
EFFBENCH="${EFFBENCH:-}"
if [[ -z "$EFFBENCH" ]]; then
  for candidate in "$here/build/src/cli/effbench" "$here/build-acc/src/cli/effbench"; do
    if [[ -x "$candidate" ]]; then EFFBENCH="$candidate"; break; fi
  done
fi
[[ -x "$EFFBENCH" ]] || { echo "effbench binary not found; build it or set EFFBENCH=path" >&2; exit 2; }

MODELS="${MODELS:-conv6,vgg16,resnet18}"
DEVICES="${DEVICES:-cpu}"
TARGET="${TARGET:-0.90}"
EPOCHS="${EPOCHS:-}"
MAX_EPOCHS="${MAX_EPOCHS:-}"
THREADS="${THREADS:-}"
OUT="${OUT:-$here/bench/results/time_to_accuracy-$(date -u +%Y%m%dT%H%M%SZ)}"
EXTRA="${EXTRA:-}"
mkdir -p "$OUT"

args=(run --dataset fashion-mnist --model "$MODELS" --device "$DEVICES" --target-accuracy "$TARGET"
      --json "$OUT/run.json" --epoch-log "$OUT/epochs.jsonl")
[[ -n "$EPOCHS" ]] && args+=(--epochs "$EPOCHS")
[[ -n "$MAX_EPOCHS" ]] && args+=(--max-epochs "$MAX_EPOCHS")
[[ -n "$THREADS" ]] && args+=(--threads "$THREADS")
# shellcheck disable=SC2206  # EXTRA is a list of flags on purpose
[[ -n "$EXTRA" ]] && args+=($EXTRA)

echo "+ $EFFBENCH ${args[*]}"
status=0
"$EFFBENCH" "${args[@]}" || status=$?

[[ -f "$OUT/run.json" ]] || { echo "no run JSON written (exit status $status)" >&2; exit "$status"; }
python3 - "$OUT/run.json" "$here/bench" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
from effbench_results import energy_text
run = json.load(open(sys.argv[1]))

rows = [("model", "device", "target", "reached", "accuracy", "time s", "epochs", "energy")]
for c in run["cases"]:
    a = c.get("accuracy")
    if c.get("status") != "ok" or not a:
        rows.append((c["model"], c["device"], "-", c.get("status", "?"), "-", "-", "-", c.get("error", "")[:60]))
        continue
    reached = a.get("reached_target")
    rows.append((c["model"], c["device"], f'{a.get("target", 0):.2f}', "yes" if reached else "no",
                 f'{100 * a["value"]:.2f}%', f'{a.get("time_to_target_s") or a["train_time_s"]:.1f}',
                 str(a["epochs"]), energy_text(c)))
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print()
print(f"Fashion-MNIST time to accuracy ({run['system'].get('cpu_model', '?')}, run {run['run_id']})")
for i, r in enumerate(rows):
    print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)))
    if i == 0: print("  ".join("-" * w for w in widths))
PY
echo "run JSON: $OUT/run.json; epoch log: $OUT/epochs.jsonl"
exit "$status"
