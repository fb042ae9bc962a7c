#!/usr/bin/env bash
# Debian roots for CI stages that need another release than the CI machine's.
#
#   .ci/debian_root.sh ensure NAME SUITE       debootstrap NAME (once; reused after)
#   .ci/debian_root.sh exec NAME CMD [ARG...]  run CMD as root inside NAME, with the
#                                              checkout mounted at /effbench
#
# Roots live under EFFBENCH_CI_ROOTS (default /var/cache/effbench-ci) so a later
# CI run on the same machine reuses them; starting from nothing works too.
set -euo pipefail

roots=${EFFBENCH_CI_ROOTS:-/var/cache/effbench-ci}
mirror=${EFFBENCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
checkout=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: .ci/debian_root.sh ensure NAME SUITE | exec NAME CMD [ARG...]" >&2; exit 2; }

ensure() {
  local name=$1 suite=$2 dir=$roots/$1
  if [ -f "$dir/.effbench-root-complete" ]; then
    echo "== reusing Debian root $dir"
    return
  fi
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  rm -rf --one-file-system "$dir"
  mkdir -p "$roots"
  echo "== debootstrap $suite into $dir"
  debootstrap --variant=minbase --components=main,contrib,non-free,non-free-firmware \
    "$suite" "$dir" "$mirror" >"$roots/$name.debootstrap.log" 2>&1 \
    || { tail -20 "$roots/$name.debootstrap.log" >&2; exit 1; }
  cat >"$dir/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main contrib non-free non-free-firmware
deb $mirror $suite-updates main contrib non-free non-free-firmware
SOURCES
  # Lean root: no documentation, no recommends.
  printf 'path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/locale/*\n' \
    >"$dir/etc/dpkg/dpkg.cfg.d/01-nodoc"
  echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/01-norecommends"
  touch "$dir/.effbench-root-complete"
}

run_inside() {
  local dir=$roots/$1
  shift
  [ -f "$dir/.effbench-root-complete" ] || { echo "no Debian root at $dir: run 'ensure' first" >&2; exit 2; }
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mkdir -p "$dir/effbench"
  # The mounts live in a private mount namespace of this command alone: they
  # never reach the host's mounts and vanish with the command, even a killed
  # one, so nothing is left to unmount.
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    dir=$1 checkout=$2
    shift 2
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys"
    mount --rbind /dev "$dir/dev"
    mount --bind "$checkout" "$dir/effbench"
    exec chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 CI="${CI:-}" TERM=dumb "$@"' debian_root "$dir" "$checkout" "$@"
}

case "${1:-}" in
  ensure) [ $# -eq 3 ] || usage; ensure "$2" "$3" ;;
  exec) [ $# -ge 3 ] || usage; shift; run_inside "$@" ;;
  *) usage ;;
esac
