import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, paddockEnv, REAL_KEY, repoFingerprint, statusJson } from './harness.ts';

const PROBE = [
  'id -u',
  "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status",
  "echo ifaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ')",
  `echo realkey: $(env | grep -c '${REAL_KEY}')`,
  'touch /usr/probe 2>/dev/null && echo rootfs: writable || echo rootfs: read-only',
].join('; ');

describe('spawn → diff → merge, with the real Claude Code CLI in a hardened container', () => {
  it('edits a file as scripted, brings back only its branch, and merges it into the base', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('feature', ({ cwd }) => [
      { text: 'Checking the sandbox.', tools: [{ name: 'Bash', input: { command: PROBE, description: 'probe' } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/feature.txt`, content: 'the feature\n' } }] },
      { text: 'Added feature.txt.' },
    ]);
    const before = await repoFingerprint(repo);

    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'feat/x', '--task', 'Add the feature [[script:feature]]']);
    assert.equal(r.code, 0, `spawn failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Added feature\.txt\./);
    assert.match(r.stdout, /Write\(.*feature\.txt\)/);
    const id = /run ([0-9a-f]{12})/.exec(r.stderr)?.[1];
    assert.ok(id, `no run id in: ${r.stderr}`);

    // The probe ran inside the container: non-root, no capabilities, no-new-privileges, loopback only, no real key.
    const events = await eventsJson(e, id);
    const probe = String(events.find((ev) => ev.kind === 'tool_result')?.data.content);
    // Its own UID from Paddock's reserved range (1,000,000 + n), no host account (test/security/jail.test.ts).
    assert.match(probe, /^10[0-6]\d{4}$/m);
    assert.match(probe, /CapEff:\s+0000000000000000/);
    assert.match(probe, /NoNewPrivs:\s+1/);
    assert.match(probe, /ifaces: lo$/m);
    assert.match(probe, /realkey: 0/);
    assert.match(probe, /rootfs: read-only/);
    assert.deepEqual([...new Set(events.map((ev) => ev.seq))].length, events.length, 'event ids are unique');

    // The model got the real key from the relay; the container's environment never had it.
    const main = e.model.mainRequests('feature');
    assert.ok(main.length >= 3);
    for (const req of main) assert.equal(req.headers['x-api-key'], REAL_KEY);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'completed');
    assert.equal(s.branch, 'feat/x');
    const inspect = await e.engine.getContainer(String(s.containerId)).inspect();
    assert.ok(!JSON.stringify(inspect.Config.Env).includes(REAL_KEY));
    assert.equal(inspect.HostConfig.NetworkMode, 'none');
    assert.ok(Number(s.inputTokens) > 0 && Number(s.costUsd) >= 0);

    // Only the run branch arrived; the user's checkout, index, HEAD, config and hooks are untouched.
    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' });
    assert.equal(after.refs.replace(/^refs\/heads\/feat\/x .*\n?/m, ''), before.refs);
    assert.equal(await git(repo, 'show', 'feat/x:feature.txt'), 'the feature');
    assert.equal(await git(repo, 'rev-parse', 'feat/x~1'), await git(repo, 'rev-parse', 'main'));

    // What the agent wrote (as the run's own UID in the container) belongs to the host user afterwards.
    const written = statSync(join(String(s.checkoutDir), 'feature.txt'));
    assert.equal(written.uid, process.getuid?.());

    const diff = await e.cli(['diff', id]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^\+the feature$/m);
    assert.match(diff.stdout, /feature\.txt/);

    const ls = await e.cli(['ls', '--json']);
    assert.equal((JSON.parse(ls.stdout) as { id: string; state: string }[]).find((x) => x.id === id)?.state, 'completed');

    const merged = await e.cli(['merge', id]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(readFileSync(join(repo, 'feature.txt'), 'utf8'), 'the feature\n', 'the checked-out base was updated');
    assert.equal(await git(repo, 'status', '--porcelain'), '');
    assert.equal(await git(repo, 'rev-parse', 'main^2'), await git(repo, 'rev-parse', 'feat/x'));
  });

  it('an explore run does its work in a private checkout and brings nothing back', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const before = await repoFingerprint(repo);
    const r = await e.cli(['spawn', '--repo', repo, '--type', 'explore', '--task', 'Look around [[script:write-and-bash]]']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /hello from paddock/);
    assert.deepEqual(await repoFingerprint(repo), before);
    assert.ok(!existsSync(join(repo, 'hello.txt')));
  });
});
