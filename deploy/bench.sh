#!/usr/bin/env bash
# Benchmark: round trips/s through Liushou's pool next to pgbench on the same cluster, in the same
# run, and requests/s on /healthz under wrk. Prints the figures; asserts nothing.
# Usage: deploy/bench.sh [seconds-per-run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
clients=8

bash deploy/install-prerequisites.sh
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
pgbench_bin="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)"
swift build -c release --product liushou 2>&1 | tail -n 1
swift build -c release --product liushou-bench 2>&1 | tail -n 1

work="$(mktemp -d /tmp/liushou-bench.XXXXXX)"
chmod 711 "$work"
port=18181
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

.build/release/liushou serve --data-dir "$work/data" --port "$port" --log-level warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }

pg_port="$(sed -n 4p "$work/data/postgres/postmaster.pid")"
export PGPASSWORD="$(cat "$work/data/postgres-password")"
export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=liushou PGDATABASE=liushou
url="postgresql://liushou:${PGPASSWORD}@127.0.0.1:${pg_port}/liushou?sslmode=disable"

echo "== machine: $(nproc) cores; PostgreSQL $("$pgbench_bin" --version | awk '{print $3}'); ${secs}s per run, $clients clients"
"$pgbench_bin" -i -s 1 -q >/dev/null 2>&1
echo "-- pgbench -S (select-only, prepared), baseline:"
"$pgbench_bin" -S -M prepared -c "$clients" -j 2 -T "$secs" -n 2>/dev/null | grep -E "^tps" | sed 's/^/   /'
echo "-- pgbench -S (select-only, extended protocol, unprepared like Liushou):"
"$pgbench_bin" -S -M extended -c "$clients" -j 2 -T "$secs" -n 2>/dev/null | grep -E "^tps" | sed 's/^/   /'
echo "-- Liushou pool, same statement:"
.build/release/liushou-bench --url "$url" --clients "$clients" --seconds "$secs" --query pgbench-select | sed 's/^/   /'
echo "-- Liushou pool, trivial query:"
.build/release/liushou-bench --url "$url" --clients "$clients" --seconds "$secs" --query trivial | sed 's/^/   /'
echo "-- wrk on GET /healthz (2 threads, 32 connections):"
wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency" | sed 's/^/   /'
