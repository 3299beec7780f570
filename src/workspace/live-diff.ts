/**
 * The diff of a run that is still going: what its branch would hold if it ended now (the agent's commits on the run
 * branch plus whatever it left in the working tree, as finalize would commit it), against its base, merge-base
 * semantics like `diff` (diff.ts).
 *
 * The agent can still write its clone, so git never runs over it on the host (a planted .git/config, hook, attribute
 * driver or FIFO would act there). It runs in a throwaway helper container (app/live-diff.ts) with the clone mounted
 * read-only, and even there it does not use the clone's .git: it builds a private repository in the helper's /tmp
 * with Paddock's own config, takes only objects from the clone (and from the user's repository, the base), reads the
 * run branch's tip from its ref file as data, and indexes the working tree afresh. Every output goes back base64
 * encoded and bounded, and is parsed here as data (file names included).
 */
import { parseNameStatusZ, parseNumstatZ, summarize, type DiffResult } from './diff.ts';

/** Where the helper container sees the run's clone. */
export const LIVE_CLONE_MOUNT = '/workspace';

/** The parts the script prints, in order; each is `== <name>` then base64 lines. */
const PARTS = ['patch', 'stat', 'numstat', 'namestatus'] as const;

/**
 * bash -c SCRIPT paddock-live-diff <base sha> <branch> <user's objects dir> <sha1|sha256> <max bytes per part>.
 * Values come in as positional parameters, never into the script's text.
 */
export const LIVE_DIFF_SCRIPT = String.raw`set -eu
base=$1 branch=$2 objects=$3 format=$4 max=$5
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0 GIT_NO_REPLACE_OBJECTS=1 GIT_OPTIONAL_LOCKS=0 HOME=/tmp LC_ALL=C
fail() { echo "== error"; printf '%s' "$1" | head -c 2000 | base64; exit 3; }
repo=/tmp/live
git init -q --object-format="$format" "$repo" 2>/tmp/err || fail "git init: $(cat /tmp/err)"
printf '%s\n%s\n' /workspace/.git/objects "$objects" > "$repo/.git/objects/info/alternates"
export GIT_DIR=$repo/.git GIT_WORK_TREE=/workspace GIT_INDEX_FILE=/tmp/live.index
G="git -c core.hooksPath=/dev/null -c core.fsmonitor=false -c core.checkStat=minimal -c core.quotePath=true"
# The run branch's tip, read as data (a regular file, or its line in packed-refs); the base when it is not a commit.
tip=$base
t=
ref=/workspace/.git/refs/heads/$branch
if [ -f "$ref" ] && [ ! -L "$ref" ]; then t=$(head -c 100 "$ref" | tr -d '\n'); fi
if [ -z "$t" ] && [ -f /workspace/.git/packed-refs ] && [ ! -L /workspace/.git/packed-refs ]; then
  t=$(head -c 67108864 /workspace/.git/packed-refs | awk -v r="refs/heads/$branch" '$2 == r { print $1; exit }')
fi
case $t in *[!0-9a-f]*|'') ;; *) if $G cat-file -e "$t^{commit}" 2>/dev/null; then tip=$t; fi ;; esac
cd /workspace
$G read-tree "$tip" 2>/tmp/err || fail "read-tree: $(cat /tmp/err)"
$G add --all --no-warn-embedded-repo -- . 2>/tmp/err || fail "add: $(cat /tmp/err)"
tree=$($G write-tree 2>/tmp/err) || fail "write-tree: $(cat /tmp/err)"
head=$(GIT_AUTHOR_NAME=Paddock GIT_AUTHOR_EMAIL=paddock@paddock.invalid GIT_COMMITTER_NAME=Paddock GIT_COMMITTER_EMAIL=paddock@paddock.invalid $G commit-tree "$tree" -p "$tip" -m live 2>/tmp/err) || fail "commit-tree: $(cat /tmp/err)"
flags="--no-ext-diff --no-textconv --no-color --no-relative --src-prefix=a/ --dst-prefix=b/ --find-renames"
part() {
  name=$1; shift
  $G diff $flags "$@" "$base...$head" -- > /tmp/out 2>/tmp/err || fail "diff: $(cat /tmp/err)"
  echo "== $name"; head -c $((max + 1)) /tmp/out | base64; rm -f /tmp/out
}
part patch --binary
part stat --stat=200
part numstat --numstat -z
part namestatus --name-status -z
echo "== end"
`;

export interface LiveDiffArgs {
  baseSha: string;
  branch: string;
  /** The user's repository's objects dir (mounted read-only at the same path). */
  objectsDir: string;
  objectFormat: 'sha1' | 'sha256';
  maxBytes: number;
}

/** The helper's command (run under the image's tini entrypoint). */
export function liveDiffArgv(a: LiveDiffArgs): string[] {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(a.baseSha)) throw new Error(`base ${a.baseSha} is not a commit id`);
  return ['bash', '-c', LIVE_DIFF_SCRIPT, 'paddock-live-diff', a.baseSha, a.branch, a.objectsDir, a.objectFormat, String(a.maxBytes)];
}

export interface LiveDiffResult extends DiffResult {
  /** A part was longer than maxBytes and was cut there (the patch then does not apply). */
  truncated: boolean;
}

/** The helper's stdout lines → the diff. Throws with the helper's error when it failed. */
export function parseLiveDiffOutput(lines: readonly string[], maxBytes: number): LiveDiffResult {
  const parts = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const m = /^== ([a-z]+)$/.exec(line);
    if (m) {
      current = [];
      parts.set(m[1]!, current);
    } else if (current && /^[A-Za-z0-9+/=]*$/.test(line)) {
      current.push(line);
    } else {
      throw new Error('the diff helper wrote something that is not its output');
    }
  }
  const bytes = (name: string) => Buffer.from((parts.get(name) ?? []).join(''), 'base64');
  if (parts.has('error')) throw new Error(bytes('error').toString('utf8').trim() || 'the diff helper failed');
  if (!parts.has('end') || PARTS.some((p) => !parts.has(p))) throw new Error('the diff helper stopped before its output was complete');
  let truncated = false;
  const text = (name: string) => {
    const b = bytes(name);
    if (b.length > maxBytes) truncated = true;
    return b.subarray(0, maxBytes).toString('utf8');
  };
  const patch = text('patch');
  const stat = text('stat');
  const files = parseNumstatZ(text('numstat'));
  const statuses = parseNameStatusZ(text('namestatus'));
  return {
    text: patch,
    stat,
    summary: summarize(files),
    statuses,
    truncated,
  };
}
