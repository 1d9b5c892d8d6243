#!/usr/bin/env bash
# SSH "instances" for tests and benchmarks: N sshd processes on 127.0.0.1, each with its own host key, key-only
# login for one generated client key, and DOCKER_HOST set in every session so `docker` over SSH reaches the
# project's engine (scripts/docker.sh). They are this machine, so every instance shares that engine.
#   scripts/sshd.sh start N   -> installs openssh-server if missing, (re)uses or starts instances 1..N, stops any
#                                beyond N, prints KEY=VALUE lines (the last five lines):
#                                  DEPLOYMIND_SSH_HOST=127.0.0.1
#                                  DEPLOYMIND_SSH_USER=<login user>
#                                  DEPLOYMIND_SSH_PORTS=<port1,port2,...>
#                                  DEPLOYMIND_SSH_KEY=<client private key>
#                                  DEPLOYMIND_SSH_KNOWN_HOSTS=<known_hosts listing every instance>
#   scripts/sshd.sh stop      -> stops every instance (SIGTERM, bounded wait, SIGKILL); leaves no process
#   scripts/sshd.sh status    -> lists the instances; exit 0 when at least one runs, 3 when none does
# DEPLOYMIND_SSHD_DIR (default /var/lib/deploymind-sshd) holds keys, configs and pid files;
# DEPLOYMIND_SSHD_BASE_PORT (default 22201) is the first port tried; DEPLOYMIND_SSHD_DOCKER_HOST overrides the
# engine address given to sessions (default unix:///var/run/deploymind-docker.sock).
source "$(dirname "$0")/lib.sh"

dir="${DEPLOYMIND_SSHD_DIR:-/var/lib/deploymind-sshd}"
base_port="${DEPLOYMIND_SSHD_BASE_PORT:-22201}"
docker_host="${DEPLOYMIND_SSHD_DOCKER_HOST:-unix:///var/run/deploymind-docker.sock}"
host=127.0.0.1
user="$(id -un)"
client_key="$dir/client_ed25519"
known_hosts="$dir/known_hosts"
stop_timeout=10

instance_dir() { echo "$dir/instance-$1"; }

