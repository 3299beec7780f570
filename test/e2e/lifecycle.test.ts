import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, git, isEnded, makeRepo, paddockEnv, repoFingerprint, runIdOf, statusJson, until } from './harness.ts';

describe('run lifecycle', () => {
  it('Ctrl-C detaches from spawn; the run goes on and completes', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const child = e.start(['spawn', '--repo', repo, '--task', 'Wait a bit [[script:slow 4]]']);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    await until(() => stdout.includes('⏺'), "the agent's first tool call", 120_000, 100);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 75, 'detached: the run goes on (75, not 130 for a cancelled run)');
    assert.match(stderr, /detached from run [0-9a-f]{12}; it goes on/);
    const id = /run ([0-9a-f]{12})/.exec(stderr)?.[1] ?? '';
    const s = await until(
      async () => {
        const x = await statusJson(e, id);
        return isEnded(x) && x;
      },
      'the run to end',
      120_000,
    );
    assert.equal(s.state, 'completed');
  });

  it('a silent agent is marked stalled, and running again when it speaks', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_STALL_AFTER: '2s' });
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--task', 'Be quiet [[script:slow 7]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r);
    const moves = (await eventsJson(e, id)).filter((ev) => ev.kind === 'state').map((ev) => `${String(ev.data.from)}→${String(ev.data.to)}`);
    // Silent at least during the 7 s wait (maybe also while the CLI starts): stalled, then running again on output.
    assert.deepEqual(moves.slice(0, 4), ['new→queued', 'queued→pending', 'pending→starting', 'starting→running']);
    assert.ok(moves.includes('running→stalled') && moves.includes('stalled→running'), moves.join(', '));
    assert.equal(moves.at(-1), 'running→completed');
  });

  it('a later run continues an agent session on the same branch (--session, --reuse-branch)', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('two-sittings', ({ cwd }) => [
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/first.txt`, content: 'first\n' } }] },
      { text: 'first sitting done' },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/second.txt`, content: 'second\n' } }] },
      { text: 'second sitting done' },
    ]);
    const one = await e.cli(['spawn', '--repo', repo, '--branch', 'sess/work', '--task', 'Start [[script:two-sittings]]']);
    assert.equal(one.code, 0, one.stderr);
    const id1 = runIdOf(one);
    const session = String((await statusJson(e, id1)).sessionId);
    const again = await e.cli(['spawn', '--repo', repo, '--branch', 'sess/work', '--task', 'Carry on', '--session', session]);
    assert.equal(again.code, 4, 'an existing branch needs --reuse-branch');
    assert.match(again.stderr, /--reuse-branch/);
    const two = await e.cli(['spawn', '--repo', repo, '--branch', 'sess/work', '--reuse-branch', '--task', 'Carry on', '--session', session]);
    assert.equal(two.code, 0, `${two.stdout}\n${two.stderr}`);
    assert.match(two.stdout, /second sitting done/);
    const id2 = runIdOf(two);
    const s2 = await statusJson(e, id2);
    assert.equal(s2.sessionId, session);
    const init = (await eventsJson(e, id2)).find((ev) => ev.kind === 'init');
    assert.equal(init?.data.sessionId, session, 'the CLI resumed the same conversation');
    assert.deepEqual(
      (await git(repo, 'ls-tree', '--name-only', 'sess/work'))
        .split('\n')
        .filter((f) => f.endsWith('.txt'))
        .sort(),
      ['first.txt', 'second.txt'],
    );
  });

  it('a merge conflict is a clear error and changes nothing', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('readme', ({ cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/README.md`, content: '# from the agent\n' } }] }, { text: 'rewrote README' }]);
    const r = await e.cli(['spawn', '--repo', repo, '--task', 'Rewrite [[script:readme]]']);
    const id = runIdOf(r);
    writeFileSync(join(repo, 'README.md'), '# from the user\n');
    await git(repo, 'commit', '-qam', 'user edit');
    const before = await repoFingerprint(repo);
    const m = await e.cli(['merge', id]);
    assert.equal(m.code, 4, m.stderr);
    assert.match(m.stderr, /conflict/i);
    assert.match(m.stderr, /README\.md/);
    assert.deepEqual(await repoFingerprint(repo), before);
  });
});

describe('real model smoke test', () => {
  // It talks to Anthropic's real endpoint, so it runs only when a person asks for it (never in CI, never by default:
  // tests reach only servers they start themselves).
  const key = process.env.PADDOCK_REAL_MODEL_SMOKE === '1' ? (process.env.ANTHROPIC_API_KEY ?? process.env.CLAUDE_CODE_OAUTH_TOKEN) : undefined;
  it('a real model writes a file through the relay', { skip: key ? false : 'set PADDOCK_REAL_MODEL_SMOKE=1 and ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) to run it' }, async (t) => {
    const e = await paddockEnv(t, {
      PADDOCK_ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
      PADDOCK_ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY ?? '',
      CLAUDE_CODE_OAUTH_TOKEN: process.env.CLAUDE_CODE_OAUTH_TOKEN ?? '',
    });
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--model', 'haiku', '--branch', 'smoke', '--timeout', '5m', '--task', 'Create a file named smoke.txt containing exactly the word ok, then stop.']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(await git(repo, 'show', 'smoke:smoke.txt'), /ok/);
  });
});
