import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import net from 'node:net';
import { type Refusal, startModelRelay } from '../../src/gateway/index.ts';

/** Sends one raw HTTP/1.1 request over the socket, exactly as written (no client normalises the target). */
function raw(socketPath: string, head: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let text = '';
    s.on('data', (c) => (text += c));
    s.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }));
    s.on('error', reject);
    s.write(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}

/** A loopback upstream that records what reached it and streams a reply. */
async function upstream() {
  const seen: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: a\ndata: 1\n\n');
      setTimeout(() => res.end('event: b\ndata: 2\n\n'), 10);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`, close: () => server.close() };
}

function viaSocket(socketPath: string, headers: Record<string, string>, body = '{}'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/v1/messages?beta=true', method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('model relay', () => {
  it('accepts only the run token, swaps in the real key, and streams the reply through', async (t) => {
    const up = await upstream();
    const socketPath = join(mkdtempSync(join(tmpdir(), 'paddock-relay-')), 'relay', 'model.sock');
    const relay = await startModelRelay({ socketPath, upstream: up.url, token: 'pdk_run', credential: { apiKey: 'sk-real' } });
    t.after(async () => {
      await relay.close();
      up.close();
    });

    const denied = await viaSocket(socketPath, { 'x-api-key': 'sk-guess' });
    assert.equal(denied.status, 401);
    assert.equal(up.seen.length, 0, 'a bad token never reaches the upstream');

    const ok = await viaSocket(socketPath, { 'x-api-key': 'pdk_run', 'anthropic-version': '2023-06-01' }, '{"model":"m"}');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
    assert.equal(up.seen[0]?.url, '/base/v1/messages?beta=true');
    assert.equal(up.seen[0]?.headers['x-api-key'], 'sk-real');
    assert.equal(up.seen[0]?.headers['anthropic-version'], '2023-06-01');
    assert.equal(up.seen[0]?.body, '{"model":"m"}');
  });

  it('sends an OAuth token as a bearer with the oauth beta, and can be restarted on the same path', async (t) => {
    const up = await upstream();
    const socketPath = join(mkdtempSync(join(tmpdir(), 'paddock-relay-')), 'model.sock');
    const first = await startModelRelay({ socketPath, upstream: up.url, token: 'tok', credential: { oauthToken: 'oat' } });
    await first.close();
    const relay = await startModelRelay({ socketPath, upstream: up.url, token: 'tok', credential: { oauthToken: 'oat' } });
    t.after(async () => {
      await relay.close();
      up.close();
    });
    const r = await viaSocket(socketPath, { authorization: 'Bearer tok', 'anthropic-beta': 'x-1' }, '{"model":"m"}');
    assert.equal(r.status, 200);
    assert.equal(up.seen[0]?.headers.authorization, 'Bearer oat');
    assert.equal(up.seen[0]?.headers['x-api-key'], undefined);
    assert.equal(up.seen[0]?.headers['anthropic-beta'], 'x-1,oauth-2025-04-20');
  });

  it('forwards only the three model calls on plain targets; refuses and records everything else, which never reaches the upstream', async (t) => {
    const up = await upstream();
    const socketPath = join(mkdtempSync(join(tmpdir(), 'paddock-relay-')), 'model.sock');
    const refused: Refusal[] = [];
    const relay = await startModelRelay({ socketPath, upstream: up.url, token: 'tok', credential: { apiKey: 'sk-real' }, onRefused: (r) => refused.push(r) });
    t.after(async () => {
      await relay.close();
      up.close();
    });
    const auth = 'host: x\r\nx-api-key: tok\r\ncontent-type: application/json';
    const bad: [string, number][] = [
      ['GET /v1/files HTTP/1.1', 403],
      ['POST /v1/files HTTP/1.1', 403],
      ['POST /v1/messages/batches HTTP/1.1', 403],
      ['GET /v1/organizations/me HTTP/1.1', 403],
      ['POST /v1/complete HTTP/1.1', 403],
      ['POST http://upstream.invalid/v1/messages HTTP/1.1', 400],
      ['POST //v1/messages HTTP/1.1', 400],
      ['POST /v1//messages HTTP/1.1', 400],
      ['POST /v1/messages/ HTTP/1.1', 400],
      ['POST /v1/../v1/files HTTP/1.1', 400],
      ['POST /v1/./messages HTTP/1.1', 400],
      ['POST /v1/%2e%2e/v1/files HTTP/1.1', 400],
      ['POST /v1/messages%2fbatches HTTP/1.1', 400],
      ['POST /v1\\messages HTTP/1.1', 400],
      ['POST /v1/messages#frag HTTP/1.1', 400],
      ['OPTIONS * HTTP/1.1', 400],
      ['GET /v1/messages HTTP/1.1', 405],
      ['DELETE /v1/models HTTP/1.1', 405],
      ['POST /v1/messages?beta=true&beta=true HTTP/1.1', 400],
      ['POST /v1/messages?target=http://x HTTP/1.1', 400],
    ];
    for (const [line, status] of bad) {
      const r = await raw(socketPath, `${line}\r\n${auth}`, '{"model":"m"}');
      assert.equal(r.status, status, `${line}: ${r.text}`);
      assert.match(r.text, /"type":"error"/);
    }
    assert.equal(refused.length, bad.length);
    assert.equal(refused[0]?.target, '/v1/files');
    assert.equal(up.seen.length, 0, 'the upstream saw none of them');

    const ok = await raw(
      socketPath,
      `POST /v1/messages?beta=true HTTP/1.1\r\n${auth}\r\nx-forwarded-host: evil.example\r\nforwarded: host=evil.example\r\nx-forwarded-for: 1.2.3.4\r\nvia: 1.1 x\r\nconnection: close, x-secret\r\nx-secret: 1`,
      '{"model":"m", "model":"m2"}',
    );
    assert.equal(ok.status, 200);
    const got = up.seen[0]!;
    assert.equal(got.url, '/base/v1/messages?beta=true');
    for (const h of ['x-forwarded-host', 'forwarded', 'x-forwarded-for', 'via', 'x-secret']) assert.equal(got.headers[h], undefined, h);
    assert.match(String(got.headers.host), /^127\.0\.0\.1:\d+$/, "Host is the upstream's");
    assert.equal(got.body, '{"model":"m2"}', 'the upstream gets the body that was checked, serialised again');
    const models = await raw(socketPath, `GET /v1/models?limit=5 HTTP/1.1\r\n${auth}`);
    assert.equal(models.status, 200);
    assert.equal(up.seen[1]?.url, '/base/v1/models?limit=5');
  });

  it('holds a run to its model allowlist and max_tokens cap, its budget (admit) and its token (revoke)', async (t) => {
    const up = await upstream();
    const socketPath = join(mkdtempSync(join(tmpdir(), 'paddock-relay-')), 'model.sock');
    const refused: Refusal[] = [];
    let spent = false;
    const relay = await startModelRelay({
      socketPath,
      upstream: up.url,
      token: 'tok',
      credential: () => ({ apiKey: 'sk-real' }),
      policy: { models: ['claude-sonnet-*', 'claude-haiku-4'], maxTokens: 1000 },
      maxBodyBytes: 4096,
      admit: () => (spent ? 'budget_exceeded: $0.02 spent of the $0.01 budget' : undefined),
      onRefused: (r) => refused.push(r),
    });
    t.after(async () => {
      await relay.close();
      up.close();
    });
    const h = { 'x-api-key': 'tok' };
    const wrong = await viaSocket(socketPath, h, '{"model":"claude-opus-5-5","max_tokens":10}');
    assert.equal(wrong.status, 403);
    assert.match(wrong.text, /"permission_error".*model claude-opus-5-5 is not allowed/);
    const big = await viaSocket(socketPath, h, '{"model":"claude-sonnet-4-5","max_tokens":64000}');
    assert.equal(big.status, 400);
    assert.match(big.text, /max_tokens 64000 is above this run's cap of 1000/);
    assert.equal((await viaSocket(socketPath, h, '{"model":"claude-sonnet-4-5"}')).status, 400, 'no max_tokens under a cap');
    assert.equal((await viaSocket(socketPath, h, 'not json')).status, 400);
    assert.equal((await viaSocket(socketPath, h, JSON.stringify({ model: 'claude-haiku-4', max_tokens: 5, pad: 'x'.repeat(5000) }))).status, 413);
    assert.equal(up.seen.length, 0);
    assert.equal((await viaSocket(socketPath, h, '{"model":"claude-haiku-4","max_tokens":1000}')).status, 200);
    assert.equal(up.seen.length, 1);
    spent = true;
    const over = await viaSocket(socketPath, h, '{"model":"claude-haiku-4","max_tokens":10}');
    assert.equal(over.status, 400);
    assert.match(over.text, /budget_exceeded/);
    spent = false;
    relay.revoke();
    const after = await viaSocket(socketPath, h, '{"model":"claude-haiku-4","max_tokens":10}');
    assert.equal(after.status, 401);
    assert.match(after.text, /token is revoked/);
    assert.equal(up.seen.length, 1, 'nothing refused reached the upstream');
    assert.deepEqual(
      refused.map((r) => r.status),
      [403, 400, 400, 400, 413, 400, 401],
    );
  });

  it('a client that hangs up ends the upstream stream; a silent upstream is cut after the idle timeout', async (t) => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const server = http.createServer((req, res) => {
      if (req.headers['x-mode'] === 'silent') return; // never answers
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\ndata: {}\n\n');
      const tick = setInterval(() => res.write('event: ping\ndata: {}\n\n'), 20);
      res.on('close', () => {
        clearInterval(tick);
        upstreamClosed();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socketPath = join(mkdtempSync(join(tmpdir(), 'paddock-relay-')), 'model.sock');
    const errors: string[] = [];
    const relay = await startModelRelay({
      socketPath,
      upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'tok',
      credential: { apiKey: 'k' },
      idleTimeoutMs: 300,
      connectTimeoutMs: 1000,
      onUpstreamError: (m) => errors.push(m),
    });
    t.after(async () => {
      await relay.close();
      server.closeAllConnections();
      server.close();
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath, path: '/v1/messages', method: 'POST', headers: { 'x-api-key': 'tok' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('error', reject);
      req.end('{"model":"m"}');
    });
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the upstream stream was not closed')), 3000))]);

    const started = Date.now();
    const silent = await viaSocket(socketPath, { 'x-api-key': 'tok', 'x-mode': 'silent' }, '{"model":"m"}');
    assert.equal(silent.status, 502);
    assert.match(silent.text, /no answer within 300 ms/);
    assert.ok(Date.now() - started < 2500);
    assert.equal(errors.length, 1);
  });
});
