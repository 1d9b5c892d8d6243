#!/usr/bin/env bash
# Starts or stops DeployMind's own Docker engine: no bridge network, no iptables, a dedicated socket
# so it never collides with a system dockerd. Containers must use --network host and bind to loopback.
#   scripts/docker.sh start    -> installs docker.io + busybox-static if missing, starts dockerd,
#                                 prints DOCKER_HOST=unix:///var/run/deploymind-docker.sock
#   scripts/docker.sh stop     -> SIGTERM, waits (bounded), then SIGKILL; leaves no process
#   scripts/docker.sh status   -> says whether it runs (exit 0 when it does, 3 when not)
# DEPLOYMIND_DOCKER_STORAGE_DRIVER overrides the storage driver (e.g. vfs where overlayfs is refused).
source "$(dirname "$0")/lib.sh"

root="${DEPLOYMIND_DOCKER_ROOT:-/var/lib/deploymind-docker}"
run_dir=/var/run/deploymind-docker
socket=/var/run/deploymind-docker.sock
host="unix://$socket"
pidfile="$run_dir/dockerd.pid"
logfile="$root/dockerd.log"
start_timeout=60
stop_timeout=30

running_pid() {
  local pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { timeout 10 docker -H "$host" version >/dev/null 2>&1; }

start() {
  apt_install docker.io busybox-static
  if running_pid >/dev/null && answers; then
    echo "DOCKER_HOST=$host"
    return 0
  fi
  mkdir -p "$root/data" "$run_dir/exec"
  local args=(--bridge=none --iptables=false --ip6tables=false --ip-masq=false
    --host "$host" --data-root "$root/data" --exec-root "$run_dir/exec" --pidfile "$pidfile")
  [ -n "${DEPLOYMIND_DOCKER_STORAGE_DRIVER:-}" ] && args+=(--storage-driver "$DEPLOYMIND_DOCKER_STORAGE_DRIVER")
  log "starting dockerd (log: $logfile)"
  # setsid: the engine outlives this script and the terminal that ran it.
  setsid dockerd "${args[@]}" >>"$logfile" 2>&1 </dev/null &
  local launcher=$! waited=0
  until answers; do
    if ! kill -0 "$launcher" 2>/dev/null && ! running_pid >/dev/null; then
      tail -n 20 "$logfile" >&2
      die "dockerd exited during start-up; see $logfile"
    fi
    [ "$waited" -ge "$start_timeout" ] && { tail -n 20 "$logfile" >&2; stop >/dev/null; die "dockerd did not answer on $host within ${start_timeout}s; see $logfile"; }
    sleep 1; waited=$((waited + 1))
  done
  echo "DOCKER_HOST=$host"
}

stop() {
  local pid waited=0
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    echo "docker engine on $host is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$stop_timeout" ]; then
      log "dockerd ($pid) ignored SIGTERM for ${stop_timeout}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      # its managed containerd runs in a session of its own and would outlive it.
      local cpid; cpid="$(cat "$run_dir/exec/containerd/containerd.pid" 2>/dev/null || true)"
      [ -n "$cpid" ] && kill -KILL "$cpid" 2>/dev/null || true
      break
    fi
    sleep 1; waited=$((waited + 1))
  done
  # dockerd leaves its host network namespace mounted; unmount it so nothing of the engine lingers.
  umount "$run_dir/exec/netns/default" 2>/dev/null || true
  rm -f "$pidfile" "$socket"
  echo "docker engine on $host stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && answers; then
    echo "docker engine running (pid $pid) at DOCKER_HOST=$host"
  elif pid="$(running_pid)"; then
    echo "dockerd (pid $pid) runs but does not answer on $host; see $logfile"; return 3
  else
    echo "docker engine not running (scripts/docker.sh start starts it)"; return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/docker.sh start | stop | status" ;;
esac
