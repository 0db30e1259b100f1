#!/usr/bin/env bash
# Fault test (loopback only, bounded: about 2 minutes after the demo seed, killed after 8): starts a server on its own
# embedded cluster in a throw-away directory, runs door-check load (deploy/fault-load.py: 8 clients
# that retry on 503 like the field app), and while it runs stops PostgreSQL (pg_ctl stop -m fast),
# kills the postmaster (SIGKILL, as the OOM killer) and hangs it (SIGSTOP of every PostgreSQL process
# for 8 s). For each outage it prints the answers by status, whether every 503 had Retry-After and
# the longest request, then the seconds from the end of the fault to the first good write, and at
# the end the acknowledged writes lost or stored twice (target: only 503 + Retry-After, no 500, no
# request longer than the timeout, 0 lost, 0 duplicated).
# Usage: deploy/fault-test.sh [path to liushou, default .build/release/liushou, else .build/debug/liushou]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${FAULT_TEST_INNER:-}" ]; then
  FAULT_TEST_INNER=1 exec timeout --kill-after=10 480 "$0" "$@"
fi
binary="${1:-}"
if [ -z "$binary" ]; then
  if [ -x .build/release/liushou ]; then binary=.build/release/liushou; else binary=.build/debug/liushou; fi
fi
[ -x "$binary" ] || { echo "no server binary at $binary: build it first (swift build -c release --product liushou)"; exit 2; }
port="${FAULT_TEST_PORT:-18190}"
# Short timeouts, so that each outage shows them: statement 2 s (+2 s grace), pool wait 2 s, connect 2 s.
export LIUSHOU_STATEMENT_TIMEOUT=2 LIUSHOU_POOL_WAIT=2 LIUSHOU_CONNECT_TIMEOUT=2
request_limit=9   # pool wait + connect + statement timeout + grace (8 s), and 1 s for scheduling on a busy machine

work="$(mktemp -d /tmp/liushou-faults.XXXXXX)"
chmod 711 "$work"
server_pid=""
frozen=""
cleanup() {
  [ -n "$frozen" ] && kill -CONT $frozen 2>/dev/null || true
  touch "$work/stop"
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" serve --data-dir "$work/data" --port "$port" --log-level warning --demo >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 480); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { tail -n 20 "$work/server.log"; exit 1; }
cluster="$work/data/postgres"
pg_ctl="$(readlink -f "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -n 1)")"
psql_bin="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)"
as_cluster_user() { if [ "$(id -u)" = 0 ]; then runuser -u "$(stat -c %U "$cluster")" -- "$@"; else "$@"; fi; }
export PGPASSWORD="$(cat "$work/data/postgres-password")" PGHOST=127.0.0.1 PGUSER=liushou PGDATABASE=liushou
export PGPORT="$(sed -n 4p "$cluster/postmaster.pid")"
q() { "$psql_bin" -qAt -c "$1"; }

password="$(sed -n 's/.*password for all: \(.*\))/\1/p' "$work/data/demo-logins.txt")"
python3 deploy/generate-ledger.py 200 341122100001 >"$work/ledger.csv"
chmod 644 "$work/ledger.csv"
LIUSHOU_DATABASE_URL="postgresql://liushou:$PGPASSWORD@127.0.0.1:$PGPORT/liushou?sslmode=disable" \
  LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" "$binary" import persons "$work/ledger.csv" --as demo.county --log-level warning \
  >/dev/null 2>&1
# The cadre's village (the ledger's and the demo's people there), active files only: every check is a good write.
q "select p.id from person p join org_unit v on v.id = p.village_id where v.code = '341122100001' and p.status = 'active'" >"$work/people.txt"
token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.cadre\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
echo "== server $binary on 127.0.0.1:$port, PostgreSQL on $PGPORT; $(wc -l <"$work/people.txt") people; 8 clients"

python3 deploy/fault-load.py "http://127.0.0.1:$port" "$token" "$work/people.txt" "$work/load.jsonl" "$work/stop" 8 40 &
load_pid=$!
mark() { echo "$1 $(date +%s.%N)" >>"$work/marks"; }
postmaster() { sed -n 1p "$cluster/postmaster.pid"; }
wait_ready() { for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return; sleep 0.5; done; }

