#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test; ends with "tests: N passed, N failed".
source "$(dirname "$0")/lib.sh"

results="$REPO_ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# Sets passed and failed from the result files written so far.
count() {
  local trx counters p f
  passed=0; failed=0
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1 || true)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  done
}

# Whatever happens, a failed set-up or build included: the tests' services are stopped, the summary line is the last
# line printed, and the exit code stays the failure's.
finish() {
  local code=$?
  "$REPO_ROOT/scripts/sshd.sh" stop >/dev/null 2>&1 || true
  "$REPO_ROOT/scripts/registry.sh" stop >/dev/null 2>&1 || true
  "$REPO_ROOT/scripts/docker.sh" stop >/dev/null 2>&1 || true
  if [ "$code" -ne 0 ] && [ -z "${tests_ran:-}" ]; then
    echo "the run stopped before the tests ran (exit $code); the cause is in the output above" >&2
  fi
  count
  echo "tests: $passed passed, $failed failed"
  exit "$code"
}
trap finish EXIT

"$REPO_ROOT/scripts/setup.sh"
# Debian's Chromium for the dashboard's browser tests (driven by Playwright's bundled driver; nothing downloaded).
"$REPO_ROOT/scripts/chromium.sh" >/dev/null
cd "$REPO_ROOT"
# The tests' own Docker engine (no bridge network), a loopback registry with htpasswd, and three SSH "instances" for the
# deploy tests (exports DEPLOYMIND_SSH_HOST, _USER, _PORTS, _KEY, _KNOWN_HOSTS); finish() stops them.
export "$("$REPO_ROOT/scripts/docker.sh" start | tail -n 1)"
while IFS= read -r line; do export "$line"; done < <("$REPO_ROOT/scripts/registry.sh" start)
sshd_env="$("$REPO_ROOT/scripts/sshd.sh" start 3 | tail -n 5)"
while IFS= read -r line; do export "$line"; done <<<"$sshd_env"

log "building"
dotnet build DeployMind.slnx -c Release -warnaserror --nologo -v quiet

log "offline base images (kept when present)"
dotnet src/DeployMind.Cli/bin/Release/net10.0/deploymind.dll images bootstrap | grep -v '^  ' >&2
log "edge proxy image"
bash "$REPO_ROOT/scripts/proxy-image.sh" latest >/dev/null

log "running tests"
tests_ran=1
status=0
# One run and one named result file per test project of the solution, so no result can overwrite another.
for project in $(grep -o 'tests/[^"]*\.Tests\.csproj' DeployMind.slnx); do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
  if [ ! -e "$results/$name.trx" ]; then
    echo "$name wrote no test results: its test host did not start or crashed (see its output above)" >&2
    status=1
  fi
done

count
[ "$passed" -gt 0 ] || { echo "no test passed" >&2; status=1; }
[ "$failed" -eq 0 ] || status=1
exit "$status"
