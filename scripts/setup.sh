#!/usr/bin/env bash
# One script for a fresh Debian machine (12 bookworm or 13 trixie): installs
# what effbench needs, builds it (Release), then runs the default suite or the
# tests.
#
#   scripts/setup.sh run    install, build, run `effbench run` and write a report
#   scripts/setup.sh test   install, build, run the test suite (ctest); CI runs this
#   scripts/setup.sh build  install and build only
#   scripts/setup.sh packages   print the Debian packages it would install
#
# Which LibTorch (Note [LibTorch variants]):
#   Debian 12: libtorch-dev 1.13, CPU only.
#   Debian 13: libtorch-dev 2.6 (CPU), or libtorch-cuda-dev 2.6 from contrib
#   when an NVIDIA driver is present (the two cannot be installed together).
#
# Environment:
#   BUILD_DIR           build folder (default build, or build-cuda for the CUDA variant)
#   JOBS                parallel build jobs (default: number of cores)
#   EFFBENCH_SKIP_APT=1 skip the package installation
#   EFFBENCH_VARIANT    auto (default) | cpu | cuda
#   EFFBENCH_WERROR=1   warnings are errors (CI)
#   EFFBENCH_CUDNN_LICENSE=agree  CUDA variant: agree to NVIDIA's cuDNN license,
#                       so Debian's nvidia-cudnn downloads cuDNN from NVIDIA
#   EFFBENCH_LINK_ONLY=1  CUDA variant without a GPU and without cuDNN: compile
#                       and link every target, run nothing (CI's proof; the
#                       binaries need libcudnn.so.9 to start)
set -euo pipefail

action=${1:-}
case "$action" in
  run|test|build|packages) ;;
  *) echo "usage: scripts/setup.sh run|test|build|packages" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
link_only=${EFFBENCH_LINK_ONLY:-0}

codename=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}" )
case "$codename" in
  bookworm) release=12 ;;
  trixie) release=13 ;;
  *) release=13
     echo "== $codename is neither Debian 12 (bookworm) nor 13 (trixie): using Debian 13's package set" >&2 ;;
esac

nvidia_driver=no
if [ -e /proc/driver/nvidia/version ] || command -v nvidia-smi >/dev/null 2>&1; then
  nvidia_driver=yes
fi
# Debian's CUDA LibTorch needs cuDNN 9, which Debian's nvidia-cudnn downloads
# from NVIDIA only once NVIDIA's cuDNN license is agreed to; effbench does not
# agree for you.
cudnn_agreed=no
[ "${EFFBENCH_CUDNN_LICENSE:-}" = agree ] && cudnn_agreed=yes
have_cudnn() { ldconfig -p 2>/dev/null | grep -q 'libcudnn\.so\.9'; }
cudnn_hint="the CUDA LibTorch needs cuDNN 9, which Debian's nvidia-cudnn downloads from NVIDIA once you accept NVIDIA's cuDNN license: EFFBENCH_CUDNN_LICENSE=agree scripts/setup.sh $action"

variant=${EFFBENCH_VARIANT:-auto}
case "$variant" in
  auto)
    variant=cpu
    if [ "$nvidia_driver" = yes ]; then
      if [ "$release" = 12 ]; then
        echo "== an NVIDIA driver is present, but Debian 12 ships only a CPU LibTorch (1.13):" >&2
        echo "   building the CPU variant. For the GPU: Debian 13, or a pip LibTorch (README, 'Building against a CUDA LibTorch')." >&2
      elif [ "$cudnn_agreed" = yes ] || have_cudnn; then
        variant=cuda
      else
        echo "== an NVIDIA driver is present, but $cudnn_hint" >&2
        echo "   building the CPU variant." >&2
      fi
    fi ;;
  cpu) ;;
  cuda)
    if [ "$release" = 12 ]; then
      echo "EFFBENCH_VARIANT=cuda: Debian 12 has no CUDA LibTorch package; use Debian 13 or a pip LibTorch" >&2
      exit 2
    fi
    if [ "$link_only" != 1 ] && [ "$action" != packages ] && [ "$cudnn_agreed" = no ] && ! have_cudnn; then
      echo "EFFBENCH_VARIANT=cuda: $cudnn_hint" >&2
      exit 2
    fi ;;
  *) echo "EFFBENCH_VARIANT: expected auto, cpu or cuda but got '$variant'" >&2; exit 2 ;;
