/**
 * Webhooks from real runs (real daemon, real containers, the scripted model) to a receiver the test starts on
 * loopback (allowed with PADDOCK_WEBHOOK_ALLOW_PRIVATE=true): Stromboli's body and signature headers (and the same
 * under X-Paddock-*), a retry after a first 500, a pending delivery resumed after a SIGKILL and restart, and private
 * targets refused at spawn without the setting.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { verifyWebhook } from '../../src/app/webhooks/signing.ts';
import { makeRepo, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';

const SECRET = 'whsec-e2e-shared-secret';

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers each delivery with the next status of `statuses` (the last repeats). */
async function receiver(t: TestContext, statuses: number[]) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, body });
      res.writeHead(statuses[Math.min(got.length - 1, statuses.length - 1)] ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/paddock?k=receiver-secret`, got, statuses };
}

function assertSigned(r: Received): void {
  const ts = String(r.headers['x-stromboli-timestamp']);
  const sig = String(r.headers['x-stromboli-signature']);
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.equal(verifyWebhook(SECRET, ts, sig, r.body), true, 'the signature verifies over timestamp.body');
  assert.equal(r.headers['x-paddock-timestamp'], ts);
  assert.equal(r.headers['x-paddock-signature'], sig);
  assert.equal(r.headers['content-type'], 'application/json');
}

describe('webhooks (real runs)', () => {
  it('POSTs the end of a run, signed, and retries after a first 500', async (t) => {
    const hook = await receiver(t, [500, 200]);
    const d = await startDaemon(t, { PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true', PADDOCK_WEBHOOK_SECRET: SECRET });
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Say hello [[script:hello webhook run]]', webhookUrl: hook.url });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const waiting = await d.json('GET', `/api/v1/runs/${id}/webhook`);
    assert.equal(waiting.status, 200);
    assert.equal(waiting.body.url, hook.url.split('?')[0], 'shown without its query');

    await until(() => hook.got.length >= 2, 'the delivery and its retry', 180_000);
    const [first, second] = hook.got as [Received, Received];
    assert.equal(first.body, second.body, 'the same body each time');
    assertSigned(first);
    assertSigned(second);
    assert.equal(first.headers['x-paddock-delivery'], id);
    assert.ok(second.at - first.at >= 900, `retried after the backoff (${second.at - first.at} ms)`);
    const body = JSON.parse(first.body);
    assert.deepEqual(Object.keys(body).slice(0, 2), ['job_id', 'status']);
    assert.equal(body.job_id, `job-${id}`, 'the job id the Stromboli face gives the run');
    assert.equal(body.run_id, id);
    assert.equal(body.status, 'completed');
    assert.equal(body.output, 'webhook run');
    assert.match(body.session_id, /^[0-9a-f-]{36}$/);
    assert.ok(body.usage.input_tokens > 0 && body.usage.total_tokens >= body.usage.input_tokens + body.usage.output_tokens);
    assert.equal(body.state, 'completed');
    assert.ok(!first.body.includes(repo), 'no host paths in the body');

    const status = await until(
      async () => {
        const s = await d.json('GET', `/api/v1/runs/${id}/webhook`);
        return s.body.state === 'delivered' ? s.body : undefined;
      },
      'the delivery to be recorded',
      10_000,
    );
    assert.equal(status.attempts, 2);
    assert.equal(status.lastStatus, 200);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(hook.got.length, 2, 'nothing more once delivered');
  });

  it('resumes a pending delivery after the daemon is killed and restarted', async (t) => {
    const hook = await receiver(t, [503]);
    let d = await startDaemon(t, { PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true', PADDOCK_WEBHOOK_SECRET: SECRET });
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Say hello [[script:hello]]', webhookUrl: hook.url });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await until(() => hook.got.length >= 1, 'the first delivery attempt', 180_000);
    await d.kill();
    const whileDown = hook.got.length;
    hook.statuses.splice(0, hook.statuses.length, 200); // the receiver is back
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(hook.got.length, whileDown, 'nothing is sent while no daemon runs');

    d = await d.restart();
    await until(() => hook.got.some((g, i) => i >= whileDown && g.body.includes(id)), 'the delivery after the restart', 30_000);
    const last = hook.got.at(-1)!;
    assertSigned(last);
    assert.equal(JSON.parse(last.body).run_id, id);
    const s = await until(
      async () => {
        const r = await d.json('GET', `/api/v1/runs/${id}/webhook`);
        return r.body.state === 'delivered' ? r.body : undefined;
      },
      'delivered after the restart',
      10_000,
    );
    assert.ok(s.attempts >= 2);
  });

  it('refuses loopback and private targets at spawn without PADDOCK_WEBHOOK_ALLOW_PRIVATE, and bad URLs always', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:8080/x', 'http://[::1]/', 'http://10.1.2.3/', 'http://169.254.169.254/latest', 'http://192.168.0.10:80/']) {
      const r = await d.json('POST', '/api/v1/runs', { repo, task: 'x [[script:hello]]', webhookUrl: url });
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'INVALID_INPUT');
      assert.match(r.body.error.message, /^webhookUrl: .* is a loopback or private address/);
      assert.match(r.body.error.hint, /PADDOCK_WEBHOOK_ALLOW_PRIVATE=true/);
    }
    for (const url of ['ftp://example.com/x', 'not a url', 'file:///etc/passwd']) {
      const r = await d.json('POST', '/api/v1/runs', { repo, task: 'x', webhookUrl: url });
      assert.equal(r.status, 400, url);
      assert.match(r.body.error.message, /webhookUrl/);
    }
    assert.deepEqual((await d.json('GET', '/api/v1/runs?all=true')).body.runs, [], 'nothing was made');
  });
});
