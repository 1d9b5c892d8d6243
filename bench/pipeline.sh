#!/usr/bin/env bash
# Orchestration overhead (SQLite) and queue throughput with 4 workers (PostgreSQL), no-op agents (issue: pipeline).
#   bash bench/pipeline.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"
dotnet build bench/DeployMind.Bench.Pipeline -c Release --nologo -v quiet
bench="$REPO_ROOT/bench/DeployMind.Bench.Pipeline/bin/Release/net10.0/DeployMind.Bench.Pipeline"

dir="$(mktemp -d)"
"$bench" overhead "$dir/bench.db" 200
rm -rf "$dir"

url="$("$REPO_ROOT/scripts/postgres.sh" start 55434)"
trap '"$REPO_ROOT/scripts/postgres.sh" stop' EXIT
runuser -u postgres -- psql -h 127.0.0.1 -p 55434 -U postgres -qc "DROP DATABASE IF EXISTS pipeline" -c "CREATE DATABASE pipeline"
"$bench" throughput "${url%/postgres}/pipeline" 400 4
