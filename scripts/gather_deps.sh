#!/usr/bin/env bash
# Gathers, on a Debian machine (12 or 13), what effbench's build needs from
# its dependencies into one folder, for a machine that has a compiler and a
# LibTorch but no package registry (the GPU machine: docs/gpu.md). The build
# reads it with -DEFFBENCH_DEPS_DIR=FOLDER (Note [Dependencies] in
# cmake/dependencies.cmake says what goes where and why).
#
#   scripts/gather_deps.sh [FOLDER]     default: device-deps (ignored by git)
#
# EFFBENCH_SKIP_APT=1 skips installing the -dev packages it copies from.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/device-deps}
packages=(libcli11-dev nlohmann-json3-dev libeigen3-dev libboost-dev libstb-dev libsqlite3-dev zlib1g-dev
          libgtest-dev libgloo-dev libfmt-dev g++)

if [ "${EFFBENCH_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if [ -e "$out" ] && [ ! -f "$out/MANIFEST.txt" ] && [ -n "$(ls -A "$out")" ]; then
  echo "gather_deps: $out is neither empty nor a dependency folder (no MANIFEST.txt): not replacing it" >&2
  exit 2
fi
rm -rf "$out"
mkdir -p "$out/include" "$out/gloo-include" "$out/fmt-include" "$out/lib"
inc=/usr/include
lib=/usr/lib/$(gcc -print-multiarch)

cp -r "$inc/CLI" "$inc/nlohmann" "$inc/stb" "$out/include/"
cp -r "$inc/eigen3/Eigen" "$out/include/"
cp "$inc/sqlite3.h" "$inc/sqlite3ext.h" "$inc/zlib.h" "$inc/zconf.h" "$out/include/"
cp "$lib/libsqlite3.a" "$lib/libz.a" "$out/lib/"
cp -r "$inc/gloo" "$out/gloo-include/"
cp -r "$inc/fmt" "$out/fmt-include/"
cp -r /usr/src/googletest/. "$out/googletest/"
rm -rf "$out/googletest/googlemock"  # effbench's tests use GoogleTest alone

# Boost is 160 MB of headers; effbench uses a few Boost.Math distributions.
# Copy the headers that the project's Boost includes reach (as g++ resolves
# them), plus boost/config whole, whose compiler-specific files g++ skips.
boost_includes=$(grep -rhoE '#include <boost/[^>]+>' "$root/src" "$root/tests" "$root/bench" 2>/dev/null | sort -u)
[ -n "$boost_includes" ] || { echo "gather_deps: found no Boost includes in src/ tests/ bench/" >&2; exit 1; }
printf '%s\n' "$boost_includes" | g++ -std=c++17 -x c++ -M - -o - \
  | tr ' \\' '\n\n' | grep "^$inc/boost/" | sort -u \
  | while read -r header; do
      mkdir -p "$out/include/$(dirname "${header#"$inc"/}")"
      cp "$header" "$out/include/${header#"$inc"/}"
    done
cp -r "$inc/boost/config" "$out/include/boost/"
cp "$inc/boost/config.hpp" "$inc/boost/version.hpp" "$out/include/boost/"

{
  echo "# effbench dependency folder (scripts/gather_deps.sh), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# gathered on $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m)"
  for p in "${packages[@]}"; do
    [ "$p" = g++ ] && continue
    dpkg-query -W -f '${Package} ${Version}\n' "$p"
  done
} >"$out/MANIFEST.txt"

echo "gather_deps: wrote $out ($(du -sh "$out" | cut -f1), $(find "$out" -type f | wc -l) files)"
