# Sourced by the CPU comparisons with bench/pytorch_reference.py
# (cpu_vs_pytorch.sh, cpu_harness_bound.sh, cpu_fused_same_graph.sh): the
# settings the two sides share and the comparison's batch, in one place.
# Expects root, EFFBENCH and PYTHON to be set.
#
# THREADS      both sides; default one per physical core, effbench's own
#              default (Note [CPU threads])
# PYTORCH_ENV  NAME=VALUE words for the reference's process; unset:
#              effbench's own process settings, i.e. the heap-only malloc
#              (Note [Heap-only malloc]) and OpenBLAS on one thread (Note
#              [One CPU thread pool]); set it empty for PyTorch as installed
THREADS="${THREADS:-$(lscpu -p=socket,core 2>/dev/null | grep -v "^#" | sort -u | wc -l)}"
[[ "$THREADS" -ge 1 ]] || THREADS=$(nproc)
PYTORCH_ENV="${PYTORCH_ENV-MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647 OPENBLAS_NUM_THREADS=1}"
[[ -x "$EFFBENCH" ]] || { echo "effbench binary not found at $EFFBENCH; build it or set EFFBENCH" >&2; exit 2; }
"$PYTHON" -c 'import torch' 2>/dev/null || { echo "$PYTHON cannot import torch; set PYTHON (Debian: /usr/bin/python3 with python3-torch)" >&2; exit 2; }

# comparison_shape MODEL: "BATCH SIZE" of the comparison's cases, batch 64 at
# 32x32 for the classifiers and cyclegan's batch 1 at 64x64.
comparison_shape() {
  if [[ "$1" == cyclegan ]]; then echo "1 64"; else echo "64 32"; fi
}
