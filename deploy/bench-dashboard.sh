#!/usr/bin/env bash
# Benchmark of the joint-meeting dashboard, all on one embedded cluster in one run: seeds a county
# of 20 towns and ~400 villages with N people (children, elders, women), their visit obligations,
# pairings, checkups and a history of door checks, then prints the town's and the county's
# dashboard latency over HTTP (p50/p95 of repeated GET /v1/dashboard; the first read after the seed;
# a read right after writes in every village of a town) next to the same counts recounted by a plain
# SQL query over the raw tables (no row-level security, nothing kept) in the same run.
# Asserts nothing. Usage: deploy/bench-dashboard.sh [people, default 500000] [checks per person, default 20] [requests, default 40]
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-500000}"
per_person="${2:-20}"
requests="${3:-40}"

bash deploy/install-prerequisites.sh
swift build -c release --product liushou 2>&1 | tail -n 1

source deploy/bench-server.sh
start_bench_server bench-dashboard 18185 --demo --pool-size 8
password="$(sed -n 's/.*password for all: \(.*\))/\1/p' "$work/data/demo-logins.txt")"
q() { "$psql_bin" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

echo "== machine: $(nproc) cores; $people people, $((people * per_person)) door checks, $requests requests per measurement"
start=$(date +%s)
county="$(q "select id from org_unit where kind = 'county'")"
county_path="$(q "select path from org_unit where kind = 'county'")"
# 19 more towns with 21 villages each (the demo town has 2): 20 towns, 401 villages.
q "with t as (select gen_random_uuid() as id, n from generate_series(1, 19) n)
   insert into org_unit (id, kind, name, code, parent_id, path)
   select t.id, 'town', '镇' || t.n, '3411221' || lpad(t.n::text, 2, '0') || '000', '$county', '$county_path'::ltree || ('u' || replace(t.id::text, '-', ''))
   from t;
   with v as (select gen_random_uuid() as id, t.id as town, t.name, t.code, t.path, n
              from org_unit t cross join generate_series(1, 21) n where t.kind = 'town' and t.code like '3411221%' and t.code <> '341122100000')
   insert into org_unit (id, kind, name, code, parent_id, path)
   select v.id, 'village', v.name || '村' || v.n, left(v.code, 9) || lpad(v.n::text, 3, '0'), v.town, v.path || ('u' || replace(v.id::text, '-', ''))
   from v;"
volunteer_account="$(q "select id from account where username = 'demo.volunteer'")"
clinic="$(q "select id from org_unit where kind = 'clinic' limit 1")"
creator="$(q "select id from account where username = 'demo.county'")"
q "set session_replication_role = replica;
   create temp table v as select id, row_number() over (order by code) - 1 as n, path from org_unit where kind = 'village';
   insert into person (id, village_id, unit_id, name, name_grams, name_normalised, sex, birth_date, categories, status, risk_level, file,
       complete, missing_fields, no_capable_guardian, created_at)
   select gen_random_uuid(), v.id, v.id, '人' || i, array['人'], '人' || i, case when i % 3 = 2 then 'female' else 'male' end,
       case i % 3 when 0 then date '2014-01-01' + (i % 3000) when 1 then date '1940-01-01' + (i % 6000) else date '1985-01-01' + (i % 5000) end,
       case i % 3 when 0 then array['left_behind_child'] when 1 then array['left_behind_elder'] else array['left_behind_woman'] end,
       'active', 'normal',
       case when i % 3 = 0 and i % 5 <> 0 then '{\"child\": {\"guardianshipConfirmedOn\": \"2024-09-01\"}}'::jsonb else '{}'::jsonb end,
       i % 10 <> 0, '{}', i % 3 = 0 and i % 17 = 0, now() - interval '30 days'
   from generate_series(1, $people) i join v on v.n = i % (select count(*) from v);
   insert into visit_obligation (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, last_check_at, next_due_at)
   select p.id, r.rule_key, r.id, p.unit_id, u.path, r.check_kinds, r.cadence, now() - interval '10 hours',
       now() - interval '10 hours' + r.cadence - case when abs(hashtext(p.id::text)) % 20 = 0 then interval '10 days' else interval '0' end
   from person p join org_unit u on u.id = p.unit_id join visit_rule r on r.unit_id is null and r.rule_key in ('daily_knock', 'cadre_weekly');
   insert into volunteer (id, unit_id, account_id, name, organisation, screening_status, screened_on, content_hash)
   values ('00000000-0000-4000-8000-0000000000aa', '$county', '$volunteer_account', '志愿者', 'party_member', 'passed', '2026-01-01', '\\x00');
   insert into pairing (id, unit_id, kind, goals, start_on, status, created_by, content_hash)
   select p.id, p.unit_id, 'proxy_parent', '陪伴', date '2026-01-01', 'active', '$creator', '\\x00' from person p where abs(hashtext(p.id::text)) % 10 < 6;
   insert into pairing_person (pairing_id, person_id) select id, id from pairing;
   insert into pairing_helper (pairing_id, volunteer_id) select id, '00000000-0000-4000-8000-0000000000aa' from pairing;
   insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, follow_up_needed, clinician, content_hash, recorded_by)
   select gen_random_uuid(), p.id, '$clinic', p.id::text, current_date - (abs(hashtext(p.id::text)) % 500), 'elder_annual', false, '王医生', '\\x00', '$creator'
   from person p where 'left_behind_elder' = any(p.categories) and abs(hashtext(p.id::text)) % 4 <> 0;"
