#!/usr/bin/env bash
# Benchmark of clinic checkup uploads, all on one embedded cluster in one run: batches of 5,000
# checkups posted as JSON (POST /v1/checkups/batch: plausibility rules, matching by ID number,
# service-area scope, idempotency, timeline, under row-level security) next to a plain COPY of the
# same rows into a copy of the checkup table. Prints rows/s for both; asserts nothing.
# Usage: deploy/bench-health.sh [people, default 20000] [batches, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-20000}"
batches="${2:-4}"

bash deploy/install-prerequisites.sh
swift build -c release --product liushou 2>&1 | tail -n 1

source deploy/bench-server.sh
start_bench_server bench-health 18184 --demo
password="$(sed -n 's/.*password for all: \(.*\))/\1/p' "$work/data/demo-logins.txt")"
q() { "$psql_bin" -qAt -c "$1"; }

echo "== machine: $(nproc) cores; $people people in one village; $batches batches of 5,000 checkups"
python3 deploy/generate-ledger.py "$people" 341122100001 >"$work/ledger.csv"
chmod 644 "$work/ledger.csv"
LIUSHOU_DATABASE_URL="$owner_url" LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/ledger.csv" --as demo.county --log-level warning 2>/dev/null | tail -n 1 | sed 's/^/   setup: import /'

token="$(curl -fsS "http://127.0.0.1:$port/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.clinic\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
python3 - "$work" "$batches" <<'PY'
import csv, datetime, json, random, sys
work, batches = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(open(f"{work}/ledger.csv", encoding="utf-8-sig")))[1:]
ids = [r[1] for r in rows]
random.seed(11)
today = datetime.date.today()
n = 0
for b in range(batches):
    items = []
    for _ in range(5000):
        n += 1
        items.append({"recordId": f"HIS-{n:07d}", "idNumber": random.choice(ids), "checkedOn": str(today - datetime.timedelta(days=random.randint(1, 300))),
                      "kind": "free_clinic", "followUpNeeded": n % 20 == 0, "clinician": "王医生", "diagnoses": ["高血压"] if n % 3 == 0 else [],
                      "measurements": [{"name": "systolic", "value": random.randint(100, 170), "unit": "mmHg"},
                                       {"name": "diastolic", "value": random.randint(60, 95), "unit": "mmHg"},
                                       {"name": "glucose", "value": round(random.uniform(4, 9), 1), "unit": "mmol/L"}]})
    open(f"{work}/checkups{b}.json", "w").write(json.dumps({"items": items}))
PY

# deploy/bench-post.py: one connection, the answers checked after the clock stops.
files=()
for b in $(seq 0 $((batches - 1))); do files+=("$work/checkups$b.json"); done
total=$((batches * 5000))
echo "-- HTTP: POST /v1/checkups/batch, 5,000 rows per request, one client"
timing="$(python3 deploy/bench-post.py "http://127.0.0.1:$port/v1/checkups/batch" "$token" created=5000 "${files[@]}")"
batch_rate="$(python3 -c "s, m = $(echo "$timing" | tr ' ' ','); print($total / s)")"
python3 -c "s, m = $(echo "$timing" | tr ' ' ','); print(f'   {$total} checkups in {s:.2f} s: {$total/s:.0f} rows/s (median {m:.0f} ms per 5,000-row batch)')"

echo "-- HTTP: the same batches again (a retry after a timeout: every row answered duplicate)"
timing="$(python3 deploy/bench-post.py "http://127.0.0.1:$port/v1/checkups/batch" "$token" duplicate=5000 "${files[@]}")"
python3 -c "s, m = $(echo "$timing" | tr ' ' ','); print(f'   {$total} rows in {s:.2f} s: {$total/s:.0f} rows/s')"

echo "-- baseline: COPY of the same rows (as stored) into a plain copy of the checkup table (no RLS, no triggers)"
q "\\copy (select id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings, follow_up_needed, clinician, content_hash, recorded_by, received_at from checkup) to '$work/checkups.copy'"
q "create table bench_checkup (like checkup including defaults)"
start=$(date +%s.%N)
q "\\copy bench_checkup (id, person_id, clinic_id, record_id, checked_on, kind, measurements, diagnoses, findings, follow_up_needed, clinician, content_hash, recorded_by, received_at) from '$work/checkups.copy'"
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'   {$total} rows in {s:.2f} s: {$total/s:.0f} rows/s')"
python3 -c "import sys; f, b = $batch_rate, $total / ($end - $start); print(f'   => clinic batch rows/s vs COPY rows/s: {f:,.0f} against {b:,.0f}: {f / b:.1%} of the baseline')"
q "drop table bench_checkup"
