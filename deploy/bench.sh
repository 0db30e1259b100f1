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
swift build -c release --product liushou 2>&1 | tail -n 1
swift build -c release --product liushou-bench 2>&1 | tail -n 1

source deploy/bench-server.sh
start_bench_server bench 18181

echo "== machine: $(nproc) cores; PostgreSQL $("$pgbench_bin" --version | awk '{print $3}'); ${secs}s per run, $clients clients"
"$pgbench_bin" -i -s 1 -q >/dev/null 2>&1
echo "-- pgbench -S (select-only, prepared), baseline:"
"$pgbench_bin" -S -M prepared -c "$clients" -j 2 -T "$secs" -n 2>/dev/null | grep -E "^tps" | sed 's/^/   /'
echo "-- pgbench -S (select-only, extended protocol, unprepared like Liushou):"
"$pgbench_bin" -S -M extended -c "$clients" -j 2 -T "$secs" -n 2>/dev/null | grep -E "^tps" | sed 's/^/   /'
echo "-- Liushou pool, same statement:"
.build/release/liushou-bench --url "$owner_url" --clients "$clients" --seconds "$secs" --query pgbench-select | sed 's/^/   /'
echo "-- Liushou pool, trivial query:"
.build/release/liushou-bench --url "$owner_url" --clients "$clients" --seconds "$secs" --query trivial | sed 's/^/   /'
echo "-- wrk on GET /healthz (2 threads, 32 connections):"
wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency" | sed 's/^/   /'
