#!/usr/bin/env bash
# One script for a fresh Debian bookworm machine: installs what effbench
# needs, builds it (Release), then either runs the default suite or the tests.
#
#   scripts/setup.sh run    install, build, run `effbench run` and write a report
#   scripts/setup.sh test   install, build, run the test suite (ctest); CI runs this
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores),
# EFFBENCH_SKIP_APT=1 to skip the package installation.
set -euo pipefail

action=${1:-}
case "$action" in
  run|test) ;;
  *) echo "usage: scripts/setup.sh run|test" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

packages=(
  build-essential cmake ninja-build git
  libtorch-dev libopenblas0-pthread
  python3 libcli11-dev nlohmann-json3-dev libfmt-dev libsqlite3-dev libeigen3-dev
  zlib1g-dev libstb-dev libboost-dev libgtest-dev libgloo-dev
  dataset-fashion-mnist
)
if [ "$action" = test ]; then
  packages+=(chromium)  # the HTML report's browser check
fi

if [ "${EFFBENCH_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "== installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

echo "== building effbench (Release) in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"

if [ "$action" = test ]; then
  echo "== running the test suite"
  cd "$build"
  ctest --output-on-failure -j "$jobs" --timeout 900
else
  echo "== running the default suite"
  mkdir -p "$root/results"
  "$build/src/cli/effbench" run --json "$root/results/latest.json" --report "$root/results/report.html"
fi
