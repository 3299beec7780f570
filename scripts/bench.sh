#!/usr/bin/env bash
# npm run bench -- [spawn|workspace|api|web|services|agents|all]: benchmarks; each prints ratios against a raw baseline from the same run
# and writes bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/usr/local/bin:$PATH"
# The agent image as the recipe says now (a no-op when it is up to date): the benchmarks run what a user would.
home=$(mktemp -d /tmp/paddock-bench-image-home.XXXXXX)
PADDOCK_HOME=$home PADDOCK_ENGINE_SOCKET=${PADDOCK_ENGINE_SOCKET:-/run/paddock/podman.sock} node bin/paddock.js image build >/tmp/paddock-bench-image.log 2>&1 \
  || { tail -30 /tmp/paddock-bench-image.log; PADDOCK_HOME=$home node bin/paddock.js daemon stop >/dev/null 2>&1 || true; exit 1; }
PADDOCK_HOME=$home node bin/paddock.js daemon stop >/dev/null 2>&1 || true
rm -rf "$home"
which=${1:-all}
case "$which" in
  spawn) node bench/spawn.bench.ts ;;
  workspace) node bench/workspace.bench.ts ;;
  api) node bench/api.bench.ts ;;
  web) node bench/web.ts ;;
  agents) node bench/agents.bench.ts ;;
  services) node bench/services.bench.ts ;;
  all) node bench/spawn.bench.ts && node bench/api.bench.ts ;;
  *) echo "unknown benchmark '$which' (spawn, workspace, api, web, services, agents, all)" >&2; exit 2 ;;
esac
