#!/usr/bin/env bash
# Failover test (loopback only, bounded: killed after 9 minutes; about 4 on this 2-core machine):
# brings up deploy/ha/cluster.sh (etcd, three Patroni nodes with a synchronous standby, PgBouncer,
# two Liushou servers), files a village of 200 people, runs door-check load through BOTH servers
# (deploy/fault-load.py: clients that retry on 503 after Retry-After, as the field app does), then:
#   1. kills the primary's PostgreSQL (SIGKILL of its postmaster: Patroni, still holding the leader
#      key, starts it again in place or a standby takes over — the report says which);
#   2. kills the primary's Patroni (SIGKILL; its PostgreSQL keeps running but cannot acknowledge a
#      commit once its synchronous standby is promoted), so the standby takes over after the
#      leader key's TTL;
#   3. starts that Patroni again and waits for the old primary to rejoin as a standby (pg_rewind).
# Before those, it freezes the synchronous standby for 8 s (SIGSTOP), cancelling the COMMITs that
# wait for it half-way (pg_cancel_backend, as a pool's shutdown does): no write may be acknowledged
# while no standby can have it. It reports per fault the answers by status, 503s without
# Retry-After, other 5xx, the longest request, seconds without an acknowledged write, and at the end acknowledged writes lost and
# stored twice, counted on the new primary. It fails on any lost or duplicated write, any 5xx but
# 503 + Retry-After, a request longer than the servers' limit, 30 s or more without writes, or an
# old primary that does not rejoin within 120 s. Also checks the dashboard is served by a replica
# with a staleness bound, and that the audit chains verify after it all.
# Usage: deploy/ha/failover-test.sh [liushou binary, default .build/debug/liushou]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${FAILOVER_TEST_INNER:-}" ]; then
  FAILOVER_TEST_INNER=1 exec timeout --kill-after=10 540 "$0" "$@"
fi
binary="$(readlink -f "${1:-.build/debug/liushou}")"
export LIUSHOU_HA_DIR="${LIUSHOU_HA_DIR:-/tmp/liushou-ha-failover}"
dir="$LIUSHOU_HA_DIR"
# Short waits so each outage shows them: statement 3 s (+2 s grace), pool wait 2 s, connect 2 s.
export LIUSHOU_STATEMENT_TIMEOUT=3 LIUSHOU_POOL_WAIT=2 LIUSHOU_CONNECT_TIMEOUT=2
request_limit=10  # pool wait + connect + statement timeout + grace (9 s), and 1 s for a busy machine
servers=(28281 28282)
rest_ports=(28008 28009 28010)
frozen=""
cleanup() {
  [ -n "$frozen" ] && kill -CONT $frozen 2>/dev/null || true
  [ -n "${load_pids:-}" ] && kill $load_pids 2>/dev/null || true
  if [ -n "${FAILOVER_TEST_KEEP:-}" ]; then echo "kept $dir"; else bash deploy/ha/cluster.sh down; fi
}
trap cleanup EXIT
bash deploy/ha/cluster.sh down
started=$(date +%s)
bash deploy/ha/cluster.sh up "$binary"

owner_url="postgresql://liushou:$(cat "$dir/secrets/owner")@127.0.0.1:25431,127.0.0.1:25432,127.0.0.1:25433/liushou?target_session_attrs=read-write&connect_timeout=2"
data_key="$(cat "$dir/secrets/data-key")"
export LIUSHOU_MIGRATION_DATABASE_URL="$owner_url" LIUSHOU_DATABASE_URL="$owner_url" LIUSHOU_DATA_KEY="$data_key"
q() { psql "$owner_url" -qAt -c "$1"; }
uuid='[0-9a-f]\{8\}-[0-9a-f-]\{27\}'
LIUSHOU_ADMIN_PASSWORD='Ha#Admin2026' "$binary" bootstrap --county-name 示范县 --county-code 341122000000 --admin-username admin \
  --log-level warning >/dev/null
