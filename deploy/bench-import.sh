#!/usr/bin/env bash
# Benchmark: ledger import throughput (rows/s) of `liushou import persons` for generated people,
# next to a plain COPY of the same CSV rows into the same cluster in the same run, then a re-import of
# the same file (nothing changes) and one with every address changed (every file updated). Prints each.
# The ledger is GBK, as a county's Excel saves a CSV (LIUSHOU_BENCH_ENCODING=UTF-8 for UTF-8).
# Usage: deploy/bench-import.sh [rows, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"

bash deploy/install-prerequisites.sh
swift build -c release --product liushou 2>&1 | tail -n 1

source deploy/bench-server.sh
start_bench_server bench-import 18182 --demo

encoding="${LIUSHOU_BENCH_ENCODING:-GBK}"
python3 deploy/generate-ledger.py "$rows" 341122100001 households | iconv -f UTF-8 -t "$encoding" >"$work/ledger.csv"
chmod 644 "$work/ledger.csv"
echo "== machine: $(nproc) cores; $rows generated people ($(du -h "$work/ledger.csv" | cut -f1) CSV in $encoding)"

echo "-- baseline: plain COPY of the same CSV into a table of text columns"
"$psql_bin" -q -c "create table bench_copy ($(head -n 1 "$work/ledger.csv" | iconv -f "$encoding" -t UTF-8 | tr -d '\r' | sed 's/\([^,]*\)/"\1" text/g'))"
start=$(date +%s.%N)
"$psql_bin" -q -c "\\copy bench_copy from '$work/ledger.csv' with (format csv, header, encoding '$encoding')"
end=$(date +%s.%N)
copy_rate="$(python3 -c "print($rows / ($end - $start))")"
python3 -c "s=$end-$start; print(f'   {$rows} rows in {s:.2f} s: {$rows/s:.0f} rows/s')"
"$psql_bin" -q -c "drop table bench_copy"
# A figure next to its baseline.
ratio() {
  python3 -c "
import sys
try:
    f, b = float(sys.argv[2]), float(sys.argv[3])
    print(f'   => {sys.argv[1]}: {f:,.0f} against {b:,.0f}: {f / b:.1%} of the baseline')
except ValueError:
    print(f'   => {sys.argv[1]}: n/a (a figure is missing: see above)')" "$@"
}
rate_of() { sed -n 's/.*, \([0-9.]*\) rows\/s$/\1/p' "$1" | tail -n 1; }

echo "-- liushou import persons (validation, sealed ID numbers, households, history, timeline, audit; one transaction)"
LIUSHOU_DATABASE_URL="$owner_url" \
LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/ledger.csv" --as demo.county --log-level warning 2>/dev/null | tr '\r' '\n' | grep -v '^\[' | tee "$work/import.out" | sed 's/^/   /'
ratio "import rows/s vs COPY rows/s" "$(rate_of "$work/import.out")" "$copy_rate"
echo "-- again (re-import of the same file: every row matched, nothing changes)"
LIUSHOU_DATABASE_URL="$owner_url" \
LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/ledger.csv" --as demo.county --log-level warning 2>/dev/null | tr '\r' '\n' | grep -v '^\[' | tee "$work/again.out" | sed 's/^/   /'
ratio "re-import rows/s vs COPY rows/s" "$(rate_of "$work/again.out")" "$copy_rate"
echo "-- once more with every row's address changed (every file updated: locked, written, history and timeline)"
python3 deploy/generate-ledger.py "$rows" 341122100001 households | sed '2,$ s/\(村 [0-9]* 号\),/\1 之一,/' | iconv -f UTF-8 -t "$encoding" >"$work/changed.csv"
chmod 644 "$work/changed.csv"
LIUSHOU_DATABASE_URL="$owner_url" \
LIUSHOU_DATA_KEY="$(cat "$work/data/data-key")" \
  .build/release/liushou import persons "$work/changed.csv" --as demo.county --log-level warning 2>/dev/null | tr '\r' '\n' | grep -v '^\[' | tee "$work/changed.out" | sed 's/^/   /'
ratio "changed re-import rows/s vs COPY rows/s" "$(rate_of "$work/changed.out")" "$copy_rate"
