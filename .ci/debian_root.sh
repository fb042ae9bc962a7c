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
  rm -rf "$dir"
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

unmount_all() {
  local m
  for m in effbench dev sys proc; do
    if mountpoint -q "$root_dir/$m"; then umount -l "$root_dir/$m" || true; fi
  done
}

run_inside() {
  local dir=$roots/$1; shift
  [ -f "$dir/.effbench-root-complete" ] || { echo "no Debian root at $dir: run 'ensure' first" >&2; exit 2; }
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mkdir -p "$dir/effbench"
  root_dir=$dir
  trap unmount_all EXIT
  mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc"
  mountpoint -q "$dir/sys" || mount --rbind /sys "$dir/sys"
  mountpoint -q "$dir/dev" || mount --rbind /dev "$dir/dev"
  mountpoint -q "$dir/effbench" || mount --bind "$checkout" "$dir/effbench"
  chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI="${CI:-}" TERM=dumb "$@"
}

case "${1:-}" in
  ensure) [ $# -eq 3 ] || usage; ensure "$2" "$3" ;;
  exec) [ $# -ge 3 ] || usage; shift; run_inside "$@" ;;
  *) usage ;;
esac
