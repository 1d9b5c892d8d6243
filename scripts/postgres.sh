#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 server on loopback for benchmarks and manual tries.
#   scripts/postgres.sh start [PORT]   -> prints its URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   scripts/postgres.sh stop
source "$(dirname "$0")/lib.sh"

root="${DEPLOYMIND_PG_ROOT:-/tmp/deploymind-postgres}"
bin=/usr/lib/postgresql/15/bin
port="${2:-55432}"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    apt_install postgresql-15
    if [ ! -f "$root/data/PG_VERSION" ]; then
      mkdir -p "$root"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$root"
      as_pg "$bin/initdb" -D "$root/data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $root -c shared_buffers=1GB -c max_wal_size=4GB -c max_connections=200" start >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$root/data/PG_VERSION" ]; then
      as_pg "$bin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$root"
    ;;
  *) die "usage: scripts/postgres.sh start [PORT] | stop" ;;
esac
