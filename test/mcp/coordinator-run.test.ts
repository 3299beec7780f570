/**
 * A coordinator inside Paddock: a run spawned with `coordinator: true` gets Paddock's MCP through its own mcp.sock,
 * and the real Claude CLI in its container calls mcp__paddock__spawn_run twice (the scripted model asks it to), then
 * list_runs. The children record it as their parent (native API, `paddock status --json`); merge_run and another
 * repository are refused; its budget, spent by a child, stops all three. The escape suite's side (no MCP without
 * coordinator, and more refusals from inside) is test/security/coordinator.test.ts. Real daemon, engine, git, model.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, makeRepo, statusJson, until } from '../e2e/harness.ts';
import { type Daemon, startDaemon } from '../api/harness.ts';

type Ev = { seq: number; kind: string; data: Record<string, unknown> };
type Result = { text: string; isError: boolean };

const mcp = (tool: string, input: Record<string, unknown>) => ({ tools: [{ name: `mcp__paddock__${tool}`, input }] });
const wait = (seconds: number) => ({ tools: [{ name: 'Bash', input: { command: `timeout ${seconds} tail -f /dev/null; echo waited`, description: 'wait', timeout: 200_000 } }] });

/** The HTTP status a GET /mcp on the socket gets, or undefined when nothing answers there. */
function answers(socketPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/mcp', method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

describe('a coordinator run inside Paddock', () => {
  it('spawns two children through its own MCP socket: they record it as parent, merging and other repositories are refused, and its budget stops all three', async (t) => {
    const d = await startDaemon(t);
    const e = d.e;
    const repo = await makeRepo(t);
    const otherRepo = await makeRepo(t);
    const known: { childA?: string } = {};

    // The children: one waits in a tool, the other spends past the coordinator's $1 (200k output tokens, $4).
    e.model.script('cr-child-wait', [wait(150), { text: 'child a done' }]);
    e.model.script('cr-child-spend', [{ tools: [{ name: 'Bash', input: { command: 'echo spend', description: 'spend' } }], usage: { outputTokens: 200_000 } }, { text: 'spent' }]);
    // Steps are answered per request, so later steps see the ids the test has learned by then.
    e.model.script('cr-coord', () => [
      mcp('spawn_run', { type: 'explore', branch: 'coord/a', task: 'Wait [[script:cr-child-wait]]' }),
      mcp('spawn_run', { repo: otherRepo, type: 'explore', task: 'Elsewhere [[script:hello]]' }),
      { ...mcp('list_runs', {}), delayMs: 1500 },
      mcp('merge_run', { runId: known.childA ?? 'ffffffffffff' }),
      mcp('spawn_run', { type: 'explore', branch: 'coord/b', task: 'Spend [[script:cr-child-spend]]' }),
      wait(150),
      { text: 'coordinated' },
    ]);
    const spawned = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', coordinator: true, budget: 1, task: 'Coordinate [[script:cr-coord]]' });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const coord = spawned.body.id as string;
    assert.equal(spawned.body.coordinator, true);

    const children = async () => ((await d.json('GET', `/api/v1/runs?all=true`)).body.runs as { id: string; parentRunId: string | null; branch: string }[]).filter((r) => r.parentRunId === coord);
    const a = await until(async () => (await children()).find((r) => r.branch === 'coord/a'), 'the coordinator spawns its first child', 180_000);
    known.childA = a.id;
    const sock = join(e.home, 'runs', coord, 'relay', 'mcp.sock');
    assert.ok(statSync(sock).isSocket(), 'the coordinator has mcp.sock beside model.sock');
    assert.equal(statSync(sock).mode & 0o777, 0o600, 'only its container UID may connect');

    const b = await until(async () => (await children()).find((r) => r.branch === 'coord/b'), 'the coordinator spawns its second child', 180_000);
    const evs = await until(async () => {
      const all = (await eventsJson(e, coord)) as Ev[];
      return all.filter((ev) => ev.kind === 'tool_result').length >= 5 ? all : undefined;
    }, 'the coordinator has the second spawn’s answer');
    const uses = evs.filter((ev) => ev.kind === 'tool_use').map((ev) => String(ev.data.name));
    assert.deepEqual(uses.slice(0, 5), ['mcp__paddock__spawn_run', 'mcp__paddock__spawn_run', 'mcp__paddock__list_runs', 'mcp__paddock__merge_run', 'mcp__paddock__spawn_run']);
    const results = evs.filter((ev) => ev.kind === 'tool_result').map((ev) => ({ text: String(ev.data.content), isError: ev.data.isError === true }));
    assert.ok(results.length >= 5, JSON.stringify(results));
    const [firstSpawn, otherRepoTry, listed, mergeTry, secondSpawn] = results as [Result, Result, Result, Result, Result];
    assert.equal(firstSpawn.isError, false, firstSpawn.text);
    assert.match(firstSpawn.text, new RegExp(a.id));
    assert.equal(secondSpawn.isError, false, secondSpawn.text);
    assert.match(secondSpawn.text, new RegExp(b.id));
    // list_runs from inside: its own children (only the first, by then), not itself.
    assert.equal(listed.isError, false, listed.text);
    assert.match(listed.text, new RegExp(a.id));
    assert.doesNotMatch(listed.text, new RegExp(`"id":"${coord}"`));

    // The parent link, through the native API and the CLI.
    for (const child of [a, b]) {
      const api = await d.json('GET', `/api/v1/runs/${child.id}`);
      assert.equal(api.body.run.parentRunId, coord);
      assert.equal(api.body.run.rootRunId, coord);
      assert.equal(api.body.run.repo, (await d.json('GET', `/api/v1/runs/${coord}`)).body.run.repo, 'on the coordinator’s repository');
      assert.equal((await statusJson(e, child.id)).parentRunId, coord, 'paddock status --json shows the link');
    }

    // What its connection may not do (the escape suite records these: test/security/coordinator.test.ts).
    assert.equal(mergeTry.isError, true, mergeTry.text);
    assert.match(mergeTry.text, /"code":"FORBIDDEN".*merging into the repository is for the person/);
    assert.equal(otherRepoTry.isError, true, otherRepoTry.text);
    assert.match(otherRepoTry.text, /"code":"FORBIDDEN".*is not this run's repository/);
    assert.equal((await children()).length, 2, 'only the two allowed spawns made runs');

    // b's spend passes the coordinator's $1: the tree's budget stops all three.
    for (const id of [b.id, a.id, coord]) {
      const done = await until(
        async () => {
          const s = await statusJson(e, id);
          return ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.state) ? s : undefined;
        },
        `run ${id} to end`,
        120_000,
      );
      assert.equal(done.state, 'failed', JSON.stringify(done));
      assert.match(String(done.reason), /^budget_exceeded/);
    }
    assert.equal(existsSync(sock), false, 'the socket goes with the run');
  });
  it('its MCP socket comes back when a killed daemon is started again and adopts the run', async (t) => {
    const d = await startDaemon(t);
    const e = d.e;
    const repo = await makeRepo(t);
    e.model.script('cr-r-child', [{ text: 'child done' }]);
    e.model.script('cr-r-coord', [
      mcp('spawn_run', { type: 'explore', branch: 'restart/a', task: 'One [[script:cr-r-child]]' }),
      wait(25), // the daemon is killed and started again meanwhile
      mcp('spawn_run', { type: 'explore', branch: 'restart/b', task: 'Two [[script:cr-r-child]]' }),
      { text: 'coordinated across a restart' },
    ]);
    const spawned = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', coordinator: true, task: 'Coordinate [[script:cr-r-coord]]' });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const coord = spawned.body.id as string;
    const kids = async (via: Daemon) =>
      ((await via.json('GET', '/api/v1/runs?all=true')).body.runs as { parentRunId: string | null; branch: string }[]).filter((r) => r.parentRunId === coord).map((r) => r.branch);
    await until(async () => (await kids(d)).includes('restart/a'), 'the first child', 180_000);
    const sock = join(e.home, 'runs', coord, 'relay', 'mcp.sock');
    assert.equal(await answers(sock), 405, 'the socket answers (GET is 405 on a stateless MCP endpoint)');
    await d.kill();
    assert.equal(await answers(sock), undefined, 'nobody answers on it while no daemon runs');
    const again = await d.restart();
    await until(async () => (await answers(sock)) === 405, 'the adopting daemon serves mcp.sock again', 30_000);
    await until(async () => (await kids(again)).includes('restart/b'), 'the second child, spawned through the socket of the new daemon', 120_000);
    const done = await until(
      async () => {
        const s = await statusJson(e, coord);
        return ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.state) ? s : undefined;
      },
      'the coordinator ends',
      120_000,
    );
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const results = ((await eventsJson(e, coord)) as Ev[]).filter((ev) => ev.kind === 'tool_result');
    assert.equal(results.length, 3, JSON.stringify(results));
    assert.notEqual(results[2]?.data.isError, true, JSON.stringify(results[2]));
  });
});