sleep 5
mark stop-begin
# Wait for this postmaster to exit, not with `pg_ctl -w`: that polls postmaster.pid and, when the
# server's supervisor has already started the cluster again, waits on the new postmaster until it
# gives up ("server does not shut down").
stopped="$(postmaster)"
as_cluster_user "$pg_ctl" stop -D "$cluster" -m fast -W >/dev/null
for _ in $(seq 1 600); do kill -0 "$stopped" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$stopped" 2>/dev/null; then echo "PostgreSQL did not stop within 60 s"; exit 1; fi
mark stop-end   # the supervisor starts it again
wait_ready; sleep 5

mark kill-begin
kill -KILL "$(postmaster)"
mark kill-end   # the supervisor notices within 1 s and starts it again
wait_ready; sleep 5

mark hang-begin
frozen="$(postmaster) $(pgrep -P "$(postmaster)" | tr '\n' ' ')"
kill -STOP $frozen
sleep 8
kill -CONT $frozen
frozen=""
mark hang-end
wait_ready; sleep 5

touch "$work/stop"
wait "$load_pid"
curl -fsS "http://127.0.0.1:$port/readyz" | sed 's/^/== readyz after the faults: /'; echo
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^liushou_embedded_postgres' | sed 's/^/   /'

q "select notes from door_check where notes like 'fault-%'" >"$work/stored.txt"
python3 - "$work" "$request_limit" <<'PY'
import collections, json, sys
work, limit = sys.argv[1], float(sys.argv[2])
marks = dict(line.split() for line in open(f"{work}/marks"))
marks = {k: float(v) for k, v in marks.items()}
answers = [json.loads(line) for line in open(f"{work}/load.jsonl")]
for fault, label in [("stop", "PostgreSQL stopped (pg_ctl stop -m fast)"), ("kill", "postmaster killed (SIGKILL)"),
                     ("hang", "PostgreSQL hung (SIGSTOP, 8 s)")]:
    begin, end = marks[f"{fault}-begin"], marks[f"{fault}-end"]
    good_after = [a["end"] for a in answers if a["status"] in (200, 201) and a["start"] >= begin]
    first_good = min((t for t in good_after if t >= end), default=None)
    window_end = first_good or end
    during = [a for a in answers if a["start"] >= begin and a["start"] < window_end]
    by_status = collections.Counter(str(a["status"]) for a in during)
    unavailable = [a for a in during if a["status"] == 503]
    without_retry_after = sum(1 for a in unavailable if not a["retryAfter"])
    longest = max((a["end"] - a["start"] for a in during), default=0)
    print(f"-- {label}: answers from the fault to the first good write, by status: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
    print(f"   503 without Retry-After: {without_retry_after}; 500: {by_status.get('500', 0)}; "
          f"longest request {longest:.2f} s (limit {limit:.0f} s){' — TOO LONG' if longest > limit else ''}")
    if first_good:
        print(f"   first good write {first_good - end:.2f} s after the fault ended ({first_good - begin:.2f} s after it began)")
    else:
        print("   no good write after the fault")
acknowledged = {a["id"] for a in answers if a["status"] in (200, 201)}
stored = collections.Counter(line.strip()[len("fault-"):] for line in open(f"{work}/stored.txt") if line.strip())
lost = acknowledged - set(stored)
duplicated = sum(1 for n in stored.values() if n > 1)
unacknowledged_stored = set(stored) - acknowledged
statuses = collections.Counter(str(a["status"]) for a in answers)
print(f"== {len(answers)} answers in all ({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}); "
      f"{len(acknowledged)} writes acknowledged, {len(stored)} stored")
print(f"== lost acknowledged writes: {len(lost)}; duplicated writes: {duplicated}; "
      f"stored but never acknowledged (client gave up retrying): {len(unacknowledged_stored)}")
bad = len(lost) + duplicated + statuses.get("500", 0)
sys.exit(1 if bad else 0)
PY
