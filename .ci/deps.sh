#!/bin/sh
# Installs the Debian packages Lunas needs when they are missing (as root), or says which.
# Usage: .ci/deps.sh [build] [bench] [postgres]
set -eu
want=""
for need in "$@"; do
  case "$need" in
    build)    pkg-config --exists lua5.4 2>/dev/null || want="$want liblua5.4-dev pkg-config"
              # schedules read IANA zones (Asia/Jakarta, Europe/Berlin) from the system's tz database
              [ -e /usr/share/zoneinfo/Asia/Jakarta ] || want="$want tzdata" ;;
    bench)    command -v lua5.4 >/dev/null 2>&1 || want="$want lua5.4"
              command -v wrk >/dev/null 2>&1 || want="$want wrk"
              command -v gcc >/dev/null 2>&1 || want="$want gcc" ;;
    postgres) [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want="$want postgresql" ;;
    *) echo "deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ -z "$want" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Lunas needs these Debian packages:$want" >&2
  echo "Install them with: sudo apt-get install -y$want" >&2
  exit 1
fi
echo "Installing:$want" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq $want >/dev/null
