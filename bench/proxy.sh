#!/usr/bin/env bash
# Edge proxy overhead: latency p50/p99 through deploymind-proxy against hitting the app directly (issue: deploy).
#   bash bench/proxy.sh [rate=500] [seconds=10] [concurrency=32]      (PER_ROUND=1 prints each round of the fixed-rate phase)
# The app, the proxy (the built deploymind-proxy, a process of its own) and the load generator run on loopback.
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
require_dotnet
dotnet build src/DeployMind.Proxy -c Release --nologo -v quiet
dotnet build bench/DeployMind.Bench.Proxy -c Release --nologo -v quiet
bench="$REPO_ROOT/bench/DeployMind.Bench.Proxy/bin/Release/net10.0/DeployMind.Bench.Proxy"
proxy="$REPO_ROOT/src/DeployMind.Proxy/bin/Release/net10.0/deploymind-proxy"

"$bench" run --proxy-exe "$proxy" --rate "${1:-500}" --seconds "${2:-10}" --concurrency "${3:-32}" ${PER_ROUND:+--per-round}
