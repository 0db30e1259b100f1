#!/usr/bin/env bash
# Installs what building and running Liushou needs on Debian: PostgreSQL server and libpq headers.
# Idempotent: installs only what is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
[ -e /usr/include/crypt.h ] || missing+=(libcrypt-dev)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql postgresql-contrib)
fi
if [ "${LIUSHOU_NEED_TEST_TOOLS:-0}" = 1 ]; then
  command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
  # The dashboard's browser test: headless Chromium and CJK fonts for its screenshots.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
fi

if [ "${LIUSHOU_NEED_HA_TOOLS:-0}" = 1 ]; then
  # deploy/ha: Patroni with etcd, and PgBouncer (Debian's packages).
  command -v patroni >/dev/null 2>&1 || missing+=(patroni)
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's postgresql package starts a system cluster of its own; Liushou does not use it.
if [ ! -x "$(command -v swift || true)" ]; then
  echo "swift is not on PATH: install the Swift 6 toolchain first" >&2
  exit 1
fi
