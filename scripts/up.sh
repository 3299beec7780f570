#!/usr/bin/env bash
# npm run up: install what is missing, build Paddock and the agent image, put `paddock` on PATH, check the machine,
# show the first command.
set -euo pipefail
cd "$(dirname "$0")/.."
user_path=$PATH   # as the caller has it (below, /usr/local/bin goes in front for our own commands)
bash scripts/setup.sh
export PATH="/usr/local/bin:$PATH"
node bin/paddock.js image build
node bin/paddock.js doctor

# --- `paddock` on PATH: a symlink to this checkout's bin/paddock.js (idempotent) ----------------
say() { printf '\033[1m[up]\033[0m %s\n' "$*" >&2; }
target="$(pwd -P)/bin/paddock.js"
if [ "$(id -u)" = 0 ]; then bindir=/usr/local/bin; else bindir="$HOME/.local/bin"; fi
mkdir -p "$bindir"
link="$bindir/paddock"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  say "note: $link exists and is not a symlink; left alone (remove it to use this checkout's paddock)"
elif [ "$(readlink "$link" 2>/dev/null)" != "$target" ]; then
  ln -sfn "$target" "$link"
  say "paddock → $link (→ $target)"
fi
case ":$user_path:" in
  *":$bindir:"*) ;;
  *) say "note: $bindir is not on your PATH; add it (e.g. echo 'export PATH=\"$bindir:\$PATH\"' >> ~/.profile)" ;;
esac

cat <<'MSG'

Paddock is ready. A first run (any git repository of yours):

  paddock spawn --repo ~/src/app --task "Add a README section on testing"
  paddock ls
  paddock diff <id>   # then: paddock merge <id>

Agents reach the model through Paddock on the host: export ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN),
or point PADDOCK_ANTHROPIC_BASE_URL at a model endpoint of your own. `paddock --help` lists every verb.
MSG
