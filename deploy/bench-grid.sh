#!/usr/bin/env bash
# Benchmark of grid administration, all on one embedded cluster in one run:
#   1. door checks posted one per request over HTTP (wrk, 64 connections) next to pgbench inserting
#      the same rows into a plain copy of the table, and pgbench running the server's own one-check
#      transaction (64 clients each): requests/s, p99; and the HTTP floor (/healthz, /v1/auth/me);
#   2. offline batches of 1,000 checks, with time-ordered (v7) ids and with random (v4) ones: checks/s;
#   3. the town overdue query with 50,000 people and a year of daily knocks behind them;
#   4. a village cadre's first page of people once twice as many are filed in another village
#      (every file the cadre may not read passes the person policy's tests), next to the county
#      officer's same page (who may read every file).
# Prints the figures; asserts nothing. Usage: deploy/bench-grid.sh [people, default 50000] [seconds, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-50000}"
secs="${2:-20}"

bash deploy/install-prerequisites.sh
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product liushou 2>&1 | tail -n 1

source deploy/bench-server.sh
start_bench_server bench-grid 18183 --demo --pool-size 16
password="$(sed -n 's/.*password for all: \(.*\))/\1/p' "$work/data/demo-logins.txt")"
q() { "$psql_bin" -qAt -c "$1"; }

echo "== machine: $(nproc) cores; $people people in one village, $secs s per run"
python3 deploy/generate-ledger.py "$people" 341122100001 >"$work/ledger.csv"
chmod 644 "$work/ledger.csv"
LIUSHOU_DATABASE_URL="$owner_url" LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/ledger.csv" --as demo.county --log-level warning 2>/dev/null | tail -n 1 | sed 's/^/   setup: import /'

# A year of daily knocks behind every person (setup, written directly; FK triggers off while seeding).
grid_worker="$(q "select id from account where username = 'demo.cadre'")"
# The year's months of door checks made first (as migration 0031 makes those of existing checks);
# LIUSHOU_BENCH_MONTHS more months back are attached empty (a deployment keeping five years: 60).
months_back="${LIUSHOU_BENCH_MONTHS:-13}"
q "select history_partitions_ensure(3, (now() - make_interval(months => $months_back))::date)" >/dev/null
start=$(date +%s)
q "set session_replication_role = replica;
   insert into door_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, received_at, channel, kind,
       outcome, needs, content_hash)
   select gen_random_uuid(), p.id, p.unit_id, '$grid_worker', 'demo.cadre', 'village_cadre', now() - make_interval(days => d) + interval '9 hours',
       now() - make_interval(days => d) + interval '10 hours', 'in_person', 'grid_knock', 'all_well', '{}', '\\x00'
   from person p cross join generate_series(1, 365) d;
   insert into door_check_key (id, occurred_at) select id, occurred_at from door_check on conflict (id) do nothing;"
# Obligations as the knocks left them: everyone knocked within the last 20 hours, except one person
# in 50 whose last knock was 3 to 4 days ago (what the overdue list must find).
q "update visit_obligation o set last_check_at = now() - make_interval(hours => abs(hashtext(o.person_id::text)) % 20)
       - case when abs(hashtext(o.person_id::text)) % 50 = 0 then interval '3 days' else interval '0' end,
       next_due_at = now() - make_interval(hours => abs(hashtext(o.person_id::text)) % 20)
       - case when abs(hashtext(o.person_id::text)) % 50 = 0 then interval '3 days' else interval '0' end + o.cadence
   where o.rule_key = 'daily_knock'; analyze;"
echo "   setup: $(q "select count(*) from door_check") door checks of history in $(( $(date +%s) - start )) s;" \
  "$(q "select count(*) from pg_inherits where inhparent = 'door_check'::regclass") partitions of door_check attached"
# A year of history written in one go would have autovacuum and a checkpoint run in the middle of
# the measurements; a real year accrues (and is vacuumed) day by day.
q "vacuum analyze door_check"
q "vacuum analyze door_check_key"
q "vacuum analyze visit_obligation"
q "checkpoint"

echo "-- baseline: pgbench inserting the same rows into a plain copy of door_check (no RLS, no triggers), 64 clients"
q "create table bench_check (like door_check including defaults)"
person="$(q "select id from person limit 1")"
cat >"$work/insert.sql" <<SQL
insert into bench_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, channel, kind, outcome, needs, content_hash)
values (gen_random_uuid(), '$person', (select unit_id from person where id = '$person'), '$grid_worker', 'demo.cadre', 'village_cadre', now(),
  'in_person', 'cadre_visit', 'all_well', '{}', '\\x00');
