#!/usr/bin/env bash
# The sanitizer checks, the same locally and in CI (.ci/run runs them):
#
#   scripts/sanitize.sh asan [build|test]   ASan + UBSan, the whole test suite
#   scripts/sanitize.sh tsan [build|test]   TSan, the meters' sampling thread and
#                                           the data-parallel (Gloo) tests
#
# Without build or test: both, in that order. Arguments after `test` go to
# ctest (asan: `test -R '^Units\.'`) or to each test binary (tsan:
# `test --gtest_filter='PeriodicThread.*'`). Run scripts/setup.sh build first
# on a fresh machine (it installs the packages); this script installs nothing.
#
# Each build has its own folder (build-asan, build-tsan: BUILD_DIR overrides)
# and is RelWithDebInfo at -O1 (Note [Sanitizer builds] in
# cmake/effbench_options.cmake). Any sanitizer report fails the check: ASan
# and TSan stop the program, UBSan is compiled not to recover. The run-time
# options and the suppressions, each with its reason, are in .ci/sanitizers/.
#
# Environment:
#   BUILD_DIR           build folder (default build-asan or build-tsan)
#   JOBS                parallel build and test jobs (default: number of cores)
#   EFFBENCH_WERROR=1   warnings are errors (CI)
set -euo pipefail

kind=${1:-}
step=${2:-all}
extra=("${@:3}")
case "$kind" in
  asan|tsan) ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan [build|test]" >&2; exit 2 ;;
esac
case "$step" in
  build|test|all) ;;
  *) echo "scripts/sanitize.sh: expected build or test but got '$step'" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
build=${BUILD_DIR:-$root/build-$kind}
supp=$root/.ci/sanitizers
werror=OFF
[ "${EFFBENCH_WERROR:-0}" = 1 ] && werror=ON

# The options hold for the build as well: test discovery runs each test
# binary (--gtest_list_tests) at build time.
if [ "$kind" = asan ]; then
  sanitize=address,undefined
  export ASAN_OPTIONS="suppressions=$supp/asan.supp:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=1:print_suppressions=0"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="suppressions=$supp/ubsan.supp:print_stacktrace=1:halt_on_error=1:print_suppressions=0"
  # The whole suite, cli and report checks included.
  targets=(all)
else
  sanitize=thread
  export TSAN_OPTIONS="suppressions=$supp/tsan.supp:halt_on_error=1:second_deadlock_stack=1:print_suppressions=0"
  # Only where TSan can say something about effbench (Note [TSan scope] in
  # .ci/sanitizers/tsan.supp): the sampling thread and the data-parallel ranks.
  targets=(meters_tests data_parallel_tests)
fi

if [ "$step" != test ]; then
  echo "== building the $kind tests in $build (-fsanitize=$sanitize)"
  # Both stated every time: a CMake cache keeps an option until it is set again.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g" \
    -DEFFBENCH_SANITIZE=$sanitize -DEFFBENCH_WERROR=$werror -DEFFBENCH_LINK_ONLY=OFF
  cmake --build "$build" -j "$jobs" --target "${targets[@]}"
fi

if [ "$step" != build ]; then
  echo "== running the $kind tests"
  if [ "$kind" = asan ]; then
    # ASan slows the small trainings of the runner and cli tests (about 2x).
    ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 1200 "${extra[@]}"
  else
    # Only two binaries are built, so ctest (which would list the others as
    # not built) is not used: each binary runs all its tests in one process.
    failed=0
    for binary in meters/meters_tests runner/data_parallel_tests; do
      echo "-- $binary"
      timeout 1200 "$build/tests/$binary" --gtest_brief=1 "${extra[@]}" || { echo "FAILED: $binary (exit $?)"; failed=1; }
    done
    exit $failed
  fi
fi
