#!/usr/bin/env bash
# Installs what building and testing DeployMind needs on a Debian machine. Safe to run again.
source "$(dirname "$0")/lib.sh"

require_dotnet
# PostgreSQL 15 server binaries (the tests start their own server on loopback), git for source checkout.
apt_install postgresql-15 git ca-certificates debootstrap curl
# The bundled samples are started for real by the tests: Node.js and Python interpreters.
command -v node >/dev/null || apt_install nodejs
command -v python3 >/dev/null || apt_install python3
cd "$REPO_ROOT"
dotnet tool restore >/dev/null
log "set-up complete"
