/**
 * The diff of a run that is still going, over real HTTP to the real daemon, with the real CLI in a real container: it
 * shows what the agent changed so far (committed or not), the agent keeps running, and git never runs on the host
 * over the live clone — a hostile .git/config and .gitattributes planted in it (hooks that would touch a marker file
 * on the host) have no effect.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, makeRepo, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';

describe('live diff of a running run', () => {
  it('shows the clone as it is now while the agent runs on; host git never touched it', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    d.e.model.script('edit-then-wait', ({ cwd }) => [
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/hello.txt`, content: 'live change\n' } }] },
      { tools: [{ name: 'Bash', input: { command: 'echo two >> src/main.txt && timeout 90 tail -f /dev/null; echo waited', description: 'edit and wait', timeout: 600000 } }] },
      { text: 'Done.' },
    ]);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Edit [[script:edit-then-wait]]', branch: 'live/diff' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await until(
      async () => {
        const ev = await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`);
        return (ev.body.events as { kind: string; data: { name?: string } }[]).some((e) => e.kind === 'tool_use' && e.data.name === 'Bash');
      },
      'the agent to be in its long command',
      180_000,
      250,
    );
    const status = await d.json('GET', `/api/v1/runs/${id}`);
    const clone = status.body.run.checkoutDir as string;
    await until(() => existsSync(join(clone, 'hello.txt')), 'the file to be written', 30_000, 100);

    // What an agent can plant in its clone: config that runs commands when git looks at the tree.
    const marker = join(mkdtempSync(join(tmpdir(), 'paddock-pwned-')), 'host-git-ran');
    appendFileSync(
      join(clone, '.git', 'config'),
      [
        '[core]',
        `\tfsmonitor = "touch ${marker}; false"`,
        `\tpager = "touch ${marker}; cat"`,
        '[diff "evil"]',
        `\tcommand = "touch ${marker}"`,
        '[filter "evil"]',
        `\tclean = "touch ${marker}; cat"`,
        `\tsmudge = "touch ${marker}; cat"`,
        '\trequired = true',
        '',
      ].join('\n'),
    );
    writeFileSync(join(clone, '.gitattributes'), '* diff=evil filter=evil\n');

    const r = await d.json('GET', `/api/v1/runs/${id}/diff`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.live, true);
    assert.equal(r.body.truncated, false);
    const files = Object.fromEntries((r.body.files as { path: string; status: string; added: number }[]).map((f) => [f.path, f]));
    assert.equal(files['hello.txt']?.status, 'added');
    assert.equal(files['src/main.txt']?.status, 'modified');
    assert.equal(files['src/main.txt']?.added, 1);
    assert.match(r.body.patch, /\+live change/);
    assert.match(r.body.patch, /^\+two$/m);
    assert.ok(!existsSync(marker), 'nothing the agent planted ran on the host');

    const after = await d.json('GET', `/api/v1/runs/${id}`);
    assert.equal(after.body.run.state, 'running', 'the agent runs on');
    assert.equal(after.body.container.running, true);
    const leftover = await d.e.engine.listContainers({ all: true, filters: { label: ['dev.paddock.kind=helper', `dev.paddock.run=${id}`] } });
    assert.deepEqual(leftover, [], 'the helper container is gone');

    // Once it ends, the diff is of the brought-back branch again (finalize dropped the planted config).
    const stop = await d.json('POST', `/api/v1/runs/${id}/stop`, {});
    assert.equal(stop.body.run.state, 'cancelled');
    const ended = await d.json('GET', `/api/v1/runs/${id}/diff`);
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    assert.equal(ended.body.live, false);
    assert.equal(await git(repo, 'show', 'live/diff:hello.txt'), 'live change');
    assert.ok(!existsSync(marker));
  });

  it('a queued run has no checkout to diff yet', async (t) => {
    const d = await startDaemon(t, { PADDOCK_MAX_RUNNING: '1' });
    const repo = await makeRepo(t);
    const first = (await d.json('POST', '/api/v1/runs', { repo, task: 'Wait [[script:slow 60]]' })).body.id as string;
    const queued = (await d.json('POST', '/api/v1/runs', { repo, task: 'Queued [[script:hello]]' })).body.id as string;
    const r = await d.json('GET', `/api/v1/runs/${queued}/diff`);
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /has no checkout yet/);
    await d.json('POST', `/api/v1/runs/${first}/stop`, {});
    await d.json('POST', `/api/v1/runs/${queued}/stop`, {});
  });
});