county="$(q "select id from org_unit where parent_id is null")"
town="$("$binary" admin create-unit --kind town --name 一乡 --code 341122100000 --parent "$county" --log-level warning | grep -o "$uuid" | head -n 1)"
village="$("$binary" admin create-unit --kind village --name 甲村 --code 341122100001 --parent "$town" --log-level warning | grep -o "$uuid" | head -n 1)"
LIUSHOU_USER_PASSWORD='Ha#Cadre2026' "$binary" admin create-user --username cadre --display-name 村干部 --home "$village" \
  --role village_cadre --log-level warning >/dev/null
python3 deploy/generate-ledger.py 200 341122100001 >"$dir/ledger.csv"
"$binary" import persons "$dir/ledger.csv" --as admin --log-level warning >/dev/null 2>&1
q "select id from person where village_id = '$village' and status = 'active'" >"$dir/people.txt"
token="$(python3 - "${servers[0]}" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(path, body, token=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else {}
first = call("/v1/auth/login", {"username": "cadre", "password": "Ha#Cadre2026"})["token"]
call("/v1/auth/password", {"currentPassword": "Ha#Cadre2026", "newPassword": "Ha#Cadre2027!"}, first)
print(call("/v1/auth/login", {"username": "cadre", "password": "Ha#Cadre2027!"})["token"])
PY
)"
echo "== $(wc -l <"$dir/people.txt") people; load: 4 clients on each of the two servers"

# The dashboard from a replica, with its bound.
headers="$(curl -fsS -D - -o /dev/null "http://127.0.0.1:${servers[1]}/v1/dashboard?unitId=$village" -H "authorization: Bearer $token")"
echo "== dashboard answered by: $(echo "$headers" | tr -d '\r' | grep -i -E '^x-(read-source|data-staleness-max)' | tr '\n' ' ')"

load_pids=""
for i in 0 1; do
  python3 deploy/fault-load.py "http://127.0.0.1:${servers[$i]}" "$token" "$dir/people.txt" "$dir/load$i.jsonl" "$dir/stop" 4 40 &
  load_pids="$load_pids $!"
done
mark() { echo "$1 $(date +%s.%N)" >>"$dir/marks"; }
cluster_json() { for rest in "${rest_ports[@]}"; do curl -fsS -m 2 "http://127.0.0.1:$rest/cluster" 2>/dev/null && return; done; }
leader() { cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]:
    if m["role"] in ("leader", "master", "primary") and m["state"] == "running": print(m["name"])'; }
role_of() { cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]:
    if m["name"] == sys.argv[1]: print(m["role"] + "/" + m["state"])' "$1"; }
