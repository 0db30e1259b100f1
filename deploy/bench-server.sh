# Sourced by the benchmark scripts: starts a release server (or LIUSHOU_BENCH_BIN) on its own embedded cluster in a
# throw-away directory, waits until it is ready, and exports the libpq settings of its owner role.
#   start_bench_server NAME PORT [serve options...]
# sets: work (the directory), port, pg_port, owner_url, pgbench_bin, psql_bin; PGHOST/PGPORT/PGUSER/
# PGDATABASE/PGPASSWORD. The server and the directory go when the script exits.
pgbench_bin="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)"
psql_bin="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)"
server_pid=""
work=""

stop_bench_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}

start_bench_server() {
  local name="$1"
  port="$2"
  shift 2
  work="$(mktemp -d "/tmp/liushou-${name}.XXXXXX")"
  chmod 711 "$work"
  trap stop_bench_server EXIT
  "${LIUSHOU_BENCH_BIN:-.build/release/liushou}" serve --data-dir "$work/data" --port "$port" --log-level warning "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  # The demo seed alone takes about a minute on this machine.
  for _ in $(seq 1 480); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }
  pg_port="$(sed -n 4p "$work/data/postgres/postmaster.pid")"
  export PGPASSWORD="$(cat "$work/data/postgres-password")"
  export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=liushou PGDATABASE=liushou
  owner_url="postgresql://liushou:${PGPASSWORD}@127.0.0.1:${pg_port}/liushou?sslmode=disable"
}
