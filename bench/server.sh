#!/usr/bin/env bash
# API throughput/latency at N deployments and webhook intake, on PostgreSQL and SQLite (issue: server).
#   bash bench/server.sh [deployments=100000] [seconds=10] [concurrency=16] [deliveries=100]
source "$(dirname "$0")/../scripts/lib.sh"
count="${1:-100000}"; seconds="${2:-10}"; concurrency="${3:-16}"; deliveries="${4:-100}"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"
dotnet build bench/DeployMind.Bench.Server -c Release --nologo -v quiet
bench="$REPO_ROOT/bench/DeployMind.Bench.Server/bin/Release/net10.0/DeployMind.Bench.Server"

url="$("$REPO_ROOT/scripts/postgres.sh" start 55434)"
trap '"$REPO_ROOT/scripts/postgres.sh" stop' EXIT
runuser -u postgres -- psql -h 127.0.0.1 -p 55434 -U postgres -qc "DROP DATABASE IF EXISTS bench_server" -c "CREATE DATABASE bench_server"
log "PostgreSQL"
"$bench" "${url%/postgres}/bench_server" "$count" "$seconds" "$concurrency" "$deliveries"

dir="$(mktemp -d)"
log "SQLite"
"$bench" "$dir/bench.db" "$count" "$seconds" "$concurrency" "$deliveries"
rm -rf "$dir"