acknowledged_since() { # writes acknowledged after a mark (either server)
  cat "$dir"/load*.jsonl | python3 -c '
import json, sys
t = float(sys.argv[1]); print(sum(1 for l in sys.stdin if (a := json.loads(l))["status"] in (200, 201) and a["start"] > t))' "$1"; }
wait_writes() { # mark name: until writes are acknowledged after it, for at most 90 s
  local since; since="$(grep "^$1 " "$dir/marks" | cut -d' ' -f2)"
  for _ in $(seq 1 360); do [ "$(acknowledged_since "$since")" -gt 5 ] && return 0; sleep 0.25; done
  echo "no acknowledged write within 90 s of $1"; return 1
}

sync_standby() { cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]:
    if m["role"] == "sync_standby": print(m["name"])'; }

sleep 8
standby="$(sync_standby)"
echo "== fault 1: the synchronous standby ($standby) frozen for 8 s (SIGSTOP of its PostgreSQL): no write may be acknowledged meanwhile"
frozen="$(head -n 1 "$dir/$standby/postmaster.pid")"
frozen="$frozen $(pgrep -P "$frozen" | tr '\n' ' ')"
mark freeze-begin
kill -STOP $frozen
sleep 4
# What an operator's pg_cancel_backend, or a pool cancelling at shutdown, does to a COMMIT waiting
# for the standby: the server then answers COMMIT with a warning only. Each must answer 503.
cancelled="$(q "with waiting as materialized (select pid from pg_stat_activity where wait_event = 'SyncRep')
                select count(*) from waiting where pg_cancel_backend(pid)")"
echo "   commits waiting for the standby, cancelled after 4 s: $cancelled (none may be acknowledged)"
echo "$cancelled" >"$dir/cancelled"
sleep 4
mark freeze-end
kill -CONT $frozen
frozen=""
wait_writes freeze-end
sleep 5
first="$(leader)"
echo "== fault 2: SIGKILL of the PostgreSQL of the primary ($first)"
mark pgkill-begin
kill -KILL "$(head -n 1 "$dir/$first/postmaster.pid")"
mark pgkill-end
wait_writes pgkill-end
sleep 8
second="$(leader)"
echo "   leader after it: $second ($([ "$second" = "$first" ] && echo "Patroni started PostgreSQL again in place" || echo "failed over"))"

echo "== fault 3: SIGKILL of the Patroni of the primary ($second; its PostgreSQL keeps running)"
# The Patroni process itself (runs as postgres), not the runuser that started it.
patroni_pid="$(pgrep -u postgres -f "bin/patroni $dir/$second.yml" | head -n 1)"
[ -n "$patroni_pid" ] || { echo "no Patroni process for $second"; exit 1; }
mark patronikill-begin
kill -KILL "$patroni_pid"
mark patronikill-end
# The orphaned primary goes on for up to the leader key's TTL: wait for the new leader, then for
# writes acknowledged after it.
new=""
deadline=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -lt "$deadline" ]; do new="$(leader)"; [ -n "$new" ] && [ "$new" != "$second" ] && break; sleep 0.25; done
mark promoted
echo "   new leader: $new"
wait_writes promoted
sleep 5

echo "== the old primary's Patroni started again: $second rejoins"
mark rejoin-begin
runuser -u postgres -- setsid patroni "$dir/$second.yml" >>"$dir/$second.log" 2>&1 &
rejoined=""
deadline=$(( $(date +%s) + 120 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  state="$(role_of "$second")"
  case "$state" in replica/streaming | sync_standby/streaming | replica/running | sync_standby/running) rejoined="$state"; break ;; esac
  sleep 0.5
done
mark rejoin-end
echo "   $second: ${rejoined:-did not rejoin} after $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" \
  "$(grep '^rejoin-begin ' "$dir/marks" | cut -d' ' -f2)" "$(date +%s.%N)") s"
sleep 5
mark stop
touch "$dir/stop"
for pid in $load_pids; do wait "$pid" || true; done
load_pids=""
bash deploy/ha/cluster.sh status
q "select notes from door_check where notes like 'fault-%'" >"$dir/stored.txt"
verify="$(q "select coalesce(problem, 'intact') || ' (' || rows_checked || ' rows)' from audit_log_verify()")"
echo "== audit chains after the faults: $verify"
echo "== PgBouncer followed: $(tr '\n' ';' <"$dir/role-changes.log")"

python3 - "$dir" "$request_limit" "$rejoined" "$(( $(date +%s) - started ))" "$verify" <<'PY'
import collections, glob, json, sys
work, limit, rejoined, elapsed, verify = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
marks = {k: float(v) for k, v in (line.split() for line in open(f"{work}/marks"))}
answers = [json.loads(line) for path in sorted(glob.glob(f"{work}/load*.jsonl")) for line in open(path)]
failures = []
# While the synchronous standby is frozen, a commit cannot reach it: no write may be acknowledged
# that began after the freeze and ended before it was over.
begin, end = marks["freeze-begin"], marks["freeze-end"]
early = [a for a in answers if a["status"] in (200, 201) and a["start"] > begin + 0.2 and a["end"] < end]
frozen_statuses = collections.Counter(str(a["status"]) for a in answers if begin <= a["start"] < end)
print(f"-- synchronous standby frozen: answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(frozen_statuses.items()))
      + f"; acknowledged while no standby could have the write: {len(early)}")
