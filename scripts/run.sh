#!/usr/bin/env bash
# Sets up the machine and runs DeployMind's main job on the embedded database: a real deployment of the bundled
# Python sample to the local Docker target (security scan, generated Dockerfile, image build on offline base
# images, blue-green rollout behind the edge proxy, health checks), then prints the URL it answers on.
# The app keeps running afterwards; `bash scripts/docker.sh stop` stops it with the engine.
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
cd "$REPO_ROOT"
export "$("$REPO_ROOT/scripts/docker.sh" start | tail -n 1)"
log "building the deploymind command"
dotnet publish src/DeployMind.Cli -c Release -o "$REPO_ROOT/artifacts/deploymind" --nologo -v quiet
dm="$REPO_ROOT/artifacts/deploymind/deploymind"

export DEPLOYMIND_DATA_DIR="${DEPLOYMIND_DATA_DIR:-$REPO_ROOT/.work/data}"
export DEPLOYMIND_BASE_IMAGES=offline
port="${DEPLOYMIND_DEMO_PORT:-18080}"
log "offline base images and the edge proxy image (built once, kept afterwards)"
"$dm" images bootstrap | grep -v '^  ' >&2
bash "$REPO_ROOT/scripts/proxy-image.sh" latest >/dev/null
"$dm" db init

# The sample as a repository of its own, as a user's would be.
demo="$REPO_ROOT/.work/demo/python-hello"
mkdir -p "$demo"
cp -r "$REPO_ROOT/samples/python-hello/." "$demo/"
cat > "$demo/deploymind.yml" <<YAML
name: python-hello
source:
  path: .
branch: main
targets:
  - name: local
    type: local
    app_port: $port
strategy:
  type: blue-green
  keep_previous_for: 30s
health_check:
  path: /health
  initial_delay: 1s
  interval: 1s
  monitor_for: 5s
YAML
(
  cd "$demo"
  [ -d .git ] || git init -q -b main
  git add -A
  git -c user.name=DeployMind -c user.email=demo@deploymind.local commit -qm "demo $(date -u +%FT%TZ)" --allow-empty
)
log "deploying samples/python-hello to the local Docker target"
(cd "$demo" && "$dm" deploy)
"$dm" instances --config "$demo/deploymind.yml" || true
log "python-hello answers on http://127.0.0.1:$port/ (health: http://127.0.0.1:$port/health)"
curl -fsS "http://127.0.0.1:$port/health"; echo
log "database: $DEPLOYMIND_DATA_DIR/deploymind.db — try: $dm list, $dm status ID, $dm logs ID, $dm stats, $dm rollback --config $demo/deploymind.yml"
