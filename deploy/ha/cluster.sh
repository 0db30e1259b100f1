#!/usr/bin/env bash
# A highly available Liushou on one machine, loopback only: etcd, three PostgreSQL 15 nodes under
# Patroni (a primary, a synchronous standby, an asynchronous replica), PgBouncer in transaction
# mode in front, and two Liushou servers through PgBouncer (reads of the dashboard on the replicas).
#
#   deploy/ha/cluster.sh up [liushou binary]   start it all (about a minute) and print where it is
#   deploy/ha/cluster.sh status                roles as Patroni sees them, and each server's /readyz
#   deploy/ha/cluster.sh down                  stop everything and delete its directory
#
# Everything lives in $LIUSHOU_HA_DIR (default /tmp/liushou-ha). Ports: etcd 23790, PostgreSQL
# 25431–25433, Patroni REST 28008–28010, PgBouncer 26432, Liushou 28281 and 28282, all below the
# kernel's ephemeral range (32768–60999: with them inside it, a client socket once held a Patroni
# REST port as its own end and that node could not start). PostgreSQL,
# Patroni and PgBouncer run as the `postgres` user. Both servers start at the same moment on an
# empty database, so they apply the migrations together (each exactly once). Needs: patroni,
# etcd-server, etcd-client, pgbouncer, postgresql-15 (deploy/install-prerequisites.sh with
# LIUSHOU_NEED_HA_TOOLS=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"
dir="${LIUSHOU_HA_DIR:-/tmp/liushou-ha}"
etcd_port=23790
pg_ports=(25431 25432 25433)
rest_ports=(28008 28009 28010)
bouncer_port=26432
server_ports=(28281 28282)
nodes=(pg1 pg2 pg3)

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
secret() { head -c 18 /dev/urandom | base64 | tr -d '/+=' ; }
wait_for() { # seconds, description, command...
  local limit="$1" what="$2"; shift 2
  for _ in $(seq 1 $((limit * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  echo "timed out after ${limit} s waiting for $what" >&2; return 1
}
leader_port() { # the port of the node Patroni calls leader, or nothing
  curl -fsS "http://127.0.0.1:${rest_ports[0]}/cluster" 2>/dev/null | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("members", []):
    if m.get("role") in ("leader", "master", "primary") and m.get("state") == "running":
        print(m["port"])' 2>/dev/null || true
}
has_leader() { [ -n "$(leader_port)" ]; }
members() {
  for rest in "${rest_ports[@]}"; do
    curl -fsS "http://127.0.0.1:$rest/cluster" 2>/dev/null && return
  done
}
owner_url() { echo "postgresql://liushou:$(cat "$dir/secrets/owner")@127.0.0.1:${pg_ports[0]},127.0.0.1:${pg_ports[1]},127.0.0.1:${pg_ports[2]}/liushou?target_session_attrs=read-write&connect_timeout=2"; }
app_url() { echo "postgresql://liushou_app:$(cat "$dir/secrets/app")@127.0.0.1:$bouncer_port/liushou?connect_timeout=2"; }
read_url() { echo "postgresql://liushou_app:$(cat "$dir/secrets/app")@127.0.0.1:${pg_ports[2]},127.0.0.1:${pg_ports[1]},127.0.0.1:${pg_ports[0]}/liushou?target_session_attrs=prefer-standby&connect_timeout=2"; }

start_server() { # index
  local i="$1" port="${server_ports[$1]}"
  LIUSHOU_DATABASE_URL="$(app_url)" LIUSHOU_MIGRATION_DATABASE_URL="$(owner_url)" LIUSHOU_READ_DATABASE_URL="$(read_url)" \
    LIUSHOU_DATA_KEY="$(cat "$dir/secrets/data-key")" LIUSHOU_DATA_DIR="$dir/server$i" LIUSHOU_SQL_DIR="$repo/sql" \
    LIUSHOU_TWO_FACTOR_ROLES=none LIUSHOU_STATEMENT_TIMEOUT="${LIUSHOU_STATEMENT_TIMEOUT:-5}" LIUSHOU_POOL_WAIT="${LIUSHOU_POOL_WAIT:-3}" \
    LIUSHOU_CONNECT_TIMEOUT="${LIUSHOU_CONNECT_TIMEOUT:-3}" LIUSHOU_AUDIT_CHECKPOINT_FILE="$dir/server$i/audit-checkpoints.jsonl" \
    setsid "$binary" serve --port "$port" --log-level warning >>"$dir/server$i.log" 2>&1 &
  echo $! >"$dir/server$i.pid"
}

up() {
  binary="$(readlink -f "${1:-.build/debug/liushou}")"
  [ -x "$binary" ] || { echo "no liushou binary at $binary (swift build --product liushou)"; exit 2; }
  [ ! -e "$dir" ] || { echo "$dir exists: deploy/ha/cluster.sh down first"; exit 2; }
  mkdir -p "$dir/secrets" "$dir/etcd"
  for name in "${nodes[@]}"; do mkdir -p "$dir/sock-$name"; done
  for s in superuser replication rewind owner app bouncer; do secret >"$dir/secrets/$s"; done
  secret >"$dir/secrets/data-key"; secret >>"$dir/secrets/data-key"; tr -d '\n' <"$dir/secrets/data-key" >"$dir/secrets/k" && mv "$dir/secrets/k" "$dir/secrets/data-key"
  cp deploy/ha/on-role-change.sh "$dir/"
  printf 'PGPASSWORD=%s\nPGBOUNCER_PORT=%s\n' "$(cat "$dir/secrets/bouncer")" "$bouncer_port" >"$dir/pgbouncer-admin.env"
  printf 'liushou = host=127.0.0.1 port=%s dbname=liushou\n' "${pg_ports[0]}" >"$dir/databases.ini"
  printf '"liushou_app" "%s"\n"pgbouncer_admin" "%s"\n' "$(cat "$dir/secrets/app")" "$(cat "$dir/secrets/bouncer")" >"$dir/userlist.txt"
  sed -e "s#@DIR@#$dir#g" -e "s#@PGBOUNCER_PORT@#$bouncer_port#g" deploy/ha/pgbouncer.ini.in >"$dir/pgbouncer.ini"
  for i in 0 1 2; do
    sed -e "s#@NAME@#${nodes[$i]}#g" -e "s#@PORT@#${pg_ports[$i]}#g" -e "s#@REST@#${rest_ports[$i]}#g" -e "s#@DIR@#$dir#g" \
      -e "s#@ETCD@#127.0.0.1:$etcd_port#g" -e "s#@SUPERUSER_PASSWORD@#$(cat "$dir/secrets/superuser")#g" \
      -e "s#@REPLICATION_PASSWORD@#$(cat "$dir/secrets/replication")#g" -e "s#@REWIND_PASSWORD@#$(cat "$dir/secrets/rewind")#g" \
      -e "s#@NOSYNC@#$([ "$i" = 2 ] && echo true || echo false)#g" deploy/ha/patroni.yml.in >"$dir/${nodes[$i]}.yml"
  done
  chmod 700 "$dir/secrets"; chmod 600 "$dir"/*.yml "$dir/userlist.txt" "$dir/pgbouncer-admin.env"
  chown -R postgres: "$dir"; chmod 711 "$dir"

  as_postgres setsid etcd --name liushou-etcd --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_port + 10))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 10))" \
    --initial-cluster "liushou-etcd=http://127.0.0.1:$((etcd_port + 10))" --listen-metrics-urls "" >"$dir/etcd.log" 2>&1 &
  wait_for 20 etcd curl -fsS "http://127.0.0.1:$etcd_port/health"
  # The first node bootstraps alone; the others clone it (pg_basebackup) once it leads.
  start_node 0
  # initdb and Patroni's bootstrap of the first node: well under a minute alone, but CI once saw it
  # pass 60 s on 2 busy cores. What the node wrote is shown if it never leads.
  wait_for 150 "a leader" has_leader || { tail -n 40 "$dir/${nodes[0]}.log" "$dir/etcd.log" >&2; return 1; }
  start_node 1; start_node 2
  as_postgres setsid pgbouncer "$dir/pgbouncer.ini" >>"$dir/pgbouncer.out" 2>&1 &
  wait_for 10 PgBouncer bash -c "echo >/dev/tcp/127.0.0.1/$bouncer_port"

  # The owner (runs migrations) and the application role, before any server starts: with its
  # login ready, both servers can start on the empty database at once.
  local leader; leader="$(leader_port)"
  PGPASSWORD="$(cat "$dir/secrets/superuser")" psql -h 127.0.0.1 -p "$leader" -U postgres -d postgres -qAt \
    -c "create role liushou login superuser password '$(cat "$dir/secrets/owner")'" \
    -c "create role liushou_app login nosuperuser nocreatedb nocreaterole noinherit nobypassrls password '$(cat "$dir/secrets/app")'" \
    -c "create database liushou owner liushou" >/dev/null
  wait_for 90 "replicas streaming" replicas_streaming 2
  start_server 0; start_server 1
  for port in "${server_ports[@]}"; do wait_for 240 "Liushou on $port" curl -fsS "http://127.0.0.1:$port/readyz"; done
  echo "== up in $dir: PostgreSQL ${pg_ports[*]} (Patroni REST ${rest_ports[*]}), PgBouncer $bouncer_port, Liushou ${server_ports[*]}"
  status
}

start_node() { # index
  as_postgres setsid patroni "$dir/${nodes[$1]}.yml" >>"$dir/${nodes[$1]}.log" 2>&1 &
}

replicas_streaming() { # count
  [ "$(members | python3 -c '
import json, sys
print(sum(1 for m in json.load(sys.stdin)["members"] if m.get("role") in ("replica", "sync_standby") and m.get("state") in ("streaming", "running")))')" -ge "$1" ]
}

status() {
  members | python3 -c '
import json, sys
for m in json.load(sys.stdin)["members"]:
    print("   %s port %s: %s, %s, lag %s" % (m["name"], m["port"], m["role"], m["state"], m.get("lag", 0)))' || echo "   Patroni not answering"
  for port in "${server_ports[@]}"; do
    echo "   liushou $port: $(curl -sS "http://127.0.0.1:$port/readyz" 2>&1 | head -c 300)"
  done
}

down() {
  [ -d "$dir" ] || return 0
  for i in 0 1; do [ -f "$dir/server$i.pid" ] && kill -TERM "$(cat "$dir/server$i.pid")" 2>/dev/null || true; done
  [ -f "$dir/pgbouncer.pid" ] && kill -TERM "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  pkill -TERM -f "patroni $dir/" 2>/dev/null || true
  sleep 2
  # Patroni stops its PostgreSQL on SIGTERM; anything left (a killed Patroni's orphan) goes now.
  pkill -KILL -f "patroni $dir/" 2>/dev/null || true
  pkill -KILL -f -- "-D $dir/pg" 2>/dev/null || true
  for name in "${nodes[@]}"; do
    [ -f "$dir/$name/postmaster.pid" ] && kill -KILL "$(head -n 1 "$dir/$name/postmaster.pid")" 2>/dev/null || true
  done
  pkill -KILL -f "etcd --name liushou-etcd --data-dir $dir/" 2>/dev/null || true
  for i in 0 1; do [ -f "$dir/server$i.pid" ] && kill -KILL "$(cat "$dir/server$i.pid")" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$dir"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
