/**
 * MCP over streamable HTTP at the daemon's /mcp, driven by the SDK's own client against the real daemon, engine and
 * scripted model: a run from spawn to merge, errors with the API's codes, resources, and /mcp behind auth.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeRepo, until } from '../e2e/harness.ts';
import { startDaemon } from '../api/harness.ts';
import { ok, refused, runToMerge } from './flow.ts';

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'paddock-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  return client;
}

describe('MCP over streamable HTTP', () => {
  it('spawns, pages events, waits with progress, diffs and merges a run; errors carry the API codes', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const client = await connect(d.url);
    t.after(() => client.close());

    const id = await runToMerge(client, repo, 'http');
    // The same run through the native API.
    const api = await d.json('GET', `/api/v1/runs/${id}`);
    assert.equal(api.body.run.state, 'completed');
    assert.ok(api.body.run.mergedAt);

    // get_run, list_runs and the resources agree.
    const got = await ok(client, 'get_run', { runId: id.slice(0, 8) });
    assert.equal(got.run.id, id);
    assert.equal(got.session.runs, 1);
    const listed = await ok(client, 'list_runs', { states: ['completed'] });
    assert.deepEqual(
      listed.runs.map((r: { id: string }) => r.id),
      [id],
    );
    const resources = await client.listResources();
    assert.ok(resources.resources.some((r) => r.uri === `paddock://runs/${id}`));
    const transcript = await client.readResource({ uri: `paddock://runs/${id}/transcript` });
    const lines = String((transcript.contents[0] as { text: string }).text)
      .trim()
      .split('\n');
    assert.equal(JSON.parse(lines[0] ?? '{}').seq, 1);
    const diff = await client.readResource({ uri: `paddock://runs/${id}/diff` });
    assert.match(String((diff.contents[0] as { text: string }).text), /hello\.txt/);

    // Errors: the API's code and message, as a tool error.
    const missing = await refused(client, 'get_run', { runId: 'ffffffffffff' });
    const viaApi = await d.json('GET', '/api/v1/runs/ffffffffffff');
    assert.equal(viaApi.status, 404);
    assert.deepEqual(missing, viaApi.body.error);
    assert.equal(missing.code, 'NOT_FOUND');
    const badRepo = await refused(client, 'spawn_run', { repo: '/nonexistent', task: 'x' });
    const badViaApi = await d.json('POST', '/api/v1/runs', { repo: '/nonexistent', task: 'x' });
    assert.equal(badRepo.code, 'INVALID_INPUT');
    assert.deepEqual(badRepo, badViaApi.body.error);
    const notPersistent = await refused(client, 'send_message', { runId: id, text: 'more' });
    assert.equal(notPersistent.code, 'CONFLICT');
    // Arguments outside the schema never reach Paddock: the SDK refuses them naming the field.
    const schema = await client.callTool({ name: 'get_events', arguments: { runId: id, limit: 0 } });
    assert.equal(schema.isError, true);
    assert.match(JSON.stringify(schema.content), /limit/);

    const agents = await ok(client, 'list_agents');
    assert.deepEqual(agents.agents, [
      { name: 'claude', default: true },
      { name: 'codex', default: false },
      { name: 'gemini', default: false },
    ]);
    const images = await ok(client, 'list_images');
    const def = images.images.find((i: { default: boolean }) => i.default);
    assert.equal(def.present, true);
    assert.equal(def.runs, 1);
  });

  it('waits no longer than timeoutSeconds, and a stop ends the wait', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const client = await connect(d.url);
    t.after(() => client.close());
    const { run } = await ok(client, 'spawn_run', { repo, task: 'Take your time [[script:slow-model 60000]]', type: 'explore' });
    const started = Date.now();
    const waited = await ok(client, 'wait_for_run', { runId: run.id, timeoutSeconds: 2 });
    assert.equal(waited.ended, false);
    assert.equal(waited.timedOut, true);
    assert.ok(Date.now() - started < 10_000, `came back after the timeout (${Date.now() - started} ms)`);
    const live = await refused(client, 'merge_run', { runId: run.id });
    assert.equal(live.code, 'INVALID_INPUT', 'an explore run brings nothing back');
    const stopped = await ok(client, 'stop_run', { runId: run.id });
    assert.equal(stopped.run.state, 'cancelled');
    const after = await ok(client, 'wait_for_run', { runId: run.id, timeoutSeconds: 5 });
    assert.equal(after.ended, true);
  });

  it('a persistent run takes a message, a finished run resumes its conversation, and the agent image is checked with progress', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const client = await connect(d.url);
    t.after(() => client.close());
    const answered = (id: string, text: string) =>
      until(async () => {
        const { run } = await ok(client, 'get_run', { runId: id });
        return run.resultText === text ? run : undefined;
      }, `run ${id} to answer ${text}`);

    const { run: kept } = await ok(client, 'spawn_run', { repo, task: 'First question [[script:two-turns]]', keepAlive: true, branch: 'mcp/kept' });
    const idle = await answered(kept.id, 'First answer.');
    assert.equal(idle.state, 'idle');
    const sent = await ok(client, 'send_message', { runId: kept.id, text: 'Second question' });
    assert.equal(sent.queued, false);
    assert.equal(sent.message.text, 'Second question');
    await answered(kept.id, 'Second answer, after resuming.');
    const stopped = await ok(client, 'stop_run', { runId: kept.id });
    assert.equal(stopped.run.state, 'completed');

    const { run: first } = await ok(client, 'spawn_run', { repo, task: 'Once [[script:two-turns]]', branch: 'mcp/resumed' });
    assert.equal((await ok(client, 'wait_for_run', { runId: first.id, timeoutSeconds: 240 })).answer, 'First answer.');
    const { run: second } = await ok(client, 'resume_session', { ref: first.id, task: 'Again [[script:hello resumed]]' });
    assert.notEqual(second.id, first.id);
    assert.equal(second.sessionId, first.sessionId, 'the same conversation');
    const done = await ok(client, 'wait_for_run', { runId: second.id, timeoutSeconds: 240 });
    assert.equal(done.answer, 'resumed', JSON.stringify((await ok(client, 'get_events', { runId: second.id })).events));

    // The default image (built before the suite) is up to date: checked, not rebuilt, said as progress.
    const lines: string[] = [];
    const image = await ok(client, 'create_agent_image', {}, { onprogress: (p) => lines.push(p.message ?? '') });
    assert.equal(image.built, false);
    assert.ok(
      lines.some((l) => /up to date/.test(l)),
      lines.join('\n'),
    );
    const badTag = await client.callTool({ name: 'create_agent_image', arguments: { tag: 'Not A Name' } });
    assert.equal(badTag.isError, true);
    assert.match(JSON.stringify(badTag.content), /image name/);
  });

  it('with auth on, /mcp needs a token', async (t) => {
    const d = await startDaemon(t, { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: 'mcp-token' });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    const bare = await d.fetch('/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    assert.equal(bare.status, 401);
    await bare.text();
    await assert.rejects(connect(d.url), /missing authorization header/);
    const wrong = await d.fetch('/mcp', { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body });
    assert.equal(wrong.status, 401);
    await wrong.text();
    const client = await connect(d.url, { authorization: 'Bearer mcp-token' });
    t.after(() => client.close());
    const tools = await client.listTools();
    assert.ok(tools.tools.some((x) => x.name === 'spawn_run'));
    // A connection that speaks for a run names one that exists.
    const orphan = await d.fetch('/mcp', {
      method: 'POST',
      headers: { authorization: 'Bearer mcp-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-paddock-parent-run': 'ffffffffffff' },
      body,
    });
    assert.equal(orphan.status, 400);
    assert.equal(((await orphan.json()) as { error: { data: { error: { code: string } } } }).error.data.error.code, 'NOT_FOUND');
    const get = await d.fetch('/mcp', { headers: { authorization: 'Bearer mcp-token' } });
    assert.equal(get.status, 405);
    await get.text();
  });
});
