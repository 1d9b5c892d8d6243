#!/usr/bin/env bash
# Ingest and analytics at scale on PostgreSQL and SQLite (issue: foundation).
#   bash bench/persistence.sh [deployments=100000]
source "$(dirname "$0")/../scripts/lib.sh"
count="${1:-100000}"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"
dotnet build bench/DeployMind.Bench.Persistence -c Release --nologo -v quiet
bench="$REPO_ROOT/bench/DeployMind.Bench.Persistence/bin/Release/net10.0/DeployMind.Bench.Persistence"

url="$("$REPO_ROOT/scripts/postgres.sh" start 55433)"
trap '"$REPO_ROOT/scripts/postgres.sh" stop' EXIT
runuser -u postgres -- psql -h 127.0.0.1 -p 55433 -U postgres -qc "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
"$bench" "${url%/postgres}/bench" "$count"

dir="$(mktemp -d)"
"$bench" "$dir/bench.db" "$count"
rm -rf "$dir"
