/**
 * A coordinator run's own MCP connection, without an engine: the real MCP server (SDK client over an in-memory
 * transport) on a real store, held to what a run may do; its mcp.sock (0600, only for coordinator runs, gone on
 * close); and the Claude CLI's --mcp-config for a coordinator.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { buildClaudeArgv } from '../../src/agents/claude/argv.ts';
import { startCoordinatorSocket } from '../../src/app/coordinator.ts';
import { COORDINATOR_MCP_URL, loadConfig, openPaddock, type Paddock, serveCoordinatorMcp } from '../../src/app/index.ts';
import { createMcpServer } from '../../src/mcp/index.ts';
import { runRow } from '../fixtures/run-row.ts';
import { ok, refused } from './flow.ts';

function open(t: TestContext): { p: Paddock; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'paddock-coord-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home }));
  t.after(async () => {
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { p, home };
}

async function connect(t: TestContext, p: Paddock, opts: { parentRunId?: string; asRun?: boolean }): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createMcpServer(p, opts).connect(a);
  const client = new Client({ name: 'coord-test', version: '1.0.0' });
  await client.connect(b);
  t.after(() => client.close());
  return client;
}

describe("a coordinator run's own MCP connection", () => {
  it('sees only the runs it spawned, never merges, and spawns only plain clone runs on its own repository', async (t) => {
    const { p, home } = open(t);
    const repo = join(home, 'repo');
    mkdirSync(repo);
    p.runs.insert(runRow('c0c0c0c0c0c0', { repo, branch: 'coord', coordinator: true }));
    p.runs.insert(runRow('a1a1a1a1a1a1', { repo, branch: 'child', parentRunId: 'c0c0c0c0c0c0', rootRunId: 'c0c0c0c0c0c0', createdAt: 2 }));
    p.runs.insert(runRow('ffff00000001', { repo, branch: 'someone-else', createdAt: 3 }));
    const inside = await connect(t, p, { parentRunId: 'c0c0c0c0c0c0', asRun: true });

    assert.equal((await ok(inside, 'get_run', { runId: 'a1a1' })).run.id, 'a1a1a1a1a1a1', 'its child, by prefix');
    const listed = await ok(inside, 'list_runs', { all: true });
    assert.deepEqual(
      listed.runs.map((r: { id: string }) => r.id),
      ['a1a1a1a1a1a1'],
    );
    for (const [tool, args] of [
      ['get_run', { runId: 'ffff00000001' }],
      ['get_events', { runId: 'ffff00000001' }],
      ['get_diff', { runId: 'ffff00000001' }],
      ['stop_run', { runId: 'ffff00000001' }],
      ['wait_for_run', { runId: 'ffff00000001', timeoutSeconds: 1 }],
      ['get_run', { runId: 'c0c0c0c0c0c0' }],
      ['get_run', { runId: 'eeeeeeeeeeee' }],
      ['list_runs', { parentRunId: 'ffff00000001' }],
    ] as const) {
      const e = await refused(inside, tool, args);
      assert.equal(e.code, 'FORBIDDEN', `${tool} ${JSON.stringify(args)}`);
      assert.match(e.message, /is not one this run spawned/);
    }
    const merge = await refused(inside, 'merge_run', { runId: 'a1a1a1a1a1a1' });
    assert.equal(merge.code, 'FORBIDDEN');
    assert.match(merge.message, /merging into the repository is for the person/);
    assert.equal((await refused(inside, 'create_agent_image', {})).code, 'FORBIDDEN');
    assert.equal((await refused(inside, 'resume_session', { ref: 'a1a1a1a1a1a1', task: 'more' })).code, 'FORBIDDEN');

    const spawn = (extra: Record<string, unknown>) => refused(inside, 'spawn_run', { task: 'x', ...extra });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ repo: home }, /is not this run's repository/],
      [{ workspace: 'scratch' }, /only clone runs/],
      [{ mounts: [{ host: '/etc', container: '/ref' }] }, /mounts are not allowed/],
      [{ secretsEnv: { GH_TOKEN: 'gh' } }, /secretsEnv is not allowed/],
      [{ network: { mode: 'open' } }, /network open is not allowed/],
      [{ coordinator: true }, /cannot spawn coordinators/],
      [{ sessionId: 'a1a1a1a1a1a1' }, /continuing a session is for the person/],
      [{ withChanges: true }, /uncommitted work/],
      [{ reuseBranch: true, branch: 'main' }, /existing branch/],
      [{ webhookUrl: 'https://example.invalid/hook' }, /webhookUrl is not allowed/],
    ];
    for (const [extra, re] of cases) {
      const e = await spawn(extra);
      assert.equal(e.code, 'FORBIDDEN', JSON.stringify(extra));
      assert.match(e.message, re);
    }
    // The person's connection is not scoped: it reads any run.
    const person = await connect(t, p, {});
    assert.equal((await ok(person, 'get_run', { runId: 'ffff00000001' })).run.id, 'ffff00000001');
    assert.ok((await person.listResourceTemplates()).resourceTemplates.length > 0);
  });

  it('mcp.sock: served only for a coordinator run, 0600, answering with the identity fixed; gone when closed', async (t) => {
    const { p, home } = open(t);
    const seen: string[] = [];
    serveCoordinatorMcp(p, (runId) => async () => {
      seen.push(runId);
      return Response.json({ runId });
    });
    const dir = (id: string) => {
      const d = join(home, 'runs', id);
      mkdirSync(join(d, 'relay'), { recursive: true });
      return d;
    };
    const plain = runRow('b2b2b2b2b2b2', { runDir: dir('b2b2b2b2b2b2') });
    assert.equal(await startCoordinatorSocket(p, plain), undefined);
    const coord = runRow('c3c3c3c3c3c3', { runDir: dir('c3c3c3c3c3c3'), coordinator: true });
    const served = await startCoordinatorSocket(p, coord);
    assert.ok(served);
    const sock = join(coord.runDir, 'relay', 'mcp.sock');
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ socketPath: sock, path: '/mcp', method: 'POST', headers: { 'x-paddock-parent-run': 'b2b2b2b2b2b2' } }, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end('{}');
    });
    assert.deepEqual(JSON.parse(body), { runId: 'c3c3c3c3c3c3' }, 'the socket is the identity, whatever the header says');
    assert.deepEqual(seen, ['c3c3c3c3c3c3']);
    await served.close();
    assert.throws(() => statSync(sock), /ENOENT/);
  });

  it("a coordinator's Claude CLI gets Paddock's MCP server, after any of its own MCP configs", () => {
    const argv = buildClaudeArgv('go', { mcp_configs: ['/cfg.json'] } as never, { sessionId: 's', resume: false, paddockMcpUrl: COORDINATOR_MCP_URL });
    const at = argv.indexOf('--mcp-config');
    assert.deepEqual(argv.slice(at, at + 3), ['--mcp-config', '/cfg.json', '{"mcpServers":{"paddock":{"type":"http","url":"http://127.0.0.1:4100/mcp"}}}']);
    assert.equal(argv.filter((a) => a === '--mcp-config').length, 1);
    assert.equal(buildClaudeArgv('go', {} as never, { sessionId: 's', resume: false }).includes('--mcp-config'), false);
  });
});