q "set session_replication_role = replica;
   insert into door_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, received_at, channel, kind,
       outcome, needs, content_hash)
   select gen_random_uuid(), p.id, p.unit_id, '$creator', 'demo', 'grid_worker', now() - make_interval(days => d), now() - make_interval(days => d),
       'in_person', 'grid_knock', 'all_well', '{}', '\\x00'
   from person p cross join generate_series(1, $per_person) d;
   analyze;"
# The seed wrote with triggers off (session_replication_role = replica), so no unit was marked stale:
# mark them all, as the writes themselves would have.
q "update dashboard_leaf_cache set counts = null"
echo "   setup: $(q "select count(*) from person") people, $(q "select count(*) from door_check") door checks, $(q "select count(*) from org_unit where kind = 'village'") villages in $(( $(date +%s) - start )) s"

town="$(q "select id from org_unit where code = '341122101000'")"
town_path="$(q "select path from org_unit where id = '$town'")"
login() { curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
measure() {
  local label="$1" path="$2" token="$3"
  for _ in 1 2 3; do curl -fsS -o /dev/null "http://127.0.0.1:$port$path" -H "authorization: Bearer $token"; done
  for _ in $(seq 1 "$requests"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$path" -H "authorization: Bearer $token"
  done | sort -n | python3 -c "import sys; t=[float(x)*1000 for x in sys.stdin]; print(f'   {\"$label\"}: p50 {t[len(t)//2]:.1f} ms, p95 {t[int(len(t)*0.95)-1]:.1f} ms ({len(t)} requests)')"
}
county_token="$(login demo.county)"
echo "-- HTTP: GET /v1/dashboard (every indicator for the unit and its children, fresh, under the caller's scope)"
curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/dashboard?unitId=$county" -H "authorization: Bearer $county_token" \
  | python3 -c "import sys; print(f'   county, first read after the seed (every unit recounted and kept): {float(sys.stdin.read())*1000:.1f} ms')"
measure "town (镇1: 21 villages, $(q "select count(*) from person p join org_unit u on u.id = p.unit_id where u.path <@ '$town_path'") people)" "/v1/dashboard?unitId=$town" "$county_token"
measure "county (20 towns, $people people)" "/v1/dashboard?unitId=$county" "$county_token"
measure "town trend (12 weeks)" "/v1/dashboard/trend?unitId=$town" "$county_token"
one_village="$(q "select id from org_unit where parent_id = '$town' order by code limit 1")"
for _ in 1 2 3 4 5; do
  # One write in one village of the town (it marks that village stale), then the next read.
  q "update person p set complete = complete where p.id = (select id from person where unit_id = '$one_village' limit 1)"
  curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/dashboard?unitId=$town" -H "authorization: Bearer $county_token"
done | sort -n | python3 -c "import sys; t=[float(x)*1000 for x in sys.stdin]; print(f'   town right after a write in one of its villages: median {t[len(t)//2]:.1f} ms, max {t[-1]:.1f} ms (5 runs)')"
for _ in 1 2 3 4 5; do
  # One write in every village of the town (each marks its village stale), then the next read.
  q "update person p set complete = complete where p.id in (select distinct on (p2.unit_id) p2.id from person p2 join org_unit u on u.id = p2.unit_id
     where u.path <@ '$town_path')"
  curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/v1/dashboard?unitId=$town" -H "authorization: Bearer $county_token"
done | sort -n | python3 -c "import sys; t=[float(x)*1000 for x in sys.stdin]; print(f'   town right after a write in each of its 21 villages: median {t[len(t)//2]:.1f} ms, max {t[-1]:.1f} ms (5 runs)')"

echo "-- baseline: the same counts by a plain SQL query over the raw tables (every unit recounted, nothing kept; as the owner), median of 10"
baseline() {
  local label="$1" root="$2"
  for _ in $(seq 1 10); do
    "$psql_bin" -qAt -c '\timing on' -c "select count(*) from dashboard_leaf_compute(array(select id from org_unit where path <@ '$root'))" \
      | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
  done | sort -n | python3 -c "import sys; t=[float(x) for x in sys.stdin]; print(f'   {\"$label\"}: median {t[len(t)//2]:.1f} ms')"
}
baseline "town" "$town_path"
baseline "county" "$county_path"
