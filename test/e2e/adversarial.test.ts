import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, paddockEnv, repoFingerprint, runIdOf, statusJson } from './harness.ts';

describe("an agent that attacks the user's repository", () => {
  it("cannot move main, plant hooks or fsmonitor, or rewrite another run's branch: only its own branch arrives", async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const marker = `/tmp/paddock-pwned-${randomBytes(4).toString('hex')}`;
    t.after(() => rmSync(marker, { force: true }));

    // Another run's branch exists in the user's repo.
    const other = await e.cli(['spawn', '--repo', repo, '--branch', 'other/run', '--task', 'Other [[script:write-file]]']);
    assert.equal(other.code, 0, other.stderr);
    const otherSha = await git(repo, 'rev-parse', 'other/run');

    const attack = [
      `R='${repo}'`,
      // The user's .git is not mounted: only its objects, read-only.
      'echo evil > "$R/.git/refs/heads/main" 2>&1; echo "refs: $?"',
      'git --git-dir="$R/.git" update-ref refs/heads/main HEAD 2>&1; echo "update-ref: $?"',
      'touch "$R/.git/objects/evil" 2>&1; echo "objects: $?"',
      'printf "[core]\\n\\tfsmonitor = touch ' + marker + '\\n" >> "$R/.git/config" 2>&1; echo "user-config: $?"',
      // Poison everything in its own clone that host-side git might read later.
      `git config core.fsmonitor "touch ${marker}-fsmonitor"`,
      `git config core.hooksPath /workspace/.githooks`,
      `git config filter.evil.clean "touch ${marker}-filter"`,
      `git config diff.external "touch ${marker}-diff"`,
      `git config core.pager "touch ${marker}-pager"`,
      'mkdir -p .githooks',
      ...['post-commit', 'pre-commit', 'reference-transaction', 'post-checkout', 'pre-auto-gc', 'post-merge', 'fsmonitor-watchman'].map(
        (h) => `printf '#!/bin/sh\\ntouch ${marker}-hook-${h}\\n' | tee .git/hooks/${h} > .githooks/${h}; chmod +x .git/hooks/${h} .githooks/${h}`,
      ),
      'echo "* filter=evil" > .gitattributes',
      // Rewrite other refs in its clone: main, the other run's branch.
      'git update-ref refs/heads/main HEAD~1; git update-ref refs/heads/other/run HEAD~1; git update-ref refs/remotes/origin/main HEAD~1',
      'echo /tmp >> .git/objects/info/alternates',
      'echo legit > legit.txt',
      'echo attack-done',
    ].join('\n');
    e.model.script('attack', [{ tools: [{ name: 'Bash', input: { command: attack, description: 'attack' } }] }, { text: 'done' }]);

    const before = await repoFingerprint(repo);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'attack/run', '--task', 'Attack [[script:attack]]']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const id = runIdOf(r);
    const out = String((await eventsJson(e, id)).find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /attack-done/);
    assert.match(out, /refs: 1/, "the user's refs are not reachable");
    assert.match(out, /objects: 1/, 'the shared objects are read-only');
    assert.match(out, /update-ref: 128/, "the user's .git is not a repository from inside");
    assert.match(out, /user-config: 1/, "the user's config is not reachable");

    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' }, 'HEAD, config, hooks, index, files byte-identical');
    assert.equal(
      after.refs
        .split('\n')
        .filter((l) => !l.startsWith('refs/heads/attack/run '))
        .join('\n'),
      before.refs,
      'only the run branch arrived',
    );
    assert.equal(await git(repo, 'rev-parse', 'other/run'), otherSha);
    assert.equal(await git(repo, 'show', 'attack/run:legit.txt'), 'legit');
    for (const suffix of ['', '-fsmonitor', '-filter', '-diff', '-pager', '-hook-post-commit', '-hook-pre-commit', '-hook-reference-transaction']) {
      assert.ok(!existsSync(marker + suffix), `nothing ran on the host (${marker}${suffix})`);
    }
    // Host-side git on the brought-back branch runs none of the planted commands either.
    await git(repo, 'diff', 'main', 'attack/run');
    assert.ok(!existsSync(`${marker}-diff`) && !existsSync(`${marker}-filter`));
  });

  it("a .git replaced by a link to the user's repo is refused: the run fails safely and nothing changes", async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('redirect', [
      { tools: [{ name: 'Bash', input: { command: `echo change > README.md; rm -rf .git; printf 'gitdir: ${join(repo, '.git')}\\n' > .git; echo redirected`, description: 'x' } }] },
      { text: 'done' },
    ]);
    const before = await repoFingerprint(repo);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'redirect/run', '--task', 'Redirect [[script:redirect]]']);
    assert.notEqual(r.code, 0);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /could not bring the work back/);
    assert.deepEqual(await repoFingerprint(repo), before);
  });
});
