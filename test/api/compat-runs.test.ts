/**
 * The Stromboli face over real HTTP to `paddock serve` (real engine, real Claude Code CLI, the scripted model): a
 * synchronous run, an async job polled and cancelled (its container really stops; a finished one answers 409), the
 * SSE stream in Stromboli's frames (and a reconnect that resumes instead of starting another run), jobs across a
 * daemon SIGKILL, a session's messages, and the container TTL. Every body is checked against Stromboli's swagger.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { until } from '../e2e/harness.ts';
import { startDaemon, type Daemon } from './harness.ts';
import { readSse } from './sse-client.ts';
import { assertMatches } from './stromboli-swagger.ts';

const pollJob = (d: Daemon, id: string, done: (b: { status: string }) => boolean, what: string) =>
  until(
    async () => {
      const r = await d.json('GET', `/jobs/${id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assertMatches('internal_api.JobResponse', r.body, `GET /jobs/${id}`);
      return done(r.body) ? r.body : undefined;
    },
    what,
    180_000,
    250,
  );

describe('Stromboli face: runs and jobs', () => {
  it('POST /run answers the result once the run has ended; the run is a job too', async (t) => {
    const d = await startDaemon(t);
    const r = await d.json('POST', '/run', { prompt: 'Say it [[script:hello Bonjour from Paddock]]', claude: { dangerously_skip_permissions: true } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assertMatches('internal_api.RunResponse', r.body, 'POST /run');
    assert.equal(r.body.status, 'completed');
    assert.equal(r.body.output, 'Bonjour from Paddock');
    assert.match(r.body.id, /^run-[0-9a-f]{12}$/);
    assert.match(r.body.session_id, /^[0-9a-f-]{36}$/);
    assert.ok(r.body.usage.total_tokens > 0, 'usage counted by the relay');
    assert.equal(r.body.usage.total_tokens, r.body.usage.input_tokens + r.body.usage.output_tokens + r.body.usage.cache_creation_input_tokens + r.body.usage.cache_read_input_tokens);
    assert.deepEqual(Object.keys(r.body), ['id', 'status', 'output', 'session_id', 'usage'], "Stromboli's key order, empty fields left out");
    const jobId = r.headers.get('x-paddock-job-id');
    assert.equal(jobId, r.body.id.replace('run-', 'job-'));

    const job = await d.json('GET', `/jobs/${jobId}`);
    assert.equal(job.status, 200);
    assertMatches('internal_api.JobResponse', job.body);
    assert.equal(job.body.status, 'completed');
    assert.equal(job.body.output, 'Bonjour from Paddock');
    assert.match(job.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/, 'RFC 3339 without fractions');
    const list = await d.json('GET', '/jobs');
    assertMatches('internal_api.JobListResponse', list.body);
    assert.ok(list.body.jobs.some((j: { id: string }) => j.id === jobId));

    // output_format json: the output is Claude's JSON result; structured output is lifted out of it.
    const structured = await d.json('POST', '/run', {
      prompt: 'Answer in shape [[script:structured-output {"answer":42}]]',
      claude: { output_format: 'json', json_schema: '{"type":"object","properties":{"answer":{"type":"number"}},"required":["answer"]}' },
    });
    assert.equal(structured.status, 200, JSON.stringify(structured.body));
    assertMatches('internal_api.RunResponse', structured.body);
    assert.deepEqual(structured.body.structured_output, { answer: 42 });
    const envelope = JSON.parse(structured.body.output);
    assert.equal(envelope.type, 'result');
    assert.deepEqual(envelope.structured_output, { answer: 42 });
  });

  it('POST /run/async gives a job id; DELETE stops the container for real; a finished job answers 409', async (t) => {
    const d = await startDaemon(t);
    const started = await d.json('POST', '/run/async', { prompt: 'Wait [[script:slow 120]]' });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assertMatches('internal_api.AsyncRunResponse', started.body);
    assert.match(started.body.job_id, /^job-[0-9a-f]{12}$/);
    const id: string = started.body.job_id;
    await pollJob(d, id, (b) => b.status === 'running', 'the job to run');

    const runId = id.slice(4);
    const container = () => d.e.engine.getContainer(`paddock-${runId}`).inspect();
    assert.equal((await container()).State.Running, true);
    const t0 = Date.now();
    const cancel = await d.json('DELETE', `/jobs/${id}`);
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assertMatches('internal_api.JobCancelResponse', cancel.body);
    assert.deepEqual(cancel.body, { cancelled: true, job_id: id });
    assert.ok(Date.now() - t0 < 15_000, 'stopped within seconds');
    assert.equal((await container()).State.Running, false, 'the container has stopped when DELETE answers');
    const after = await d.json('GET', `/jobs/${id}`);
    assert.equal(after.body.status, 'cancelled');

    const again = await d.json('DELETE', `/jobs/${id}`);
    assert.equal(again.status, 409);
    assertMatches('internal_api.RunResponse', again.body, 'DELETE of a finished job');
    assert.deepEqual(again.body, { id: '', status: 'error', error: 'cannot cancel job (already completed, failed, or cancelled)' });
    for (const [method, path] of [
      ['GET', '/jobs/job-000000000000'],
      ['DELETE', '/jobs/000000000000'],
      ['GET', '/jobs/not-a-job'],
      ['GET', `/jobs/${'f'.repeat(300)}`],
    ] as const) {
      const missing = await d.json(method, path);
      assert.equal(missing.status, 404, `${method} ${path}`);
      assertMatches('internal_api.RunResponse', missing.body, `${method} ${path}`);
      assert.deepEqual(missing.body, { id: '', status: 'error', error: 'job not found' });
    }
  });

  it("GET /run/stream sends each line of the agent's text, then done; Last-Event-ID resumes that run instead of starting one", async (t) => {
    const d = await startDaemon(t);
    const res = await d.fetch('/run/stream?prompt=Write%20a%20REST%20API%20in%20Go');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    await res.body?.cancel();
    // The cancelled read above left its run going (it is a job); this one is read to the end.
    const jobsBefore = (await d.json('GET', '/jobs')).body.jobs.length;
    const frames = await readSse(`${d.url}/run/stream?prompt=${encodeURIComponent('Say it [[script:hello one line]]')}`);
    const done = frames.at(-1)!;
    assert.equal(done.event, 'done', JSON.stringify(frames));
    const result = JSON.parse(done.data);
    assert.deepEqual(Object.keys(result), ['id', 'session_id', 'status']);
    assert.equal(result.status, 'completed');
    const lines = frames.filter((f) => f.event === 'message').map((f) => f.data);
    assert.deepEqual(lines, ['one line']);
    assert.ok(
      frames.every((f) => /^[0-9a-f]{12}\.\d+$/.test(f.id ?? '')),
      'every frame has a resumable id',
    );

    // An EventSource reconnects with the last id: the run has ended, so 204 (it stops), and no new run starts.
    const again = await d.fetch('/run/stream?prompt=ignored', { headers: { 'last-event-id': done.id! } });
    assert.equal(again.status, 204);
    const first = frames[0]!;
    const replay = await readSse(`${d.url}/run/stream?prompt=ignored`, { 'last-event-id': `${first.id!.split('.')[0]}.0` });
    assert.deepEqual(
      replay.filter((f) => f.event === 'message').map((f) => f.data),
      ['one line'],
      'resumed from the start of the same run',
    );
    assert.equal((await d.json('GET', '/jobs')).body.jobs.length, jobsBefore + 1, 'reconnects started no run');

    const missing = await d.fetch('/run/stream');
    assert.equal(missing.status, 400);
    assert.match(missing.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await missing.text(), 'Missing required parameter: prompt');
    const empty = await d.fetch('/run/stream?prompt=');
    assert.equal(empty.status, 400);
  });

  it('jobs survive a daemon SIGKILL: the next daemon adopts the run, and the job completes and is listed', async (t) => {
    const d = await startDaemon(t);
    const started = await d.json('POST', '/run/async', { prompt: 'Wait a little [[script:slow 6]]' });
    assert.equal(started.status, 202);
    const id: string = started.body.job_id;
    await pollJob(d, id, (b) => b.status === 'running', 'the job to run');
    await d.kill();
    const d2 = await d.restart();
    const done = (await pollJob(d2, id, (b) => b.status !== 'running' && b.status !== 'pending', 'the adopted job to end')) as { status: string; output: string; session_id: string };
    assert.equal(done.status, 'completed');
    assert.equal(done.output, 'Slept 6 seconds.');
    assert.equal(done.session_id, started.body.session_id);
    const list = await d2.json('GET', '/jobs');
    assert.ok(list.body.jobs.some((j: { id: string }) => j.id === id));
  });

  it('a session: listed, its messages paged and fetched by id, continued with session_id + resume, then destroyed', async (t) => {
    const d = await startDaemon(t);
    const first = await d.json('POST', '/run', { prompt: 'Do it [[script:write-and-bash]]' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const sid: string = first.body.session_id;
    const sessions = await d.json('GET', '/sessions');
    assertMatches('internal_api.SessionListResponse', sessions.body);
    assert.ok(sessions.body.sessions.some((s: { id: string }) => s.id === sid));

    const page = await d.json('GET', `/sessions/${sid}/messages`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assertMatches('internal_api.SessionMessagesResponse', page.body);
    const msgs = page.body.messages as { uuid: string; parent_uuid?: string; type: string; content: { content: { type: string; text?: string; name?: string }[] } }[];
    assert.equal(msgs[0]!.type, 'user');
    assert.match(msgs[0]!.content.content[0]!.text!, /write-and-bash/);
    assert.ok(msgs.some((m) => m.content.content.some((b) => b.type === 'tool_use' && b.name === 'Bash')));
    assert.ok(msgs.some((m) => m.content.content.some((b) => b.type === 'tool_result')));
    assert.ok(msgs.some((m) => m.type === 'assistant' && m.content.content.some((b) => b.text === 'Created hello.txt and printed it.')));
    for (let i = 1; i < msgs.length; i++) assert.equal(msgs[i]!.parent_uuid, msgs[i - 1]!.uuid, 'threaded');
    assert.equal(page.body.total, msgs.length);
    assert.equal(page.body.has_more, false);

    const two = await d.json('GET', `/sessions/${sid}/messages?offset=1&limit=2`);
    assert.deepEqual(
      two.body.messages.map((m: { uuid: string }) => m.uuid),
      msgs.slice(1, 3).map((m) => m.uuid),
    );
    assert.equal(two.body.has_more, true);
    const lenient = await d.json('GET', `/sessions/${sid}/messages?offset=-3&limit=9999`);
    assert.equal(lenient.body.offset, 0);
    assert.equal(lenient.body.limit, 200);
    const one = await d.json('GET', `/sessions/${sid}/messages/${msgs[2]!.uuid}`);
    assert.equal(one.status, 200);
    assertMatches('internal_api.SessionMessageResponse', one.body);
    assert.deepEqual(one.body.message, msgs[2]);

    const cont = await d.json('POST', '/run', { prompt: 'Go on [[script:two-turns]]', claude: { session_id: sid, resume: true } });
    assert.equal(cont.status, 200, JSON.stringify(cont.body));
    assert.equal(cont.body.session_id, sid);
    const more = await d.json('GET', `/sessions/${sid}/messages?limit=200`);
    assert.ok(more.body.total > msgs.length);
    assert.deepEqual(more.body.messages.slice(0, msgs.length), msgs, 'the earlier messages keep their ids');

    // A session id the client chooses starts a new session under it (Stromboli's session_id without resume).
    const chosen = '4a1f7d0e-3c2b-4e5f-8a9b-0c1d2e3f4a5b';
    const fresh = await d.json('POST', '/run', { prompt: 'Hi [[script:hello]]', claude: { session_id: chosen } });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal(fresh.body.session_id, chosen);

    const gone = await d.json('DELETE', `/sessions/${sid}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assertMatches('internal_api.SessionDestroyResponse', gone.body);
    assert.deepEqual(gone.body, { success: true, session_id: sid });
    const after = await d.json('GET', `/sessions/${sid}/messages`);
    assert.equal(after.status, 404);
    assert.deepEqual(after.body, { error: `session history not found: ${sid}` });
    const again = await d.json('DELETE', `/sessions/${sid}`);
    assert.equal(again.status, 404);
    assertMatches('internal_api.SessionDestroyResponse', again.body);
    assert.equal(again.body.success, false);
    const bad = await d.json('DELETE', '/sessions/a..b');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { success: false, error: 'invalid session id' });
    const noMsg = await d.json('GET', `/sessions/${chosen}/messages/00000000-0000-4000-8000-000000000000`);
    assert.equal(noMsg.status, 404);
    assert.deepEqual(noMsg.body, { error: 'message not found: 00000000-0000-4000-8000-000000000000' });
  });

  it("PADDOCK_JOB_TTL: the daemon removes a finished job's container, and the job still answers", async (t) => {
    const d = await startDaemon(t, { PADDOCK_JOB_TTL: '1s' });
    const r = await d.json('POST', '/run', { prompt: 'Hi [[script:hello kept]]' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const runId = r.body.id.slice(4);
    assert.ok(await d.e.engine.getContainer(`paddock-${runId}`).inspect(), 'the container is there right after the run');
    await new Promise((res) => setTimeout(res, 1200));
    await d.stop();
    const d2 = await d.restart(); // the pass runs at start, then every 30 s
    await until(
      async () =>
        d2.e.engine
          .getContainer(`paddock-${runId}`)
          .inspect()
          .then(
            () => false,
            () => true,
          ),
      'the container to be removed',
      60_000,
    );
    const job = await d2.json('GET', `/jobs/${runId}`);
    assert.equal(job.status, 200);
    assert.equal(job.body.status, 'completed');
    assert.equal(job.body.output, 'kept');
  });

  it("health and claude status; 503 in each endpoint's shape when no model can be reached", async (t) => {
    const d = await startDaemon(t);
    const h = await d.json('GET', '/health');
    assert.equal(h.status, 200);
    assertMatches('internal_api.HealthResponse', h.body);
    assert.equal(h.body.status, 'ok', JSON.stringify(h.body));
    assert.deepEqual(
      h.body.components.map((c: { name: string }) => c.name),
      ['podman', 'agent-image', 'claude-credentials'],
    );
    const s = await d.json('GET', '/claude/status');
    assertMatches('internal_api.ClaudeStatusResponse', s.body);
    assert.deepEqual(s.body, { configured: true, message: 'Claude is configured' });
    // The face is in the one OpenAPI document, beside Paddock's own.
    const doc = (await d.json('GET', '/openapi.json')).body;
    for (const [path, method] of [
      ['/run', 'post'],
      ['/run/async', 'post'],
      ['/run/stream', 'get'],
      ['/jobs/{id}', 'delete'],
      ['/sessions/{id}/messages', 'get'],
      ['/health', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path} in /openapi.json`);
    }
    assert.ok(doc.components.schemas.StromboliRunRequest);

    // No credential and a model endpoint off this machine (never contacted: nothing is sent anywhere).
    const off = await startDaemon(t, { PADDOCK_ANTHROPIC_BASE_URL: 'https://model.paddock.invalid', PADDOCK_ANTHROPIC_API_KEY: '' });
    const status = await off.json('GET', '/claude/status');
    assert.equal(status.body.configured, false);
    const health = await off.json('GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.components.find((c: { name: string }) => c.name === 'claude-credentials').status, 'error');
    for (const path of ['/run', '/run/async']) {
      const r = await off.json('POST', path, { prompt: 'x' });
      assert.equal(r.status, 503);
      assertMatches('internal_api.RunResponse', r.body);
      assert.equal(r.body.status, 'error');
      assert.match(r.body.error, /Claude not configured/);
    }
    const stream = await off.fetch('/run/stream?prompt=x');
    assert.equal(stream.status, 503);
    assert.match(await stream.text(), /^Claude not configured/);
    assert.equal((await off.json('GET', '/jobs')).body.jobs.length, 0, 'nothing was started');
  });
});
