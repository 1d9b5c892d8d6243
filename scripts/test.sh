#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test; ends with "tests: N passed, N failed".
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
# Debian's Chromium for the dashboard's browser tests (driven by Playwright's bundled driver; nothing downloaded).
"$REPO_ROOT/scripts/chromium.sh" >/dev/null
cd "$REPO_ROOT"
# The tests' own Docker engine (no bridge network); stopped again whatever happens.
trap '"$REPO_ROOT/scripts/docker.sh" stop >/dev/null 2>&1 || true' EXIT
export "$("$REPO_ROOT/scripts/docker.sh" start | tail -n 1)"
results="$REPO_ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

log "building"
dotnet build DeployMind.slnx -c Release -warnaserror --nologo -v quiet

log "running tests"
status=0
# One run and one named result file per test project, so no result can overwrite another.
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
done

passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done

if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "no test results were produced" >&2
  status=1
fi
[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed"
exit "$status"
