#!/usr/bin/env bash
# Secret scanning throughput against ripgrep, and dependency matching against 200,000 OSV records (issue: security scanners).
#   bash bench/security.sh [tree-mb=600] [advisories=200000] [lock-packages=2000]     (a size of 0 skips that benchmark)
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
"$REPO_ROOT/scripts/setup.sh"
apt_install ripgrep
dotnet build bench/DeployMind.Bench.Security -c Release --nologo -v quiet
bench="$REPO_ROOT/bench/DeployMind.Bench.Security/bin/Release/net10.0/DeployMind.Bench.Security"

# The program generates its tree, advisories and lockfile under one temp directory and removes it when done.
"$bench" "${1:-600}" "${2:-200000}" "${3:-2000}"
