/** Paddock's own API (/api/v1) over real HTTP to `paddock serve`: a run from POST to merge, its events as pages and as SSE. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { git, makeRepo } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';
import { readSse } from './sse-client.ts';

describe('native API', () => {
  it('spawns, streams (snapshot, events with ids, end), diffs and merges a run', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Write it [[script:write-file from the api]]', branch: 'api/one' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.match(created.body.state, /^(queued|pending|starting|running)$/);
    assert.equal(created.body.modelToken, undefined, 'no token in the view');
    assert.equal(created.body.ownerPid, undefined, 'no owner pid in the view');

    const sse = await readSse(`${d.url}/api/v1/runs/${id}/events/stream`);
    assert.equal(sse[0]?.event, 'snapshot');
    assert.equal(sse.at(-1)?.event, 'end');
    assert.equal(JSON.parse(sse.at(-1)!.data).state, 'completed');
    const ids = sse.filter((m) => m.event === 'event').map((m) => Number(m.id));
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      'every event once, in order, with its seq as id',
    );

    const page = await d.json('GET', `/api/v1/runs/${id}/events?after=2&limit=3`);
    assert.deepEqual(
      page.body.events.map((e: { seq: number }) => e.seq),
      [3, 4, 5],
    );
    assert.equal(page.body.next, 5);
    const resumed = await readSse(`${d.url}/api/v1/runs/${id}/events/stream`, { 'last-event-id': String(ids.length - 2) });
    assert.deepEqual(
      resumed.filter((m) => m.event === 'event').map((m) => Number(m.id)),
      [ids.length - 1, ids.length],
    );

    const diff = await d.json('GET', `/api/v1/runs/${id}/diff`);
    assert.equal(diff.status, 200);
    assert.deepEqual(
      diff.body.files.map((f: { path: string }) => f.path),
      ['hello.txt'],
    );
    const merge = await d.json('POST', `/api/v1/runs/${id}/merge`, {});
    assert.equal(merge.status, 200, JSON.stringify(merge.body));
    assert.equal(merge.body.merged, true);
    assert.equal(await git(repo, 'show', 'main:hello.txt'), 'from the api');
    const again = await d.json('POST', `/api/v1/runs/${id}/merge`, {});
    assert.equal(again.body.merged, false);

    const viaSocket = await d.viaSocket('GET', `/api/v1/runs/${id}`);
    assert.equal(viaSocket.status, 200);
    assert.equal(viaSocket.body.run.state, 'completed');
    assert.ok(Number(viaSocket.body.run.costUsd) > 0);
  });

  it('bad input is a 4xx in the error shape, naming the field', async (t) => {
    const d = await startDaemon(t);
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/api/v1/runs', '{not json', 400, /Malformed JSON/],
      ['POST', '/api/v1/runs', { task: 'x' }, 400, /repo/],
      ['POST', '/api/v1/runs', { repo: '/tmp', task: 'x', bogus: 1 }, 400, /bogus/],
      ['POST', '/api/v1/runs', { repo: '/nonexistent', task: 'x' }, 400, /does not exist/],
      ['GET', '/api/v1/runs/zzzz', undefined, 400, /not a run id/],
      ['GET', '/api/v1/runs/abcdef', undefined, 404, /no run/],
      ['GET', '/api/v1/runs?state=nope', undefined, 400, /unknown state/],
      ['GET', '/api/v1/nothing', undefined, 404, /no route/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await d.json(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, message);
      assert.ok(r.body.error.code);
    }
    const big = await d.json('POST', '/api/v1/runs', JSON.stringify({ repo: '/tmp', task: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    const doc = await d.json('GET', '/openapi.json');
    assert.equal(doc.body.openapi, '3.1.0');
    assert.ok(doc.body.paths['/api/v1/runs'].post);
  });
});
