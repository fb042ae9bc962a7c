#!/usr/bin/env bash
# Where a CPU step's instructions go, effbench against the PyTorch reference
# (issue 18): both run under callgrind, which counts instructions exactly and
# is therefore stable on a shared machine where times are not. Each side runs
# twice, with 1 and with REPEATS timed windows; the difference of the two
# runs' counts over the difference of their steps is the cost of one step,
# start-up (library loading, model set-up, data) cancelled out. Printed per
# shared object (libdnnl, libopenblas, libtorch_cpu, libpython, ...), per
# sample, and saved as summary.txt in OUT.
#
#   bench/cpu_instructions.sh                          conv6 train fp32, batch 16, 1 thread
#   MODEL=resnet18 MODE=infer PRECISION=bf16 bench/cpu_instructions.sh
#
# Settings (environment): MODEL, MODE, PRECISION, EXEC (eager or fused), BATCH (default 16),
# CHANNELS_LAST=1, REPEATS (default 4), EFFBENCH, PYTHON (default
# /usr/bin/python3), OUT. Takes a few minutes (callgrind runs ~50x slower).
# Not part of the test suite.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
MODEL="${MODEL:-conv6}" MODE="${MODE:-train}" PRECISION="${PRECISION:-fp32}" BATCH="${BATCH:-16}"
EXEC="${EXEC:-eager}"
REPEATS="${REPEATS:-4}"
OUT="${OUT:-$root/bench/results/cpu_instructions-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 2; }
cl=()
[[ "${CHANNELS_LAST:-}" == 1 ]] && cl=(--channels-last)
common=(--model "$MODEL" --device cpu --mode "$MODE" --precision "$PRECISION" --exec "$EXEC" --batch "$BATCH"
  --image-size 32 --threads 1 --warmup-s 0 --min-time-s 0.000001 "${cl[@]}")
grind=(valgrind --tool=callgrind --dump-line=no)

for repeats in 1 "$REPEATS"; do
  echo "== effbench, $repeats window(s)"
  "${grind[@]}" --callgrind-out-file="$OUT/effbench-$repeats.callgrind" "$EFFBENCH" run "${common[@]}" \
    --repeats "$repeats" --no-save --json "$OUT/effbench-$repeats.json" >"$OUT/effbench-$repeats.log" 2>&1
  echo "== PyTorch, $repeats window(s)"
  # shellcheck disable=SC2086  # the same process settings as effbench (Note [Heap-only malloc], Note [One CPU thread pool])
  env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647 OPENBLAS_NUM_THREADS=1 \
    "${grind[@]}" --callgrind-out-file="$OUT/pytorch-$repeats.callgrind" "$PYTHON" "$root/bench/pytorch_reference.py" \
    "${common[@]}" --repeats "$repeats" >"$OUT/pytorch-$repeats.json" 2>"$OUT/pytorch-$repeats.log"
done

"$PYTHON" - "$OUT" "$REPEATS" "$BATCH" <<'EOF' | tee "$OUT/summary.txt"
import collections, json, os, sys

out, repeats, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])


def self_cost_by_object(path):
    """Instructions (Ir) executed in each shared object's own code (a
    function's self cost, calls excluded), from a callgrind output file."""
    names, costs = {}, collections.Counter()
    current, skip_next = "?", False
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                ref = line[3:].strip()
                if ref.startswith("("):
                    key, _, name = ref.partition(")")
                    if name.strip():
                        names[key] = name.strip()
                    current = names.get(key, "?")
                else:
                    current = ref
            elif line.startswith("calls="):
                skip_next = True  # the next cost line is the call's inclusive cost
            elif line[:1].isdigit() or line[:1] in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    costs[current] += int(parts[1])
    return costs


def steps(side, n):
    path = os.path.join(out, f"{side}-{n}.json")
    with open(path) as f:
        text = f.read()
    if side == "effbench":
        case = json.loads(text)["cases"][0]
        return case["warmup_iterations"] + case["timed_iterations"]
    return json.loads(text.strip().splitlines()[-1])["steps"]


per_step = {}
for side in ("effbench", "pytorch"):
    few, many = self_cost_by_object(os.path.join(out, f"{side}-1.callgrind")), \
        self_cost_by_object(os.path.join(out, f"{side}-{repeats}.callgrind"))
    extra_steps = steps(side, repeats) - steps(side, 1)
    if extra_steps <= 0:
        sys.exit(f"{side}: the {repeats}-window run took no more steps than the 1-window run")
    per_step[side] = {os.path.basename(o): (many[o] - few.get(o, 0)) / extra_steps for o in many}

objects = sorted(set(per_step["effbench"]) | set(per_step["pytorch"]),
                 key=lambda o: -max(per_step["effbench"].get(o, 0), per_step["pytorch"].get(o, 0)))
total = {side: sum(v for v in per_step[side].values() if v > 0) for side in per_step}
print(f"instructions per sample of one step, by shared object (self cost; batch {batch}; "
      f"difference of a 1-window and a {repeats}-window run)")
print(f"{'object':36} {'effbench':>14} {'PyTorch':>14} {'share (PyTorch)':>16}")
for o in objects:
    e, p = per_step["effbench"].get(o, 0) / batch, per_step["pytorch"].get(o, 0) / batch
    if max(e, p) < 0.001 * max(total.values()) / batch:
        continue
    print(f"{o[:36]:36} {e:14,.0f} {p:14,.0f} {100 * p * batch / total['pytorch']:15.1f}%")
print(f"{'total':36} {total['effbench'] / batch:14,.0f} {total['pytorch'] / batch:14,.0f}")
print(f"effbench / PyTorch instructions per sample: {total['effbench'] / total['pytorch']:.3f}")
EOF