running_pid() {
  local pidfile; pidfile="$(instance_dir "$1")/sshd.pid"
  [ -f "$pidfile" ] || return 1
  local pid; pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Every process below PID (children first listed after their parent).
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

port_in_use() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

# Instance numbers that have a directory, ascending.
instances() {
  local d
  for d in "$dir"/instance-*; do
    [ -d "$d" ] && echo "${d##*-}"
  done | sort -n
}

free_port() {
  local port="$base_port" taken
  taken=" $(for i in $(instances); do cat "$(instance_dir "$i")/port" 2>/dev/null || true; done | tr '\n' ' ') "
  while port_in_use "$port" || [[ "$taken" == *" $port "* ]]; do
    port=$((port + 1))
    [ "$port" -gt 65000 ] && die "no free loopback port from $base_port upwards"
  done
  echo "$port"
}

answers() { port_in_use "$1"; }

start_instance() {
  local i="$1" idir port pid waited=0
  idir="$(instance_dir "$i")"
  mkdir -p "$idir"
  if pid="$(running_pid "$i")"; then
    port="$(cat "$idir/port")"
    answers "$port" && return 0
    stop_instance "$i" >/dev/null
  fi
  [ -f "$idir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "deploymind-sshd-$i" -f "$idir/ssh_host_ed25519_key"
  # Keep the port of an earlier run when it is still free, so known_hosts lines stay valid.
  port="$(cat "$idir/port" 2>/dev/null || true)"
  if [ -z "$port" ] || port_in_use "$port"; then
    rm -f "$idir/port"
    port="$(free_port)"
  fi
  echo "$port" >"$idir/port"
  cat >"$idir/sshd_config" <<CONFIG
Port $port
ListenAddress $host
HostKey $idir/ssh_host_ed25519_key
PidFile $idir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PrintMotd no
MaxSessions 100
MaxStartups 100:30:200
ClientAliveInterval 30
SetEnv DOCKER_HOST=$docker_host
Subsystem sftp internal-sftp
CONFIG
  /usr/sbin/sshd -t -f "$idir/sshd_config" || die "sshd rejected $idir/sshd_config"
  /usr/sbin/sshd -f "$idir/sshd_config" -E "$idir/sshd.log"
  until answers "$port" && running_pid "$i" >/dev/null; do
    [ "$waited" -ge 50 ] && { tail -n 20 "$idir/sshd.log" >&2 || true; die "sshd instance $i did not listen on $host:$port within 5 s; see $idir/sshd.log"; }
    sleep 0.1; waited=$((waited + 1))
  done
}

stop_instance() {
  local i="$1" pid waited=0
  if pid="$(running_pid "$i")"; then
    # Per-connection sshd processes and the commands they run descend from the listener and would outlive it.
    local child
    for child in $(descendants "$pid"); do kill -TERM "$child" 2>/dev/null || true; done
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge $((stop_timeout * 10)) ]; then
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1; waited=$((waited + 1))
    done
  fi
  rm -f "$(instance_dir "$i")/sshd.pid"
}

write_known_hosts() {
  local i port tmp="$known_hosts.tmp"
  : >"$tmp"
  for i in "$@"; do
    port="$(cat "$(instance_dir "$i")/port")"
    printf '[%s]:%s %s\n' "$host" "$port" "$(cut -d' ' -f1,2 "$(instance_dir "$i")/ssh_host_ed25519_key.pub")" >>"$tmp"
  done
  mv "$tmp" "$known_hosts"
}

print_info() {
  local ports=() i
  for i in "$@"; do ports+=("$(cat "$(instance_dir "$i")/port")"); done
  echo "DEPLOYMIND_SSH_HOST=$host"
  echo "DEPLOYMIND_SSH_USER=$user"
  echo "DEPLOYMIND_SSH_PORTS=$(IFS=,; echo "${ports[*]}")"
  echo "DEPLOYMIND_SSH_KEY=$client_key"
  echo "DEPLOYMIND_SSH_KNOWN_HOSTS=$known_hosts"
}

start() {
  local count="${1:-}"
  [[ "$count" =~ ^[1-9][0-9]?$ ]] || die "usage: scripts/sshd.sh start N (N = 1 to 99 instances)"
  apt_install openssh-server openssh-client
  mkdir -p "$dir" /run/sshd
  chmod 700 "$dir"
  [ -f "$client_key" ] || ssh-keygen -q -t ed25519 -N '' -C deploymind-sshd-client -f "$client_key"
  cp "$client_key.pub" "$dir/authorized_keys"
  local i wanted=()
  for i in $(instances); do
    [ "$i" -gt "$count" ] && { stop_instance "$i"; rm -rf "$(instance_dir "$i")"; }
  done
  for ((i = 1; i <= count; i++)); do
    start_instance "$i"
    wanted+=("$i")
  done
  write_known_hosts "${wanted[@]}"
  log "$count sshd instance(s) on $host, login $user with $client_key"
  print_info "${wanted[@]}"
}

stop() {
  local i stopped=0
  for i in $(instances); do
    running_pid "$i" >/dev/null && stopped=$((stopped + 1))
    stop_instance "$i"
  done
  echo "sshd instances stopped ($stopped were running)"
}

status() {
  local i pid port any=0
  for i in $(instances); do
    port="$(cat "$(instance_dir "$i")/port" 2>/dev/null || echo '?')"
    if pid="$(running_pid "$i")"; then
      echo "instance $i: running (pid $pid) on $host:$port"; any=1
    else
      echo "instance $i: stopped (port $port)"
    fi
  done
  [ "$any" -eq 1 ] || { echo "no sshd instance runs (scripts/sshd.sh start N starts them)"; return 3; }
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: scripts/sshd.sh start N | stop | status" ;;
esac
