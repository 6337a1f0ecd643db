#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster in a temp dir: its own port and socket dir, scram auth over TCP
# (VALID UNTIL is ignored under trust). Usage: pg-cluster.sh start <dir> <port> | stop <dir>
set -euo pipefail
B=${HOURGLASS_PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=$1 dir=$2

as_pg() {
  # initdb refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=$3
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_pg "$B/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1
    as_pg "$B/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    as_pg "$B/psql" -h "$dir" -p "$port" -U postgres -qc "ALTER ROLE postgres PASSWORD 'hourglass-test'" >/dev/null
    sed -i 's/^host\(.*\)trust$/host\1scram-sha-256/' "$dir/data/pg_hba.conf"
    as_pg "$B/pg_ctl" -D "$dir/data" reload >/dev/null
    echo "postgres://postgres:hourglass-test@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$B/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: pg-cluster.sh start <dir> <port> | stop <dir>" >&2; exit 2 ;;
esac
