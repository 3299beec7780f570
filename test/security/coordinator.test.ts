/**
 * Escape suite, surfaces: a coordinator run's MCP (docs/coordinator.md, "A coordinator inside Paddock"). A run spawned
 * without coordinator looks for Paddock's MCP from inside; a coordinator run (the real Claude CLI, driven by the
 * scripted model through mcp__paddock__* tools) tries what its connection may not do: merge, another repository, a
 * coordinator child, mounts, another parent, and a run it did not spawn. Real daemon, engine, git and model.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, isEnded, makeRepo, statusJson, until } from '../e2e/harness.ts';
import { startDaemon } from '../api/harness.ts';
import { attempt } from './attempts.ts';

type Ev = { seq: number; kind: string; data: Record<string, unknown> };
const area = 'surfaces' as const;

describe('escape suite: a coordinator run’s MCP', () => {
  it('no MCP without coordinator; from inside a coordinator, merging, another repository, nested coordinators, mounts, another parent and unrelated runs are refused', async (t) => {
    const d = await startDaemon(t);
    const e = d.e;
    const repo = await makeRepo(t);
    const otherRepo = await makeRepo(t);

    const probe = [
      'if [ -e /run/paddock/mcp.sock ]; then echo MCP-SOCK-THERE; else echo MCP-SOCK-ABSENT; fi',
      '(exec 3<>/dev/tcp/127.0.0.1/4100) 2>/dev/null && echo PORT-OPEN || echo PORT-REFUSED',
      'echo END-OF-PROBE',
    ].join('\n');
    e.model.script('sc-plain', [{ tools: [{ name: 'Bash', input: { command: probe, description: 'probe' } }] }, { text: 'plain done' }]);
    const plain = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', task: 'Probe [[script:sc-plain]]' });
    assert.equal(plain.status, 201, JSON.stringify(plain.body));
    const plainId = plain.body.id as string;
    const ended = await until(
      async () => {
        const s = await statusJson(e, plainId);
        return isEnded(s) ? s : undefined;
      },
      'the plain run ends',
      180_000,
    );
    assert.equal(ended.state, 'completed', JSON.stringify(ended));
    const plainOut = String(((await eventsJson(e, plainId)) as Ev[]).find((ev) => ev.kind === 'tool_result')?.data.content ?? '');
    assert.match(plainOut, /END-OF-PROBE/, plainOut);
    await attempt(
      t,
      { id: 'coordinator-mcp-without-flag', area, finding: 0, what: 'a run spawned without coordinator looks for mcp.sock and connects to 127.0.0.1:4100 (the coordinator MCP port)' },
      () => {
        assert.match(plainOut, /MCP-SOCK-ABSENT/);
        assert.match(plainOut, /PORT-REFUSED/);
        return 'denied: no mcp.sock in its relay directory and nothing listens on 127.0.0.1:4100 (only a run spawned with coordinator: true gets Paddock’s MCP)';
      },
    );

    const mcp = (tool: string, input: Record<string, unknown>) => ({ tools: [{ name: `mcp__paddock__${tool}`, input }] });
    const tries = [
      mcp('merge_run', { runId: plainId }),
      mcp('spawn_run', { repo: otherRepo, type: 'explore', task: 'Elsewhere [[script:hello]]' }),
      mcp('spawn_run', { type: 'explore', coordinator: true, task: 'Coordinate more [[script:hello]]' }),
      mcp('spawn_run', { type: 'explore', mounts: [{ host: '/etc', container: '/ref' }], task: 'Mount [[script:hello]]' }),
      mcp('spawn_run', { type: 'explore', parentRunId: plainId, task: 'Another parent [[script:hello]]' }),
      mcp('get_diff', { runId: plainId }),
      mcp('list_runs', { parentRunId: plainId }),
      mcp('create_agent_image', { tag: 'paddock-agent:mine' }),
    ];
    e.model.script('sc-coord', [...tries, { text: 'tried' }]);
    const spawned = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', coordinator: true, task: 'Coordinate [[script:sc-coord]]' });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const coord = spawned.body.id as string;
    const done = await until(
      async () => {
        const s = await statusJson(e, coord);
        return isEnded(s) ? s : undefined;
      },
      'the coordinator ends',
      180_000,
    );
    assert.equal(done.state, 'completed', JSON.stringify(done));
    const evs = (await eventsJson(e, coord)) as Ev[];
    const results = evs.filter((ev) => ev.kind === 'tool_result').map((ev) => ({ text: String(ev.data.content), isError: ev.data.isError === true }));
    assert.equal(results.length, tries.length, JSON.stringify(results));
    const [merge, other, nested, mounts, parent, diff, list, image] = results as { text: string; isError: boolean }[];
    const forbidden = (r: { text: string; isError: boolean } | undefined, re: RegExp) => {
      assert.equal(r?.isError, true, r?.text);
      assert.match(r?.text ?? '', /"code":"FORBIDDEN"/);
      assert.match(r?.text ?? '', re);
    };
    const kids = ((await d.json('GET', '/api/v1/runs?all=true')).body.runs as { parentRunId: string | null }[]).filter((r) => r.parentRunId === coord);

    await attempt(t, { id: 'coordinator-merge-from-inside', area, finding: 0, what: 'a coordinator run calls mcp__paddock__merge_run from inside its container' }, () => {
      forbidden(merge, /merging into the repository is for the person/);
      assert.equal(existsSync(join(e.home, 'runs', coord, 'relay', 'mcp.sock')), false, 'its socket went with it');
      return 'denied: FORBIDDEN tool error (merging is for the person), decided before any tool runs';
    });
    await attempt(t, { id: 'coordinator-other-repo', area, finding: 0, what: 'a coordinator run spawns a child on another repository through its MCP' }, () => {
      forbidden(other, /is not this run's repository/);
      return 'denied: FORBIDDEN (a coordinator spawns only on its own repository)';
    });
    await attempt(t, { id: 'coordinator-spawn-grants', area, finding: 0, what: 'a coordinator run spawns a coordinator child, and a child with a host mount' }, () => {
      forbidden(nested, /cannot spawn coordinators/);
      forbidden(mounts, /mounts are not allowed/);
      return 'denied: FORBIDDEN both (trees are one level deep; children get a clone and nothing more)';
    });
    await attempt(t, { id: 'coordinator-other-parent', area, finding: 0, what: 'a coordinator run spawns a child naming another run as its parent (its budget tree)' }, () => {
      assert.equal(parent?.isError, true, parent?.text);
      assert.match(parent?.text ?? '', /"code":"INVALID_INPUT".*this connection speaks for run/);
      return 'denied: INVALID_INPUT (the socket a request arrives on is its identity; no argument or header changes it)';
    });
    await attempt(t, { id: 'coordinator-unrelated-run', area, finding: 0, what: "a coordinator run reads the diff of a run it did not spawn, lists that run's children, and builds an image" }, () => {
      forbidden(diff, /is not one this run spawned/);
      forbidden(list, /is not one this run spawned/);
      forbidden(image, /building agent images is for the person/);
      assert.equal(kids.length, 0, 'no run was spawned');
      return 'denied: FORBIDDEN (a coordinator sees only the runs it spawned; no image builds)';
    });
  });
});
