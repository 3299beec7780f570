/**
 * `paddock mcp` over stdio, driven by the SDK's own client spawning the real command (which starts the daemon on
 * demand and forwards to its /mcp): a run from spawn to merge, and a coordinator run whose two children are spawned
 * through a connection that speaks for it (`--parent`): the parent link shows, and the tree's budget stops all three.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, type Env, makeRepo, paddockEnv, statusJson, until } from '../e2e/harness.ts';
import { ok, refused, runToMerge } from './flow.ts';

async function stdioClient(t: TestContext, e: Env, args: string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], env: e.env as Record<string, string>, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d));
  const client = new Client({ name: 'paddock-test', version: '1.0.0' });
  await client.connect(transport).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  t.after(() => client.close());
  return client;
}

describe('paddock mcp (stdio)', () => {
  it('drives a run from spawn to merge through the daemon it starts', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const client = await stdioClient(t, e);
    assert.equal(client.getServerVersion()?.name, 'paddock');
    const id = await runToMerge(client, repo, 'stdio');
    // The daemon owns the run: the CLI sees it too.
    const s = await statusJson(e, id);
    assert.equal(s.state, 'completed');
    assert.ok(s.mergedAt);
    const missing = await refused(client, 'wait_for_run', { runId: 'ffffffffffff', timeoutSeconds: 1 });
    assert.equal(missing.code, 'NOT_FOUND');
  });

  it('a coordinator spawns two children through its own connection: they record it as parent, and its budget stops all three', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const wait = (n: number) => [{ tools: [{ name: 'Bash', input: { command: `timeout ${n} tail -f /dev/null; echo waited`, description: 'wait', timeout: 200_000 } }] }, { text: 'done' }];
    e.model.script('mcp-root', wait(150));
    e.model.script('mcp-child-wait', wait(150));
    e.model.script('mcp-child-spend', [{ tools: [{ name: 'Bash', input: { command: 'echo spend', description: 'spend' } }], usage: { outputTokens: 200_000 } }, { text: 'spent' }]);

    const person = await stdioClient(t, e);
    const { run: root } = await ok(person, 'spawn_run', { repo, type: 'explore', budget: 1, task: 'Coordinate [[script:mcp-root]]' });
    assert.equal(root.parentRunId, null);
    await until(async () => (await ok(person, 'get_events', { runId: root.id })).events.some((ev: { kind: string }) => ev.kind === 'tool_use'), 'the coordinator waits in its tool');

    // The coordinator's own connection: what it spawns is spawned on its behalf.
    const coordinator = await stdioClient(t, e, ['--parent', root.id]);
    const { run: a } = await ok(coordinator, 'spawn_run', { repo, type: 'explore', task: 'Wait [[script:mcp-child-wait]]' });
    assert.equal(a.parentRunId, root.id);
    await until(async () => (await ok(coordinator, 'get_events', { runId: a.id })).events.some((ev: { kind: string }) => ev.kind === 'tool_use'), 'the first child waits in its tool');
    const other = await refused(coordinator, 'spawn_run', { repo, type: 'explore', task: 'x', parentRunId: a.id });
    assert.equal(other.code, 'INVALID_INPUT', 'a connection that speaks for a run cannot claim another parent');

    const children = await ok(person, 'list_runs', { parentRunId: root.id });
    assert.deepEqual(
      children.runs.map((r: { id: string }) => r.id),
      [a.id],
    );
    assert.equal((await ok(person, 'get_run', { runId: a.id })).run.parentRunId, root.id);
    assert.equal((await statusJson(e, a.id)).parentRunId, root.id, 'the native API shows the link');

    const { run: b } = await ok(coordinator, 'spawn_run', { repo, type: 'explore', task: 'Spend [[script:mcp-child-spend]]' });
    assert.equal(b.parentRunId, root.id);
    assert.deepEqual((await ok(person, 'list_runs', { parentRunId: root.id })).runs.map((r: { id: string }) => r.id).sort(), [a.id, b.id].sort());

    // b's spend passes the root's $1: the tree's budget stops all three.
    for (const r of [b, a, root]) {
      const done = await ok(person, 'wait_for_run', { runId: r.id, timeoutSeconds: 120 });
      assert.equal(done.ended, true, `${r.id} ended`);
      assert.equal(done.run.state, 'failed', JSON.stringify(done.run));
      assert.match(String(done.run.reason), /^budget_exceeded/);
    }
  });
});
