#!/usr/bin/env bash
# Sets up the machine and runs DeployMind's main job on the embedded database: initialise the database,
# security-scan a bundled sample app, record a sample deployment history, and print the analytics.
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
cd "$REPO_ROOT"
log "building the deploymind command"
dotnet publish src/DeployMind.Cli -c Release -o "$REPO_ROOT/artifacts/deploymind" --nologo -v quiet
dm="$REPO_ROOT/artifacts/deploymind/deploymind"

export DEPLOYMIND_DATA_DIR="${DEPLOYMIND_DATA_DIR:-$REPO_ROOT/.work/data}"
"$dm" db init
log "security scan of the bundled Node.js sample (its hand-written Dockerfile is deliberately unoptimized)"
"$dm" scan "$REPO_ROOT/samples/node-hello" --policy balanced
"$dm" detect "$REPO_ROOT/samples/node-hello"
"$dm" db seed --deployments "${DEPLOYMIND_DEMO_DEPLOYMENTS:-200}" --days 14
"$dm" stats
log "database: $DEPLOYMIND_DATA_DIR/deploymind.db — try: $dm stats --json, $dm db status, $dm db prune --dry-run"
