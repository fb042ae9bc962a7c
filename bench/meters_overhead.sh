#!/usr/bin/env bash
# Throughput with the energy meters on over meters off, measured in one run
# of this script: alternating effbench runs of the same case, so drifts in
# machine load hit both sides alike. Target: ratio >= 0.99.
#
#   bench/meters_overhead.sh [EFFBENCH] [PAIRS]
#   DEVICE=cuda MODEL=resnet18 MODE=train bench/meters_overhead.sh
set -euo pipefail
effbench=${1:-build/src/cli/effbench}
pairs=${2:-5}
device=${DEVICE:-cpu}
model=${MODEL:-conv6}
mode=${MODE:-infer}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

common=(run --model "$model" --device "$device" --mode "$mode" --min-time-s 2 --repeats 3 --warmup-s 1 --no-save)
for i in $(seq 1 "$pairs"); do
  "$effbench" "${common[@]}" --json "$work/on-$i.json" >/dev/null
  "$effbench" "${common[@]}" --no-meters --json "$work/off-$i.json" >/dev/null
done

python3 - "$work" "$pairs" <<'PY'
import json, statistics, sys
work, pairs = sys.argv[1], int(sys.argv[2])
def medians(kind):
    out = []
    for i in range(1, pairs + 1):
        d = json.load(open(f"{work}/{kind}-{i}.json"))
        out.append(d["cases"][0]["throughput"]["median"])
    return out
on, off = medians("on"), medians("off")
sources = sorted({r["source"] + ("" if r.get("available") else " (unavailable)")
                  for r in json.load(open(f"{work}/on-1.json"))["cases"][0]["energy"]})
print(f"meters active: {', '.join(sources) or 'none'}")
print(f"meters on : median {statistics.median(on):.4g} samples/s over {pairs} runs {['%.4g' % v for v in on]}")
print(f"meters off: median {statistics.median(off):.4g} samples/s over {pairs} runs {['%.4g' % v for v in off]}")
ratio = statistics.median(on) / statistics.median(off)
print(f"ratio on/off = {ratio:.4f} (target >= 0.99)")
PY
