#!/usr/bin/env bash
# Starts or stops a container registry (Debian's docker-registry, distribution 2.x) on loopback with htpasswd auth,
# for pushes in tests and demos. Loopback registries are plain HTTP; the Docker engine allows that for 127.0.0.0/8.
#   scripts/registry.sh start   -> prints DEPLOYMIND_TEST_REGISTRY=127.0.0.1:PORT, DEPLOYMIND_TEST_REGISTRY_USER=...,
#                                  DEPLOYMIND_TEST_REGISTRY_PASSWORD_FILE=... (one KEY=VALUE per line)
#   scripts/registry.sh stop    -> stops it and removes its storage; leaves no process
#   scripts/registry.sh status
# DEPLOYMIND_REGISTRY_PORT picks the port (default 5765).
source "$(dirname "$0")/lib.sh"

dir="${DEPLOYMIND_REGISTRY_DIR:-/var/lib/deploymind-registry}"
port="${DEPLOYMIND_REGISTRY_PORT:-5765}"
user=deploymind
pidfile="$dir/registry.pid"
logfile="$dir/registry.log"

running_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/v2/")" = 401 ]; }

print_env() {
  echo "DEPLOYMIND_TEST_REGISTRY=127.0.0.1:$port"
  echo "DEPLOYMIND_TEST_REGISTRY_USER=$user"
  echo "DEPLOYMIND_TEST_REGISTRY_PASSWORD_FILE=$dir/password"
}

start() {
  apt_install docker-registry apache2-utils curl
  if running_pid >/dev/null && answers; then print_env; return 0; fi
  mkdir -p "$dir/storage"
  chmod 700 "$dir"
  # A fresh random password per start; only its bcrypt hash is in the htpasswd file.
  head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
  chmod 600 "$dir/password"
  htpasswd -Bbn "$user" "$(cat "$dir/password")" > "$dir/htpasswd"
  cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: deploymind
    path: $dir/htpasswd
YAML
  log "starting docker-registry on 127.0.0.1:$port (log: $logfile)"
  setsid docker-registry serve "$dir/config.yml" >>"$logfile" 2>&1 </dev/null &
  echo $! > "$pidfile"
  local waited=0
  until answers; do
    running_pid >/dev/null || { tail -n 20 "$logfile" >&2; die "docker-registry exited during start-up; see $logfile"; }
    [ "$waited" -ge 30 ] && { stop >/dev/null; die "docker-registry did not answer on 127.0.0.1:$port within 30s"; }
    sleep 0.5; waited=$((waited + 1))
  done
  print_env
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  echo "registry on 127.0.0.1:$port stopped"
}

status() {
  if running_pid >/dev/null && answers; then echo "registry running on 127.0.0.1:$port"; else echo "registry not running"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/registry.sh start | stop | status" ;;
esac