SQL
"$pgbench_bin" -n -f "$work/insert.sql" -c 64 -j 2 -T "$secs" -M prepared 2>/dev/null | grep -E "^tps|latency average" | tee "$work/plain.out" | sed 's/^/   /'
q "drop table bench_check"
# A figure next to its baseline: ratio(label, figure, baseline).
ratio() {
  python3 -c "
import sys
try:
    f, b = float(sys.argv[2]), float(sys.argv[3])
    print(f'   => {sys.argv[1]}: {f:,.0f} against {b:,.0f}: {f / b:.1%} of the baseline')
except ValueError:
    print(f'   => {sys.argv[1]}: n/a (a figure is missing: see above)')" "$@"
}
tps_of() { sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$1" | head -n 1; }

echo "-- baseline: pgbench running the statements the server sends for one check, in its two round trips (as the application role"
echo "   with demo.cadre's scopes: BEGIN with the scope and door_check_targets; door_checks_record with its policies,"
echo "   obligations, timeline, and COMMIT), 64 clients"
q "select p.id from person p join org_unit u on u.id = p.unit_id where u.code = '341122100001' and p.status = 'active' order by random() limit 5000" >"$work/people.txt"
q "create table bench_people (n serial primary key, id uuid not null, unit_id uuid)"
"$psql_bin" -qAt -c "\\copy bench_people (id) from '$work/people.txt'"
q "update bench_people b set unit_id = p.unit_id from person p where p.id = b.id; grant select on bench_people to liushou_app"
# The scope as the server sends it: one statement of set_config calls (and the role, which the server's pool logs in as).
scope_sql="select $(LIUSHOU_DATABASE_URL="$owner_url" .build/release/liushou admin scope-sql demo.cadre --log-level warning 2>/dev/null \
  | sed -n 's/^select \(set_config(.*)\);$/\1/p' | paste -sd, -), set_config('role', 'liushou_app', true);"
cat >"$work/check.sql" <<SQL
\\set n random(1, 5000)
\\startpipeline
BEGIN;
$scope_sql
select * from door_check_targets(array(select id from bench_people where n = :n), '{}'::uuid[], '$grid_worker');
\\endpipeline
\\startpipeline
select id, status from door_checks_record((select jsonb_build_array(jsonb_build_object('id', liushou_uuid7(), 'personId', b.id, 'unitId', b.unit_id,
  'visitorAccountId', '$grid_worker', 'visitorName', 'demo.cadre', 'visitorRole', 'village_cadre', 'occurredAt', now() - interval '1 minute',
  'channel', 'in_person', 'kind', 'cadre_visit', 'outcome', 'all_well', 'contentHash', md5(random()::text), 'summary', '村干部登门：一切正常',
  'needs', '[]'::jsonb)) from bench_people b where b.n = :n));
COMMIT;
\\endpipeline
SQL
# Extended mode, as the server's unnamed statements: each is planned at every call (the functions'
# own statements are planned once a session by PL/pgSQL, as in the server's pooled connections).
"$pgbench_bin" -n -f "$work/check.sql" -c 64 -j 2 -T "$secs" -M extended 2>&1 | grep -E "^tps|latency average|ERROR" | tee "$work/check.out" | head -n 3 | sed 's/^/   /' || true
ratio "one-check transactions/s (pgbench) vs plain inserts/s" "$(tps_of "$work/check.out")" "$(tps_of "$work/plain.out")"

echo "-- HTTP: POST /v1/door-checks, one check per request (wrk, 2 threads, 64 connections, --latency)"
token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.cadre\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
TOKEN="$token" PEOPLE="$work/people.txt" wrk -t2 -c64 -d"${secs}s" --latency -s deploy/door-check.lua "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|99%|error answers" | tee "$work/post.out" | sed 's/^ */   /'

echo "-- HTTP floor on this machine, same wrk settings: GET /healthz (no database) and GET /v1/auth/me (the token check, then one read of the account's second factor)"
wrk -t2 -c64 -d"${secs}s" "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec" | sed 's/^ */   healthz: /'
wrk -t2 -c64 -d"${secs}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/auth/me" | grep -E "Requests/sec" | tee "$work/me.out" | sed 's/^ */   auth\/me: /'
rps_of() { sed -n 's/.*Requests\/sec: *\([0-9.]*\).*/\1/p' "$1" | head -n 1; }
ratio "POST /v1/door-checks requests/s vs GET /v1/auth/me" "$(rps_of "$work/post.out")" "$(rps_of "$work/me.out")"

echo "-- HTTP: offline batches of 1,000 checks (POST /v1/door-checks/batch, one client): with time-ordered ids (UUID v7), as the"
echo "   field app makes them; then as many with random ids (v4), as older clients and other systems may send"
python3 - "$work" <<'PY'
import datetime, json, os, random, sys, time, uuid
work = sys.argv[1]
people = open(f"{work}/people.txt").read().split()
at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
def v7():
    b = bytearray(int(time.time() * 1000).to_bytes(6, "big") + os.urandom(10))
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))
for name, make in (("v7", v7), ("v4", lambda: str(uuid.uuid4()))):
    for n in range(20):
        items = [{"id": make(), "personId": random.choice(people), "occurredAt": at, "channel": "in_person", "kind": "cadre_visit",
                  "outcome": "all_well", "needs": []} for _ in range(1000)]
        open(f"{work}/batch-{name}-{n}.json", "w").write(json.dumps({"items": items}))
