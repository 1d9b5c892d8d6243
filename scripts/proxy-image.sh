#!/usr/bin/env bash
# Builds the edge proxy's Docker image deploymind/proxy:<VERSION>, so a host that only has Docker can run it.
#   bash scripts/proxy-image.sh [VERSION]
# VERSION defaults to the commit (git rev-parse --short=12 HEAD, "-dirty" when src/DeployMind.Proxy has
# uncommitted changes). The last line printed is the image reference.
#
# 1. Publishes deploymind-proxy self-contained and trimmed for linux-x64 (the runtime packs come from NuGet).
# 2. Base image: deploymind/base:bookworm when the engine has it (`deploymind images bootstrap` makes it);
#    otherwise deploymind/proxy-rootfs:bookworm, imported once from a minimal root filesystem made here: the
#    dynamic loader and the libraries the published files link against (ldd), OpenSSL (https backends) and the
#    CA bundle, taken from this Debian host, plus /etc/passwd, /etc/group, /etc/nsswitch.conf and /tmp.
# 3. Builds the image, labelled with a hash of the published files; an image with the same tag and hash is kept
#    as it is (idempotent). Needs a Docker engine: DOCKER_HOST, else DeployMind's own engine
#    (scripts/docker.sh start) when it runs, else the default socket.
#
# Run it on a target host (the admin API stays on loopback; --network host shares the host's loopback):
#   docker run -d --name deploymind-proxy --restart unless-stopped --network host \
#     -v /var/lib/deploymind-proxy:/var/lib/deploymind-proxy \
#     -v /etc/deploymind/proxy.token:/run/secrets/proxy-token:ro \
#     deploymind/proxy:VERSION --listen 0.0.0.0:80 --admin 127.0.0.1:9080 \
#     --admin-token-file /run/secrets/proxy-token --state-file /var/lib/deploymind-proxy/state.json
source "$(dirname "$0")/lib.sh"

cd "$REPO_ROOT"
require_dotnet
command -v docker >/dev/null || die "the docker CLI is missing (apt-get install docker.io, or run scripts/docker.sh start)"

if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/deploymind-docker.sock ] \
  && timeout 10 docker -H unix:///var/run/deploymind-docker.sock version >/dev/null 2>&1; then
  export DOCKER_HOST=unix:///var/run/deploymind-docker.sock
fi
timeout 20 docker version >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}; start one (bash scripts/docker.sh start) or set DOCKER_HOST"

version="${1:-}"
if [ -z "$version" ]; then
  version="$(git rev-parse --short=12 HEAD 2>/dev/null || echo dev)"
  if [ -n "$(git status --porcelain -- src/DeployMind.Proxy 2>/dev/null)" ]; then version="$version-dirty"; fi
fi
[[ "$version" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "'$version' is not a valid image tag"
image="deploymind/proxy:$version"
rootfs_image="deploymind/proxy-rootfs:bookworm"
work="$REPO_ROOT/artifacts/proxy-image"
publish="$work/context/app"

log "publishing deploymind-proxy (linux-x64, self-contained, trimmed)"
rm -rf "$publish"
mkdir -p "$publish"
dotnet publish src/DeployMind.Proxy/DeployMind.Proxy.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishTrimmed=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  -o "$publish" --nologo -v quiet
[ -x "$publish/deploymind-proxy" ] || die "dotnet publish produced no $publish/deploymind-proxy"
content_hash="$(cd "$publish" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"

# make_rootfs DIR: the smallest root filesystem the published proxy runs on.
make_rootfs() {
  local dir="$1" f lib
  # Merged /usr like Debian 12: /lib and /lib64 are links into /usr.
  mkdir -p "$dir"/{etc/ssl/certs,tmp,usr/lib,usr/lib64,var/lib/deploymind-proxy,run/secrets}
  ln -s usr/lib "$dir/lib"
  ln -s usr/lib64 "$dir/lib64"
  chmod 1777 "$dir/tmp"
  local libs=()
  local openssl=(/usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3)
  for f in "$publish/deploymind-proxy" "$publish"/*.so "${openssl[@]}"; do
    [ -e "$f" ] || continue
    while read -r lib; do libs+=("$lib"); done < <(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u)
  done
  libs+=("${openssl[@]}")
  for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do
    [ -e "$lib" ] || continue
    local target="$dir/usr${lib#/usr}"
    mkdir -p "$(dirname "$target")"
    cp -L "$lib" "$target"
  done
  [ -e "$dir/lib64/ld-linux-x86-64.so.2" ] || die "ldd did not report the dynamic loader; is this an x86_64 glibc host?"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
  for f in /usr/lib/ssl/openssl.cnf /etc/ssl/openssl.cnf; do
    [ -f "$f" ] && { mkdir -p "$dir$(dirname "$f")"; cp "$f" "$dir$f"; }
  done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
}

if docker image inspect deploymind/base:bookworm >/dev/null 2>&1; then
  base="deploymind/base:bookworm"
  log "base image: $base"
elif docker image inspect "$rootfs_image" >/dev/null 2>&1; then
  base="$rootfs_image"
  log "base image: $base (already imported)"
else
  base="$rootfs_image"
  log "deploymind/base:bookworm is absent; importing $base from a minimal root filesystem"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  make_rootfs "$rootfs"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . \
    | docker import --message "minimal root filesystem for deploymind-proxy (scripts/proxy-image.sh)" - "$base" >/dev/null
  rm -rf "$rootfs"
fi
base_id="$(docker image inspect --format '{{.Id}}' "$base")"

if [ "$(docker image inspect --format '{{index .Config.Labels "org.deploymind.proxy.content"}}/{{index .Config.Labels "org.deploymind.proxy.base"}}' "$image" 2>/dev/null || true)" = "$content_hash/$base_id" ]; then
  log "$image is up to date (content $content_hash)"
  echo "$image"
  exit 0
fi

cat >"$work/context/Dockerfile" <<EOF
FROM $base
COPY app/ /opt/deploymind-proxy/
ENV DOTNET_EnableDiagnostics=0 \\
    DOTNET_gcServer=0
WORKDIR /var/lib/deploymind-proxy
LABEL org.opencontainers.image.title="deploymind-proxy" \\
      org.opencontainers.image.version="$version" \\
      org.deploymind.proxy.content="$content_hash" \\
      org.deploymind.proxy.base="$base_id"
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/deploymind-proxy/deploymind-proxy"]
CMD ["--help"]
EOF

log "building $image"
if ! output="$(docker build --quiet --network host -t "$image" "$work/context" 2>&1)"; then
  printf '%s\n' "$output" >&2
  die "docker build of $image failed"
fi
size="$(docker image inspect --format '{{.Size}}' "$image")"
log "built $image ($((size / 1024 / 1024)) MB, content $content_hash, base $base)"
echo "$image"
