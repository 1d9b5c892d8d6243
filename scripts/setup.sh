#!/usr/bin/env bash
# Installs what building and testing DeployMind needs on a Debian machine. Safe to run again.
source "$(dirname "$0")/lib.sh"

require_dotnet
# PostgreSQL 15 server binaries (the tests start their own server on loopback), git for source checkout.
apt_install postgresql-15 git ca-certificates
cd "$REPO_ROOT"
dotnet tool restore >/dev/null
log "set-up complete"