esac
if [ "$link_only" = 1 ] && [ "$action" != build ]; then
  echo "EFFBENCH_LINK_ONLY=1 builds binaries that cannot start: use it with 'build', not '$action'" >&2
  exit 2
fi
default_build=$root/build
[ "$variant" = cuda ] && default_build=$root/build-cuda
build=${BUILD_DIR:-$default_build}

# libfmt-dev and libgloo-dev: LibTorch's c10d headers include fmt's and
# Gloo's (Note [Dependencies] in cmake/dependencies.cmake).
packages=(
  build-essential cmake ninja-build git
  libopenblas0-pthread
  python3 libcli11-dev nlohmann-json3-dev libfmt-dev libsqlite3-dev libeigen3-dev
  zlib1g-dev libstb-dev libboost-dev libgtest-dev
  dataset-fashion-mnist
)
if [ "$variant" = cuda ]; then
  packages+=(libtorch-cuda-dev libgloo-cuda-dev libnccl-dev nvidia-cuda-dev nvidia-cuda-toolkit)
else
  packages+=(libtorch-dev libgloo-dev)
fi
if [ "$action" = test ]; then
  packages+=(chromium)  # the HTML report's browser check
fi
if [ "$action" = packages ]; then
  echo "${packages[*]}"
  exit 0
fi
echo "== Debian $release ($codename), LibTorch variant: $variant, NVIDIA driver: $nvidia_driver"

if [ "${EFFBENCH_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ "$variant" = cuda ]; then
    # libtorch-cuda-dev is in contrib, the CUDA toolkit in non-free.
    if ! grep -rqsE '^[^#]*contrib.*non-free( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "== enabling Debian's contrib and non-free components (/etc/apt/sources.list.d/effbench-contrib.list)"
      echo "deb http://deb.debian.org/debian $codename contrib non-free" | $sudo tee /etc/apt/sources.list.d/effbench-contrib.list >/dev/null
    fi
    if [ "$cudnn_agreed" = yes ] && [ "$link_only" != 1 ]; then
      echo "nvidia-cudnn nvidia-cudnn/question select I Agree" | $sudo debconf-set-selections
    else
      echo "nvidia-cudnn nvidia-cudnn/question select I Decline" | $sudo debconf-set-selections
    fi
  fi
  echo "== installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [ "$variant" = cuda ] && [ "$link_only" != 1 ] && ! have_cudnn; then
    # nvidia-cudnn was installed earlier, declined: ask it again, agreed.
    echo "== downloading cuDNN through nvidia-cudnn (NVIDIA's license agreed by EFFBENCH_CUDNN_LICENSE=agree)"
    DEBIAN_FRONTEND=noninteractive $sudo dpkg-reconfigure nvidia-cudnn
    have_cudnn || { echo "cuDNN 9 is still missing after nvidia-cudnn ran: see its output above" >&2; exit 1; }
  fi
fi

cmake_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
# Both stated every time: a CMake cache keeps an option until it is set again.
werror=OFF
if [ "${EFFBENCH_WERROR:-0}" = 1 ] || [ "$link_only" = 1 ]; then werror=ON; fi
link_only_option=OFF
[ "$link_only" = 1 ] && link_only_option=ON
cmake_flags+=(-DEFFBENCH_LINK_ONLY=$link_only_option -DEFFBENCH_WERROR=$werror)
echo "== building effbench (Release, $variant) in $build"
cmake -S "$root" -B "$build" "${cmake_flags[@]}"
cmake --build "$build" -j "$jobs"

case "$action" in
  test)
    echo "== running the test suite"
    cd "$build"
    ctest --output-on-failure -j "$jobs" --timeout 900 ;;
  run)
    echo "== running the default suite"
    mkdir -p "$root/results"
    "$build/src/cli/effbench" run --json "$root/results/latest.json" --report "$root/results/report.html" ;;
  build) ;;
esac
