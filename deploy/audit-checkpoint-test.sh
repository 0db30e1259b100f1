#!/usr/bin/env bash
# Anchored audit, end to end with the real commands (about a minute): a server on its own embedded
# cluster writes signed checkpoints every second while logins are audited; after it stops,
# `liushou audit verify --checkpoint` passes; then the newest audit rows are deleted as the owner
# (the append-only trigger switched off, as an intruder with the owner's rights could), and the chain
# alone still verifies while the checkpoint check fails with exit 1.
# Usage: deploy/audit-checkpoint-test.sh [path to liushou, default .build/debug/liushou]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/debug/liushou}"
port="${AUDIT_TEST_PORT:-18192}"
work="$(mktemp -d /tmp/liushou-audit.XXXXXX)"
chmod 711 "$work"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [ -n "${AUDIT_TEST_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
psql_bin="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)"
export LIUSHOU_ADMIN_PASSWORD='Audit#Check2026'
"$binary" bootstrap --data-dir "$work/data" --county-name 审计县 --admin-username county.admin --log-level warning >/dev/null
LIUSHOU_AUDIT_CHECKPOINT_INTERVAL=1 "$binary" serve --data-dir "$work/data" --port "$port" --log-level warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
for _ in 1 2 3; do
  curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"county.admin\",\"password\":\"$LIUSHOU_ADMIN_PASSWORD\"}" >/dev/null
  sleep 1.2
done
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
checkpoints="$work/data/audit-checkpoints.jsonl"
echo "checkpoints written: $(wc -l <"$checkpoints")"
"$binary" audit verify --data-dir "$work/data" --checkpoint "$checkpoints" --log-level warning

# Delete the newest rows as the owner, through the embedded cluster.
"$binary" migrate --status --data-dir "$work/data" --log-level warning >/dev/null  # leaves the cluster stopped
pg_bin="$(dirname "$psql_bin")"
pg_ctl_bin="$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -n 1)"
sock="$work/sock"; mkdir -p "$sock"; chmod 777 "$sock"
owner="$(stat -c %U "$work/data/postgres")"
run_as() { if [ "$(id -un)" = "$owner" ]; then "$@"; else su "$owner" -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }
run_as "$pg_ctl_bin" -D "$work/data/postgres" -o "-k $sock -p 55439 -c listen_addresses=''" -w start >/dev/null
PGPASSWORD="$(cat "$work/data/postgres-password")" run_as "$psql_bin" -h "$sock" -p 55439 -U liushou -d liushou -qAt -c "
  alter table audit_log disable trigger audit_log_no_update;
  delete from audit_log where chain_position > (select max(chain_position) - 2 from audit_log);
  alter table audit_log enable trigger audit_log_no_update;"
run_as "$pg_ctl_bin" -D "$work/data/postgres" -m fast -w stop >/dev/null
if "$binary" audit verify --data-dir "$work/data" --checkpoint "$checkpoints" --log-level warning; then
  echo "FAILED: audit verify passed although the newest rows were deleted"; exit 1
fi
echo "audit checkpoint test passed: a log cut short fails verification although its chain is intact"
