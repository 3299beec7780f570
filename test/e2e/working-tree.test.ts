/** Uncommitted work in the user's repository: said plainly, left out by default, carried in with --with-changes. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, paddockEnv, repoFingerprint, runIdOf } from './harness.ts';

describe('uncommitted changes', () => {
  it('are named when left out, and --with-changes carries tracked and untracked (not ignored) changes into the start, touching nothing', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    writeFileSync(join(repo, '.gitignore'), 'secret.env\n');
    await git(repo, 'add', '.gitignore');
    await git(repo, 'commit', '-qm', 'ignore');
    writeFileSync(join(repo, 'README.md'), '# app, edited\n');
    writeFileSync(join(repo, 'new.txt'), 'new\n');
    writeFileSync(join(repo, 'secret.env'), 'TOKEN=1\n');
    const before = await repoFingerprint(repo);
    e.model.script('look', [{ tools: [{ name: 'Bash', input: { command: 'cat README.md; ls', description: 'look' } }] }, { text: 'looked' }]);

    const plain = await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Look [[script:look]]']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /working tree has 1 changed tracked file\(s\) and 1 untracked file\(s\) \(README\.md, new\.txt\); the agent starts from main without them/);

    const carried = await e.cli(['spawn', '--repo', repo, '--with-changes', '--branch', 'wc', '--task', 'Look [[script:look]]']);
    assert.equal(carried.code, 0, carried.stderr);
    const tool = (await eventsJson(e, runIdOf(carried))).find((ev) => ev.kind === 'tool_result');
    assert.match(String(tool?.data.content), /# app, edited/);
    assert.match(String(tool?.data.content), /new\.txt/);
    assert.doesNotMatch(String(tool?.data.content), /secret\.env/);
    assert.equal(await git(repo, 'show', 'wc:new.txt'), 'new');
    assert.equal(await git(repo, 'show', 'wc:README.md'), '# app, edited');
    await assert.rejects(git(repo, 'show', 'wc:secret.env'));
    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' }, 'index, HEAD, files and config untouched');
  });
});
