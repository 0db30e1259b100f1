#!/usr/bin/env bash
# Does the audit log's chain lock bind? All on one embedded cluster in one run:
#   1. baseline: pgbench inserting audit-shaped rows into a plain copy of audit_log (no trigger);
#   2. pgbench appending through the chain trigger (advisory lock of the row's chain, read of the
#      chain's last row, sha256) with 1 and 16 clients over 64 towns, and 16 clients in one town:
#      if 16 clients append no faster than 1, the lock is the limit;
#   3. the same 16-client append while wrk posts door checks over HTTP, next to door checks alone,
#      to see what each costs the other.
# Prints the figures; asserts nothing. Usage: deploy/bench-audit.sh [seconds, default 15]
#   LIUSHOU_BENCH_BIN=.build/debug/liushou uses a debug build (HTTP figures are then a debug server's).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"

bash deploy/install-prerequisites.sh
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [ -z "${LIUSHOU_BENCH_BIN:-}" ]; then swift build -c release --product liushou 2>&1 | tail -n 1; fi

source deploy/bench-server.sh
start_bench_server bench-audit 18185 --demo --pool-size 16
password="$(sed -n 's/.*password for all: \(.*\))/\1/p' "$work/data/demo-logins.txt")"
q() { "$psql_bin" -qAt -c "$1"; }
echo "== machine: $(nproc) cores; $secs s per run; server: ${LIUSHOU_BENCH_BIN:-.build/release/liushou}; audit rows before: $(q "select count(*) from audit_log")"

# Audited actions spread over 64 towns (a county's or a prefecture's: the chains are striped by
# town since migration 0029), and the same all in one town (one chain: what every row paid before).
cat >"$work/append.sql" <<'SQL'
\set town random(1, 64)
insert into audit_log (account_name, role, unit_path, action, resource, record_id, result, client_address, request_id, detail)
values ('bench', 'village_cadre', ('c341122.t' || :town || '.v1')::ltree, 'person.view', 'person', gen_random_uuid()::text, 'success',
    '127.0.0.1', md5(random()::text), '{"rows": "1"}');
SQL
sed 's/random(1, 64)/random(1, 1)/' "$work/append.sql" >"$work/append-one-town.sql"
q "create table bench_audit (like audit_log including defaults); create sequence bench_seq"
cat >"$work/plain.sql" <<'SQL'
insert into bench_audit (chain_position, at, prev_hash, hash, account_name, role, action, resource, record_id, result, client_address,
    request_id, detail)
values (nextval('bench_seq'), clock_timestamp(), '\x00', sha256('\x00'), 'bench', 'village_cadre', 'person.view', 'person',
    gen_random_uuid()::text, 'success', '127.0.0.1', md5(random()::text), '{"rows": "1"}');
SQL
echo "-- baseline: the same rows into a plain copy of audit_log (no chain trigger), 16 clients"
"$pgbench_bin" -n -f "$work/plain.sql" -c 16 -j 2 -T "$secs" 2>&1 | grep -E "^tps|latency average|ERROR" | head -n 3 | sed 's/^/   /'
for clients in 1 16; do
  echo "-- appends through the chain trigger, $clients client(s), 64 towns"
  "$pgbench_bin" -n -f "$work/append.sql" -c "$clients" -j "$(( clients < 2 ? 1 : 2 ))" -T "$secs" 2>&1 \
    | grep -E "^tps|latency average|ERROR" | head -n 3 | sed 's/^/   /'
done
echo "-- appends through the chain trigger, 16 clients, all in one town (one chain, as every row was before 0029)"
"$pgbench_bin" -n -f "$work/append-one-town.sql" -c 16 -j 2 -T "$secs" 2>&1 | grep -E "^tps|latency average|ERROR" | head -n 3 | sed 's/^/   /'

q "select p.id from person p where p.status = 'active' and p.village_id in (
     select u.id from org_unit u join role_grant g on u.path <@ (select path from org_unit where id = g.unit_id)
     join account a on a.id = g.account_id where a.username = 'demo.cadre' and g.revoked_at is null)" >"$work/people.txt"
token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.cadre\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
echo "-- door checks over HTTP alone (wrk, 2 threads, 16 connections; $(wc -l <"$work/people.txt") people)"
TOKEN="$token" PEOPLE="$work/people.txt" wrk -t2 -c16 -d"${secs}s" --latency -s deploy/door-check.lua "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|99%" | sed 's/^ */   /'
echo "-- door checks over HTTP and 16 audit appenders at once"
"$pgbench_bin" -n -f "$work/append.sql" -c 16 -j 2 -T "$secs" >"$work/together.txt" 2>&1 &
bench=$!
TOKEN="$token" PEOPLE="$work/people.txt" wrk -t2 -c16 -d"${secs}s" --latency -s deploy/door-check.lua "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|99%" | sed 's/^ */   door checks: /'
wait "$bench" || true
grep -E "^tps|latency average" "$work/together.txt" | sed 's/^/   audit appends: /'
echo "   audit rows after: $(q "select count(*) from audit_log"); chain: $(q "select coalesce(problem, 'intact') from audit_log_verify()")"
