#!/usr/bin/env bash
# npm run bench -- [spawn|workspace|api|all]: benchmarks; each prints ratios against a raw baseline from the same run
# and writes bench/results/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/usr/local/bin:$PATH"
which=${1:-all}
case "$which" in
  spawn) node bench/spawn.bench.ts ;;
  workspace) node bench/workspace.bench.ts ;;
  api) node bench/api.bench.ts ;;
  all) node bench/spawn.bench.ts && node bench/api.bench.ts ;;
  *) echo "unknown benchmark '$which' (spawn, workspace, api, all)" >&2; exit 2 ;;
esac
