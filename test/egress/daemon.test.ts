/**
 * Egress through the real daemon: bad egress config stops `serve` naming the key; the API's network field and route
 * (403 for open, 400 for a bad rule, 404, OpenAPI); and a run's proxy comes back when the daemon is killed and the
 * next one adopts the run, exactly as the model relay does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startDaemon } from '../api/harness.ts';
import { BIN, eventsJson, makeRepo, until } from '../e2e/harness.ts';

const pexec = promisify(execFile);

describe('egress in the daemon', () => {
  it('bad egress config: serve refuses to start, naming the key', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'paddock-egress-cfg-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const bad: [Record<string, string>, RegExp][] = [
      [{ PADDOCK_EGRESS_ALLOW: 'registry.npmjs.org,bad host!' }, /PADDOCK_EGRESS_ALLOW.*bad host!/],
      [{ PADDOCK_EGRESS_ALLOW: '*.example.com:99999' }, /PADDOCK_EGRESS_ALLOW.*port 99999/],
      [{ PADDOCK_EGRESS_ALLOW: '10.*.0.1' }, /PADDOCK_EGRESS_ALLOW.*globs over IP addresses/],
      [{ PADDOCK_EGRESS_UPSTREAM_HTTP: 'ftp://proxy.internal:21' }, /PADDOCK_EGRESS_UPSTREAM_HTTP.*not a http:\/\/ URL/],
      [{ PADDOCK_EGRESS_UPSTREAM_SOCKS5: 'socks5://proxy.internal' }, /PADDOCK_EGRESS_UPSTREAM_SOCKS5.*needs a host and a port/],
      [{ PADDOCK_EGRESS_UPSTREAM_HTTP: 'http://a:1', PADDOCK_EGRESS_UPSTREAM_SOCKS5: 'socks5://b:2' }, /not both/],
      [{ PADDOCK_EGRESS_OPEN: 'maybe' }, /PADDOCK_EGRESS_OPEN/],
    ];
    for (const [env, message] of bad) {
      const r = await pexec(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, PADDOCK_HOME: home, ...env }, timeout: 30_000 }).then(
        (x) => ({ code: 0, stderr: x.stderr }),
        (x: { code: number; stderr: string }) => ({ code: x.code, stderr: x.stderr }),
      );
      assert.equal(r.code, 2, `${JSON.stringify(env)}: ${r.stderr}`);
      assert.match(r.stderr, message, JSON.stringify(env));
    }
  });

  it('the API: network open refused with 403, a bad rule with 400 naming network.allow, the route documented', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const open = await d.json('POST', '/api/v1/runs', { repo, task: 'x', network: { mode: 'open' } });
    assert.equal(open.status, 403, JSON.stringify(open.body));
    assert.equal(open.body.error.code, 'FORBIDDEN');
    assert.match(open.body.error.hint, /PADDOCK_EGRESS_OPEN=true/);
    const badRule = await d.json('POST', '/api/v1/runs', { repo, task: 'x', network: { allow: ['exa mple.com'] } });
    assert.equal(badRule.status, 400);
    assert.match(badRule.body.error.message, /network\.allow: invalid allow rule "exa mple\.com"/);
    const noneWithAllow = await d.json('POST', '/api/v1/runs', { repo, task: 'x', network: { mode: 'none', allow: ['example.com'] } });
    assert.equal(noneWithAllow.status, 400);
    const unknownField = await d.json('POST', '/api/v1/runs', { repo, task: 'x', network: { mode: 'proxy', hosts: [] } });
    assert.equal(unknownField.status, 400);
    assert.equal((await d.json('GET', '/api/v1/runs/abcdef/network')).status, 404);
    const doc = await d.json('GET', '/openapi.json');
    assert.ok(doc.body.paths['/api/v1/runs/{id}/network']?.get, 'the route is in the OpenAPI document');
    assert.ok(doc.body.components.schemas.RunNetwork && doc.body.components.schemas.NetworkAttempt);
    assert.ok(doc.body.components.schemas.SpawnRequest.properties.network);
  });

  it('network open, where the server permits it: the container gets the bridge network, no proxy, no proxy variables', async (t) => {
    const d = await startDaemon(t, { PADDOCK_EGRESS_OPEN: 'true' });
    const repo = await makeRepo(t);
    const spawned = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', task: 'Say hi', network: { mode: 'open' } });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const id = spawned.body.id as string;
    const run = await until(async () => (await d.json('GET', `/api/v1/runs/${id}`)).body.run?.containerId, 'the container', 120_000, 200);
    const info = await d.e.engine.getContainer(run).inspect();
    assert.equal(info.HostConfig.NetworkMode, 'bridge');
    assert.ok(!(info.Config.Env ?? []).some((v) => /_proxy=/i.test(v)), 'no proxy variables');
    const n = (await d.json('GET', `/api/v1/runs/${id}/network`)).body;
    assert.equal(n.mode, 'open');
    assert.deepEqual(n.allow, []);
  });

  it("a run's egress proxy comes back after the daemon is killed and the next one adopts the run", async (t) => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.end('ok\n');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    t.after(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const d = await startDaemon(t, { PADDOCK_EGRESS_ALLOW_PRIVATE: 'true', PADDOCK_EGRESS_ALLOW: '' });
    const repo = await makeRepo(t);
    // Curls every half second; ends after two successes that follow a failure (the gap while no daemon serves).
    const loop = [
      'unset NO_PROXY no_proxy',
      'ok=0; fail=0; after=0',
      `for i in $(seq 1 240); do if curl -sf --max-time 2 http://127.0.0.1:${port}/ >/dev/null; then ok=$((ok+1)); [ $fail -gt 0 ] && after=$((after+1)); else fail=$((fail+1)); fi; [ $after -ge 2 ] && break; sleep 0.5; done`,
      'echo "LOOP: ok=$ok fail=$fail after=$after"',
    ].join('\n');
    d.e.model.script('egress-restart', [{ tools: [{ name: 'Bash', input: { command: loop, description: 'loop', timeout: 300000 } }] }, { text: 'done' }]);
    const spawned = await d.json('POST', '/api/v1/runs', { repo, type: 'explore', task: 'Loop [[script:egress-restart]]', network: { allow: [`127.0.0.1:${port}`] } });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const id = spawned.body.id as string;
    await until(async () => (await d.json('GET', `/api/v1/runs/${id}/network`)).body.summary?.allowed >= 2, 'two attempts through the first daemon', 120_000, 200);
    await d.kill();
    const before = hits;
    await new Promise((r) => setTimeout(r, 1500)); // the loop fails meanwhile: no proxy serves
    const d2 = await d.restart();
    const ended = await until(
      async () => {
        const s = await d2.json('GET', `/api/v1/runs/${id}`);
        return ['completed', 'failed', 'crashed', 'cancelled', 'timed_out'].includes(s.body.run?.state) ? s.body.run : undefined;
      },
      'the adopted run to end',
      180_000,
      500,
    );
    assert.equal(ended.state, 'completed', JSON.stringify(ended));
    const out = String((await eventsJson(d2.e, id)).find((ev) => ev.kind === 'tool_result')?.data.content ?? '');
    const m = /LOOP: ok=(\d+) fail=(\d+) after=(\d+)/.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[2]) >= 1, `the loop saw the gap: ${out}`);
    assert.equal(Number(m[3]), 2, `two requests went through after the restart: ${out}`);
    assert.ok(hits >= before + 2);
    const n = (await d2.json('GET', `/api/v1/runs/${id}/network`)).body;
    assert.ok(n.summary.allowed >= 4, JSON.stringify(n.summary));
    assert.equal(n.summary.denied, 0);
  });
});
