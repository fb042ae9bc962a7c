#!/usr/bin/env bash
# Gloo data-parallel scaling on this machine: `effbench launch --nproc N --
# run --distributed` for N = 1 and 2 (by default), each at the same
# per-process batch, then a table of global throughput, scaling efficiency
# against the N = 1 run (throughput_N / (N x throughput_1)), and the per-step
# split between compute and all-reduce. On a 2-core machine the N = 2 ranks
# get one core each while N = 1 uses both, so the efficiency shows what
# splitting the cores across processes costs plus the all-reduce. Not part of
# the test suite.
#
#   bench/gloo_scaling.sh                                   # conv6 and resnet18, 1 and 2 ranks
#   QUICK=1 MODELS=conv6 bench/gloo_scaling.sh              # reduced: short windows
#
# Settings (environment): EFFBENCH (binary; default build/src/cli/effbench),
# MODELS (default conv6,resnet18), NPROCS (default "1 2"), BATCH (per process,
# default 32), IMAGE_SIZE (default 32), OUT (folder for the JSON runs),
# QUICK=1 (short windows), EXTRA (more run flags).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
MODELS="${MODELS:-conv6,resnet18}"
NPROCS="${NPROCS:-1 2}"
BATCH="${BATCH:-32}"
IMAGE_SIZE="${IMAGE_SIZE:-32}"
OUT="${OUT:-$(mktemp -d /tmp/effbench-gloo-XXXXXX)}"
EXTRA="${EXTRA:-}"
timing=(--warmup-s 1 --min-time-s 1 --repeats 5)
if [[ "${QUICK:-0}" == 1 ]]; then timing=(--warmup-s 0.3 --min-time-s 0.5 --repeats 3); fi
[[ -x "$EFFBENCH" ]] || { echo "gloo_scaling: no effbench binary at $EFFBENCH (set EFFBENCH)" >&2; exit 2; }
mkdir -p "$OUT"

IFS=',' read -r -a models <<< "$MODELS"
for model in "${models[@]}"; do
  for n in $NPROCS; do
    json="$OUT/$model-n$n.json"
    echo "== $model, $n process(es), batch $BATCH per process" >&2
    # The N = 1 run is the baseline; larger worlds are told its figure, so rank 0
    # need not measure it again inside the run.
    baseline=()
    if [[ "$n" != 1 && -f "$OUT/$model-n1.json" ]]; then
      t1="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["throughput"]["median"])' "$OUT/$model-n1.json")"
      baseline=(--dist-single-samples-per-s "$t1")
    fi
    # shellcheck disable=SC2086
    "$EFFBENCH" launch --nproc "$n" -- run --distributed --model "$model" --device cpu --mode train \
      --batch "$BATCH" --image-size "$IMAGE_SIZE" "${timing[@]}" "${baseline[@]}" --json "$json" $EXTRA >&2
  done
done

python3 - "$OUT" "$MODELS" "$NPROCS" "$root/bench" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from effbench_results import energy_text
out, models, nprocs = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split()

def joules_per_sample(case):
    """Every rank's readings, each sensor once, per global sample."""
    return energy_text(case, "joules_per_sample", "{:.3g}", " meas.", " est.")

print(f"{'model':<10} {'ranks':>5} {'batch':>11} {'samples/s':>10} {'efficiency':>10} "
      f"{'compute ms':>10} {'allreduce ms':>12} {'MB/step':>8} {'threads':>7} {'J/sample':>12}")
for model in models:
    for n in nprocs:
        try:
            run = json.load(open(f"{out}/{model}-n{n}.json"))
            c = run["cases"][0]
        except (OSError, IndexError, KeyError):
            print(f"{model:<10} {n:>5}  (no result)")
            continue
        d = c.get("distributed", {})
        eff = d.get("scaling_efficiency", 0)
        print(f"{model:<10} {n:>5} {str(d.get('per_process_batch'))+' x '+n:>11} {c['throughput']['median']:>10.1f} "
              f"{(f'{100*eff:.0f}%' if eff else '-'):>10} {1000*d.get('compute_s',0):>10.2f} "
              f"{1000*d.get('allreduce_s',0):>12.2f} {d.get('bytes_per_step',0)/1e6:>8.2f} {c.get('threads',0):>7} "
              f"{joules_per_sample(c):>12}")
print(f"(JSON runs in {out})")
PY
