#!/usr/bin/env bash
# Patroni callback (on_start, on_role_change): PORT ACTION ROLE SCOPE. On the node that is now the
# primary, points PgBouncer's `liushou` database at this node, reloads PgBouncer and has it close
# its server connections to the old target as they come free. Every step is logged to
# role-changes.log; a failed reload is retried for 10 s (PgBouncer may be restarting).
set -euo pipefail
port="$1" action="$2" role="$3"
dir="$(cd "$(dirname "$0")" && pwd)"
log() { echo "$(date -u +%FT%T.%3NZ) $*" >>"$dir/role-changes.log"; }
case "$role" in master | primary) ;; *) exit 0 ;; esac
printf 'liushou = host=127.0.0.1 port=%s dbname=liushou\n' "$port" >"$dir/databases.ini.new"
mv "$dir/databases.ini.new" "$dir/databases.ini"
set -a
# shellcheck disable=SC1091
. "$dir/pgbouncer-admin.env"
set +a
for _ in $(seq 1 20); do
  if psql -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U pgbouncer_admin -d pgbouncer -qAt -c 'RELOAD' -c 'RECONNECT liushou' >/dev/null 2>>"$dir/role-changes.err"; then
    log "$action $role: PgBouncer now points at port $port"
    exit 0
  fi
  sleep 0.5
done
log "$action $role: FAILED to reload PgBouncer for port $port (see role-changes.err)"
exit 1