if early: failures.append(f"{len(early)} writes acknowledged while the synchronous standby was frozen")
if int(open(f"{work}/cancelled").read().strip() or 0) == 0: failures.append("no COMMIT was waiting for the frozen standby to be cancelled")
acks = sorted(a["end"] for a in answers if a["status"] in (200, 201))
phases = [("freeze-begin", "pgkill-begin", "synchronous standby frozen"),
          ("pgkill-begin", "patronikill-begin", "PostgreSQL of the primary killed"),
          ("patronikill-begin", "rejoin-begin", "Patroni of the primary killed"),
          ("rejoin-begin", "stop", "old primary rejoining")]
for begin_mark, end_mark, label in phases:
    begin, end = marks[begin_mark], marks[end_mark]
    during = [a for a in answers if begin <= a["start"] < end]
    by_status = collections.Counter(str(a["status"]) for a in during)
    without = sum(1 for a in during if a["status"] == 503 and not a["retryAfter"])
    other_5xx = sum(1 for a in during if str(a["status"]).startswith("5") and a["status"] != 503)
    longest = max((a["end"] - a["start"] for a in during), default=0)
    # Writes unavailable: the longest stretch without an acknowledged write that began in this phase
    # (it may run on into the next: a failover that has not finished when the phase ends).
    later = [t for t in acks if t > begin]
    edges = [begin] + [t for t in later if t < end] + [next((t for t in later if t >= end), marks["stop"])]
    gap, gap_at = max((edges[i + 1] - edges[i], edges[i]) for i in range(len(edges) - 1))
    print(f"-- {label}: answers by status: " + (", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())) or "none"))
    print(f"   503 without Retry-After: {without}; other 5xx: {other_5xx}; longest request {longest:.2f} s (limit {limit:.0f} s); "
          f"writes unavailable {gap:.1f} s at most, from {gap_at - begin:.1f} s into the phase (target < 30 s)")
    if without or other_5xx: failures.append(f"{label}: 5xx other than 503 + Retry-After")
    if longest > limit: failures.append(f"{label}: a request took {longest:.1f} s")
    if gap >= 30: failures.append(f"{label}: {gap:.1f} s without writes")
# Writes must be flowing again at the end, on the new primary.
flowing = sum(1 for t in acks if marks["stop"] - 5 <= t <= marks["stop"])
print(f"-- acknowledged writes in the last 5 s: {flowing}")
if not flowing: failures.append("writes were not flowing at the end")
acknowledged = {a["id"] for a in answers if a["status"] in (200, 201)}
stored = collections.Counter(line.strip()[len("fault-"):] for line in open(f"{work}/stored.txt") if line.strip())
lost = acknowledged - set(stored)
duplicated = sum(1 for n in stored.values() if n > 1)
statuses = collections.Counter(str(a["status"]) for a in answers)
all_5xx = sum(v for k, v in statuses.items() if k.startswith("5") and k != "503")
print(f"== {len(answers)} answers in all ({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}); "
      f"{len(acknowledged)} writes acknowledged, {len(stored)} stored")
print(f"== acknowledged writes lost: {len(lost)}; stored twice: {duplicated}; 5xx other than 503: {all_5xx}; "
      f"old primary rejoined: {rejoined or 'no'}; {elapsed} s in all")
if lost: failures.append(f"{len(lost)} acknowledged writes lost")
if duplicated: failures.append(f"{duplicated} writes stored twice")
if all_5xx: failures.append(f"{all_5xx} answers 5xx other than 503")
if not rejoined: failures.append("the old primary did not rejoin as a standby")
if not verify.startswith("intact"): failures.append(f"audit chains: {verify}")
print("FAILED: " + "; ".join(failures) if failures else "PASSED")
sys.exit(1 if failures else 0)
PY
