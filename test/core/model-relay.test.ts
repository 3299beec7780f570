import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startModelRelay } from '../../src/gateway/index.ts';

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
    const r = await viaSocket(socketPath, { authorization: 'Bearer tok', 'anthropic-beta': 'x-1' });
    assert.equal(r.status, 200);
    assert.equal(up.seen[0]?.headers.authorization, 'Bearer oat');
    assert.equal(up.seen[0]?.headers['x-api-key'], undefined);
    assert.equal(up.seen[0]?.headers['anthropic-beta'], 'x-1,oauth-2025-04-20');
  });
});