PY
# Posts the twenty batches of one kind of id (deploy/bench-post.py: one connection, answers checked
# after the clock); prints the line, keeps checks/s in $work/rate-KIND.
post_batches() {
  local timing
  timing="$(python3 deploy/bench-post.py "http://127.0.0.1:$port/v1/door-checks/batch" "$token" created=1000 "$work"/batch-"$1"-{0..19}.json)"
  python3 -c "s, m = $(echo "$timing" | tr ' ' ','); print(20000 / s, end='', file=open('$work/rate-$1', 'w'))
print(f'   $1 ids: 20,000 checks in {s:.2f} s: {20000/s:.0f} checks/s (median {m:.0f} ms a batch)')"
}
post_batches v7
post_batches v4
batch_rate="$(cat "$work/rate-v7")"
echo "-- baseline: a plain insert of 10,000 of the v7 rows, 1,000 a statement, into a plain copy of door_check (no RLS, no triggers)"
q "create table bench_batch (like door_check including defaults); create table bench_rows as select * from door_check where substr(id::text, 15, 1) = '7' order by received_at desc limit 10000"
start=$(date +%s.%N)
for n in $(seq 0 9); do q "insert into bench_batch select * from bench_rows order by id offset $((n * 1000)) limit 1000"; done
end=$(date +%s.%N)
plain_rate="$(python3 -c "print(10000 / ($end - $start))")"
python3 -c "s=$end-$start; print(f'   10,000 rows in {s:.2f} s: {10000/s:.0f} rows/s')"
ratio "batch checks/s (v7 ids) vs plain inserts/s" "$batch_rate" "$plain_rate"
q "drop table bench_batch; drop table bench_rows"

echo "-- the town overdue list (GET /v1/overdue?unitId=<town>, limit 200) with $people people and a year of knocks"
town_token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.town\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
town="$(q "select id from org_unit where code = '341122100000'")"
for _ in 1 2 3; do curl -fsS -o /dev/null "http://127.0.0.1:$port/v1/overdue?unitId=$town" -H "authorization: Bearer $town_token"; done
for _ in $(seq 1 20); do
  curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/overdue?unitId=$town" -H "authorization: Bearer $town_token"
done | sort -n | python3 -c 'import sys; t=[float(x) for x in sys.stdin]; print(f"   over HTTP: median {t[len(t)//2]*1000:.1f} ms, max {t[-1]*1000:.1f} ms (20 runs)")'
curl -fsS "http://127.0.0.1:$port/v1/overdue?unitId=$town&limit=1000" -H "authorization: Bearer $town_token" \
  | python3 -c 'import json,sys; n=len(json.load(sys.stdin)["items"]); print(f"   {n} overdue obligations returned (limit 1000)")'

echo "-- a village cadre's first page of left-behind children (GET /v1/persons?category=left_behind_child) once $((people * 2))"
echo "   more people are filed in another village of the county, next to the county officer's same page (10 runs each)"
python3 deploy/generate-ledger.py $((people * 3)) 341122100002 | { read -r header; echo "$header"; tail -n +$((people + 1)); } >"$work/elsewhere.csv"
chmod 644 "$work/elsewhere.csv"
LIUSHOU_DATABASE_URL="$owner_url" LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/elsewhere.csv" --as demo.county --log-level warning 2>/dev/null | tail -n 1 | sed 's/^/   setup: import /'
county_token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.county\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
# page(label, token): the median time of the first page over HTTP, kept in $work/page-LABEL (ms),
# with any answer other than 200 counted (a statement cut off by the timeout answers 503).
page() {
  local url="http://127.0.0.1:$port/v1/persons?category=left_behind_child"
  for _ in 1 2; do curl -sS -o /dev/null "$url" -H "authorization: Bearer $2"; done
  for _ in $(seq 1 10); do curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "$url" -H "authorization: Bearer $2"; done \
    | python3 -c "import sys
runs = [line.split() for line in sys.stdin]
t = sorted(float(s) * 1000 for _, s in runs)
failed = sum(code != '200' for code, _ in runs)
print(t[len(t)//2], end='', file=open('$work/page-$1', 'w'))
print(f'   $1: median {t[len(t)//2]:.0f} ms, max {t[-1]:.0f} ms' + (f', {failed} of 10 not answered 200' if failed else ''))"
}
page cadre "$token"
page county "$county_token"
ratio "the cadre's page vs the county officer's (median ms)" "$(cat "$work/page-cadre")" "$(cat "$work/page-county")"
