#!/usr/bin/env bash
# Build stage (issue: build agent), on the project's own Docker engine with the offline base images:
#  1. overhead: `deploymind build` against a plain `docker build` of the same Dockerfile and context, warm cache,
#     RUNS alternating runs each (default 10); medians and their ratio (the baseline is the plain build).
#  2. image size per sample: the generated multi-stage Dockerfile against a naive single-stage one (bench/naive/).
#   bash bench/build.sh [RUNS]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
runs="${1:-10}"
"$REPO_ROOT/scripts/setup.sh"
export "$("$REPO_ROOT/scripts/docker.sh" start | tail -n 1)"
dotnet build src/DeployMind.Cli -c Release --nologo -v quiet
dm="$REPO_ROOT/src/DeployMind.Cli/bin/Release/net10.0/deploymind"
docker=/usr/bin/docker
export DEPLOYMIND_BASE_IMAGES=offline DEPLOYMIND_DATA_DIR="${DEPLOYMIND_DATA_DIR:-$REPO_ROOT/.work/bench-build}"
"$dm" images bootstrap | grep -v '^  ' >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

log "1. overhead: same Dockerfile and context (samples/python-hello with bench/naive/python-hello.Dockerfile), warm cache, $runs runs each"
ctx="$work/overhead"
cp -r samples/python-hello "$ctx"
cp bench/naive/python-hello.Dockerfile "$ctx/Dockerfile"
DOCKER_BUILDKIT=0 "$docker" build -q -t bench-build/plain:1 "$ctx" >/dev/null
"$dm" build "$ctx" --tag bench-build/deploymind:1 >/dev/null
: > "$work/plain"; : > "$work/dm"
for _ in $(seq 1 "$runs"); do
  t0=$(now_ms); DOCKER_BUILDKIT=0 "$docker" build -q -t bench-build/plain:1 "$ctx" >/dev/null; t1=$(now_ms)
  "$dm" build "$ctx" --tag bench-build/deploymind:1 >/dev/null; t2=$(now_ms)
  echo $((t1 - t0)) >> "$work/plain"; echo $((t2 - t1)) >> "$work/dm"
done
plain=$(median < "$work/plain"); ours=$(median < "$work/dm")
printf 'docker build (baseline): median %s ms\ndeploymind build (whole CLI process): median %s ms, ratio %s\n' \
  "$plain" "$ours" "$(awk -v a="$ours" -v b="$plain" 'BEGIN {printf "%.2f", a / b}')"
# The CLI pays .NET start-up on every call; the worker and the server build in a running process:
dotnet build bench/DeployMind.Bench.Build -c Release --nologo -v quiet
bench/DeployMind.Bench.Build/bin/Release/net10.0/DeployMind.Bench.Build "$ctx" "$((runs * 2))"

log "2. image size: generated Dockerfile vs naive single stage"
printf '%-14s %14s %14s %10s\n' sample naive_MB generated_MB reduction
for sample in node-hello python-hello go-hello static-site; do
  copy="$work/size-$sample"
  cp -r "samples/$sample" "$copy"
  rm -f "$copy/Dockerfile"
  generated=$("$dm" build "$copy" --tag "bench-build/gen-$sample:1" --json | sed -n 's/.*"size_bytes": *\([0-9]*\).*/\1/p')
  DOCKER_BUILDKIT=0 "$docker" build -q -f "bench/naive/$sample.Dockerfile" -t "bench-build/naive-$sample:1" "$copy" >/dev/null
  naive=$("$docker" image inspect -f '{{.Size}}' "bench-build/naive-$sample:1")
  awk -v s="$sample" -v n="$naive" -v g="$generated" 'BEGIN {printf "%-14s %14.1f %14.1f %9.1f%%\n", s, n / 1e6, g / 1e6, 100 * (n - g) / n}'
done
