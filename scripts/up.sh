#!/usr/bin/env bash
# npm run up: install what is missing, build Paddock and the agent image, check the machine, show the first command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/usr/local/bin:$PATH"
node bin/paddock.js image build
node bin/paddock.js doctor
cat <<'MSG'

Paddock is ready. A first run (any git repository of yours):

  npx paddock spawn --repo ~/src/app --task "Add a README section on testing"
  npx paddock ls
  npx paddock diff <id>   # then: npx paddock merge <id>

Agents reach the model through Paddock on the host: export ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN),
or point PADDOCK_ANTHROPIC_BASE_URL at a model endpoint of your own. `npx paddock --help` lists every verb.
MSG
