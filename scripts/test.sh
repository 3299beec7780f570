#!/usr/bin/env bash
# npm test: the whole suite against the real engines (Podman, and Docker for the engine suite).
# Installs what is missing first (idempotent), so it works on a bare machine. Extra args: test files to run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --docker
export PATH="/usr/local/bin:$PATH"
# The agent image the end-to-end tests run, in both engines (a no-op when its recipe is unchanged). Each engine gets
# a home of its own: the daemon that builds reads its engine setting when it starts, so one daemon serves one engine.
for sock in /run/paddock/podman.sock /run/paddock/docker.sock; do
  echo "[test] agent image in $sock" >&2
  home=$(mktemp -d /tmp/paddock-image-home.XXXXXX)
  ok=1
  PADDOCK_HOME=$home PADDOCK_ENGINE_SOCKET=$sock node bin/paddock.js image build >/tmp/paddock-image-build.log 2>&1 || ok=0
  PADDOCK_HOME=$home node bin/paddock.js daemon stop >/dev/null 2>&1 || true
  rm -rf "$home"
  [ $ok = 1 ] || { tail -30 /tmp/paddock-image-build.log; exit 1; }
done
# Lint and format check (Biome, biome.json), before the type check.
npm run lint || { echo "[test] lint failed: \`npm run format\` fixes formatting, \`npx biome check --write\` the safe lint fixes; the rest is listed above" >&2; exit 1; }
npx tsc -p tsconfig.json --noEmit
exec node test/run.ts "$@"
