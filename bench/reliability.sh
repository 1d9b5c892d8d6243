#!/usr/bin/env bash
# Reliability under load (issue: deploy): constant requests through the edge proxies of three SSH instances during a
# blue-green deploy, a rolling deploy, a canary to 100 % and an automatic rollback; failed requests counted, and the time
# from the failing health verdict to the old version serving all traffic.
#   bash bench/reliability.sh [RATE=200] [SCENARIOS=blue-green,rolling,canary,auto]
# Starts the project's Docker engine and three sshd instances (and stops the instances it started), builds the proxy
# image when the engine lacks it. Exit code 1 when any request failed.
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
require_dotnet
export "$("$REPO_ROOT/scripts/docker.sh" start | tail -n 1)"

started_sshd=0
if ! "$REPO_ROOT/scripts/sshd.sh" status >/dev/null 2>&1; then started_sshd=1; fi
trap '[ "$started_sshd" = 1 ] && "$REPO_ROOT/scripts/sshd.sh" stop >/dev/null 2>&1 || true' EXIT
while IFS= read -r line; do
  case "$line" in DEPLOYMIND_SSH_*=*) export "${line?}" ;; esac
done < <("$REPO_ROOT/scripts/sshd.sh" start 3 | tail -n 5)

proxy_image="${DEPLOYMIND_PROXY_IMAGE:-deploymind/proxy:latest}"
if ! docker image inspect "$proxy_image" >/dev/null 2>&1; then
  log "building the edge proxy image $proxy_image"
  bash "$REPO_ROOT/scripts/proxy-image.sh" "${proxy_image##*:}" >/dev/null
fi

dotnet build bench/DeployMind.Bench.Reliability -c Release --nologo -v quiet
"$REPO_ROOT/bench/DeployMind.Bench.Reliability/bin/Release/net10.0/DeployMind.Bench.Reliability" "${1:-200}" "${2:-blue-green,rolling,canary,auto}"
