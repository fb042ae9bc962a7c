#!/usr/bin/env bash
# The fuzz targets (Note [Fuzz targets] in fuzz/CMakeLists.txt), the same
# locally and in CI (.ci/run runs them):
#
#   scripts/fuzz.sh build            configure build-fuzz with clang, build the targets
#   scripts/fuzz.sh run [SECONDS]    run each target SECONDS (default 60) from its seed corpus
#   scripts/fuzz.sh check            CI's run: seed 1 and a fixed number of inputs per target
#                                    (about a minute each here), so that a pass is reproducible
#
# A finding (a crash, a sanitizer report, an exception other than
# effbench::Error) fails the run; libFuzzer writes the input as
# build-fuzz/findings/<target>/crash-*. Run scripts/setup.sh build first on a
# fresh machine (it installs the packages, clang and libFuzzer among them).
#
# Environment: BUILD_DIR (default build-fuzz), JOBS (default: number of cores).
set -euo pipefail

step=${1:-}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
jobs=${JOBS:-$(nproc)}
targets=(json_import_fuzz gzip_fuzz csv_fuzz)
declare -A corpus=([json_import_fuzz]=json [gzip_fuzz]=gzip [csv_fuzz]=csv)

case "$step" in
  build)
    cxx=$(command -v clang++-14 || command -v clang++) || { echo "scripts/fuzz.sh: no clang++ (apt install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
    cc=$(command -v clang-14 || command -v clang)
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_C_COMPILER="$cc" -DEFFBENCH_FUZZ=ON -DEFFBENCH_BUILD_TESTS=OFF
    cmake --build "$build" -j "$jobs" --target "${targets[@]}"
    ;;
  run|check)
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "scripts/fuzz.sh run: expected whole seconds but got '$seconds'" >&2; exit 2; }
    declare -A runs=([json_import_fuzz]=400000 [gzip_fuzz]=800000 [csv_fuzz]=250000)
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    for target in "${targets[@]}"; do
      # A fresh working corpus each run: the seeds stay as they are in the tree.
      work=$build/corpus/$target findings=$build/findings/$target
      rm -rf "$work" && mkdir -p "$work" "$findings"
      if [ "$step" = check ]; then
        bound=(-seed=1 -runs="${runs[$target]}")
        echo "== $target: ${runs[$target]} inputs, seed 1, from fuzz/corpus/${corpus[$target]}"
      else
        bound=(-max_total_time="$seconds")
        echo "== $target: ${seconds} s from fuzz/corpus/${corpus[$target]}"
      fi
      "$build/fuzz/$target" "${bound[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$findings/" "$work" "$root/fuzz/corpus/${corpus[$target]}"
    done
    ;;
  *) echo "usage: scripts/fuzz.sh build | run [SECONDS] | check" >&2; exit 2 ;;
esac
