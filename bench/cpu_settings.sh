#!/usr/bin/env bash
# What each CPU process setting does to effbench's throughput (issue 18):
# every variant against effbench's defaults, measured in the same run, in
# interleaved rounds (default, A, B, ..., default, A, B, ...), so that a drift
# of the machine shows in both sides of a ratio.
#
#   bench/cpu_settings.sh                       conv6 and resnet18, fp32, eager
#   MODELS=conv6 ROUNDS=3 bench/cpu_settings.sh
#   VARIANTS=default,bind-close bench/cpu_settings.sh   (some variants only)
#
# Variants (the name, then the environment or flags that differ from the
# defaults; the OpenMP variables must be set before the process starts, as
# libgomp reads them when it is loaded):
#   wait-active   OMP_WAIT_POLICY=ACTIVE   (idle OpenMP threads spin)
#   wait-passive  OMP_WAIT_POLICY=PASSIVE  (idle OpenMP threads sleep at once)
#   bind-close    OMP_PROC_BIND=close OMP_PLACES=cores (threads pinned, one per core)
#   threads-1     --threads 1              (what the second core buys)
#   malloc-system EFFBENCH_MALLOC=system   (Note [Heap-only malloc] off)
#   blas-own      EFFBENCH_BLAS_THREADS=own (Note [One CPU thread pool] off)
#   isa-avx2      ONEDNN_MAX_CPU_ISA=AVX2  (oneDNN without its AVX-512 kernels)
# The defaults are libgomp's (no OpenMP variable set: idle threads spin for a
# while, then sleep; threads not pinned), one thread per physical core, the
# heap-only malloc and OpenBLAS inside LibTorch's pool.
#
# Prints, per model x mode x variant, the median over rounds of
# throughput(variant) / throughput(default, same round), and saves it as
# summary.txt in OUT. Not part of the test suite; run it on a quiet machine.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
EFFBENCH="${EFFBENCH:-$root/build/src/cli/effbench}"
MODELS="${MODELS:-conv6,resnet18}"
ROUNDS="${ROUNDS:-2}"
OUT="${OUT:-$root/bench/results/cpu_settings-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
[[ -x "$EFFBENCH" ]] || { echo "effbench binary not found at $EFFBENCH; build it or set EFFBENCH" >&2; exit 2; }
for v in OMP_WAIT_POLICY OMP_PROC_BIND OMP_PLACES GOMP_CPU_AFFINITY GOMP_SPINCOUNT OMP_NUM_THREADS \
  EFFBENCH_MALLOC EFFBENCH_BLAS_THREADS ONEDNN_MAX_CPU_ISA; do
  [[ -z "${!v:-}" ]] || { echo "unset $v first: the defaults are measured without it" >&2; exit 2; }
done

variants=(
  "default|"
  "wait-active|OMP_WAIT_POLICY=ACTIVE"
  "wait-passive|OMP_WAIT_POLICY=PASSIVE"
  "bind-close|OMP_PROC_BIND=close OMP_PLACES=cores"
  "threads-1|--threads 1"
  "malloc-system|EFFBENCH_MALLOC=system"
  "blas-own|EFFBENCH_BLAS_THREADS=own"
  "isa-avx2|ONEDNN_MAX_CPU_ISA=AVX2"
)

IFS=, read -r -a models <<<"$MODELS"
if [[ -n "${VARIANTS:-}" ]]; then
  chosen=()
  for variant in "${variants[@]}"; do
    [[ ",$VARIANTS," == *",${variant%%|*},"* ]] && chosen+=("$variant")
  done
  variants=("${chosen[@]}")
fi
for round in $(seq 1 "$ROUNDS"); do
  for model in "${models[@]}"; do
    for variant in "${variants[@]}"; do
      name=${variant%%|*}
      words=${variant#*|}
      env_words=() flags=()
      for w in $words; do
        if [[ "$w" == --* || "$w" =~ ^[0-9]+$ ]]; then flags+=("$w"); else env_words+=("$w"); fi
      done
      echo "== round $round $model $name: ${words:-defaults}"
      env "${env_words[@]}" "$EFFBENCH" run --model "$model" --device cpu --mode train,infer --precision fp32 \
        --exec eager --batch 64 --image-size 32 --warmup-s 1 --min-time-s 0.5 --repeats 5 --budget-s 100000 \
        --no-save --json "$OUT/$round-$model-$name.json" "${flags[@]}" >"$OUT/$round-$model-$name.log" 2>&1 \
        || echo "   (effbench exited $?; see $OUT/$round-$model-$name.log)"
    done
  done
done

python3 - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import glob, json, os, statistics, sys
out = sys.argv[1]
throughput = {}  # (round, model, variant, mode) -> samples/s
for path in glob.glob(os.path.join(out, "*.json")):
    round_, model, variant = os.path.basename(path)[:-5].split("-", 2)
    for case in json.load(open(path)).get("cases", []):
        if case.get("status") == "ok":
            throughput[(round_, model, variant, case["mode"])] = case["throughput"]["median"]
rounds = sorted({k[0] for k in throughput})
rows = sorted({(k[1], k[3], k[2]) for k in throughput if k[2] != "default"})
print("throughput(variant) / throughput(defaults, same round); median over rounds", rounds)
print(f"{'model':10} {'mode':6} {'variant':14} {'ratio':>6}  per round   default samples/s")
for model, mode, variant in rows:
    ratios = [throughput[(r, model, variant, mode)] / throughput[(r, model, "default", mode)]
              for r in rounds if (r, model, variant, mode) in throughput and (r, model, "default", mode) in throughput]
    base = [round(throughput[(r, model, "default", mode)], 1) for r in rounds if (r, model, "default", mode) in throughput]
    if ratios:
        print(f"{model:10} {mode:6} {variant:14} {statistics.median(ratios):6.3f}  "
              f"{' '.join(f'{x:.3f}' for x in ratios):10}  {base}")
EOF
