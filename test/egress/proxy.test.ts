/**
 * The egress proxy in-process, with real sockets: servers of the test's own on loopback, the proxy on a unix socket
 * (bridged to a loopback port as the entry script does in a container), real curl as the client, and upstream HTTP
 * and SOCKS5 proxies of the test's own.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type EgressAttempt, type EgressUpstream, parseAllowList, startEgressProxy } from '../../src/egress/index.ts';

const pexec = promisify(execFile);

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as net.AddressInfo).port;
}

async function httpServer(t: TestContext, body: string): Promise<number> {
  const s = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
    });
    req.on('end', () => res.end(`${body} ${req.method} ${req.url} host=${req.headers.host} got=${n} pa=${req.headers['proxy-authorization'] ?? '-'}`));
  });
  t.after(() => s.close());
  return listen(s);
}

async function echoServer(t: TestContext): Promise<number> {
  const s = net.createServer((c) => c.pipe(c));
  t.after(() => s.close());
  return listen(s);
}

/** The proxy on a unix socket, and a loopback TCP port bridged to it (what socat does in the container). */
async function proxy(t: TestContext, rules: string[], opts: { allowPrivate?: boolean; upstream?: EgressUpstream; resolve?: (h: string) => Promise<string[]> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-egress-'));
  const attempts: EgressAttempt[] = [];
  const p = await startEgressProxy({
    socketPath: join(dir, 'egress.sock'),
    rules: parseAllowList(rules, 'test'),
    allowPrivate: opts.allowPrivate ?? false,
    upstream: opts.upstream,
    onAttempt: (a) => attempts.push(a),
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
  });
  const bridge = net.createServer((c) => {
    const u = net.connect(p.socketPath);
    c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  });
  const port = await listen(bridge);
  t.after(async () => {
    bridge.close();
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const settled = async (n: number) => {
    for (let i = 0; i < 100 && attempts.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    return attempts;
  };
  return { url: `http://127.0.0.1:${port}`, port, attempts, settled };
}

async function curl(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await pexec('curl', ['-sS', '--max-time', '10', ...args]);
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: `${err.stdout}${err.stderr}` };
  }
}

/** CONNECT host:port through the proxy, then send a line and read the echo. */
async function connectEcho(proxyPort: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1');
    let buf = '';
    s.on('data', (c) => {
      buf += c.toString();
      if (buf.includes('\r\n\r\n') && /^HTTP\/1\.1 200/.test(buf) && !buf.includes('ping')) s.write('ping\n');
      if (buf.includes('ping\n') || /^HTTP\/1\.1 [45]/.test(buf)) {
        s.end();
      }
    });
    s.on('close', () => resolve(buf));
    s.on('error', reject);
    s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

describe('egress proxy', () => {
  it('lets an allowed plain HTTP request and an allowed CONNECT through, refuses the rest, and records each attempt', async (t) => {
    const allowedPort = await httpServer(t, 'allowed');
    const otherPort = await httpServer(t, 'other');
    const echo = await echoServer(t);
    const p = await proxy(t, [`127.0.0.1:${allowedPort}`, `127.0.0.1:${echo}`], { allowPrivate: true });

    const ok = await curl(['-x', p.url, '-H', 'Proxy-Authorization: Basic c2VjcmV0', '-d', 'hello', `http://127.0.0.1:${allowedPort}/path?q=1`]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, new RegExp(`^allowed POST /path\\?q=1 host=127.0.0.1:${allowedPort} got=5 pa=-$`), 'origin-form path, Host kept, Proxy-Authorization not forwarded');

    const denied = await curl(['-x', p.url, '-w', '%{http_code}', '-o', '/dev/null', `http://127.0.0.1:${otherPort}/`]);
    assert.equal(denied.out, '403');

    const echoed = await connectEcho(p.port, `127.0.0.1:${echo}`);
    assert.match(echoed, /^HTTP\/1\.1 200 Connection Established\r\n\r\nping\n$/);
    const refused = await connectEcho(p.port, `127.0.0.1:${otherPort}`);
    assert.match(refused, /^HTTP\/1\.1 403/);
    assert.match(refused, new RegExp(`port ${otherPort} is not allowed for 127\\.0\\.0\\.1`));

    const log = await p.settled(4);
    const byPort = (port: number, method: string) => log.find((a) => a.port === port && a.method === method);
    const post = byPort(allowedPort, 'POST');
    assert.ok(post?.allowed && post.address === '127.0.0.1' && post.bytesUp === 5 && post.bytesDown > 0 && post.rule === `127.0.0.1:${allowedPort}`, JSON.stringify(post));
    assert.equal(byPort(otherPort, 'GET')?.allowed, false);
    const tunnel = byPort(echo, 'CONNECT');
    assert.ok(tunnel?.allowed && tunnel.bytesUp === 5 && tunnel.bytesDown === 5, JSON.stringify(tunnel));
    assert.equal(byPort(otherPort, 'CONNECT')?.allowed, false);
  });

  it('refuses loopback and private destinations after resolution unless allowed, and dials the checked address', async (t) => {
    const port = await httpServer(t, 'x');
    const resolved: string[] = [];
    const p = await proxy(t, ['*:*'], {
      resolve: async (h) => {
        resolved.push(h);
        if (h === 'rebind.test') return ['93.184.216.34', '127.0.0.1'];
        if (h === 'loop.test') return ['127.0.0.1'];
        throw Object.assign(new Error('no'), { code: 'ENOTFOUND' });
      },
    });
    const targets = [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `loop.test:${port}`,
      `rebind.test:${port}`,
      `[::1]:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `[::ffff:7f00:1]:${port}`,
      `10.1.2.3:${port}`,
      `169.254.169.254:80`,
      `100.64.0.1:80`,
      `224.0.0.1:80`,
      `0.0.0.0:${port}`,
      `nowhere.test:80`,
    ];
    for (const target of targets) {
      const r = await connectEcho(p.port, target);
      assert.match(r, /^HTTP\/1\.1 403/, `${target}: ${r}`);
    }
    const plain = await curl(['-x', p.url, '-w', '%{http_code}', '-o', '/dev/null', `http://localhost:${port}/`]);
    assert.equal(plain.out, '403');
    const log = await p.settled(targets.length + 1);
    assert.ok(log.every((a) => !a.allowed));
    assert.match(log.find((a) => a.host === 'loop.test')?.reason ?? '', /resolves to the private address 127\.0\.0\.1/);
    assert.match(log.find((a) => a.host === 'rebind.test')?.reason ?? '', /resolves to the private address 127\.0\.0\.1/);
    assert.match(log.find((a) => a.host === 'localhost')?.reason ?? '', /loopback name/);
    assert.match(log.find((a) => a.host === '::ffff:127.0.0.1')?.reason ?? '', /private address/);
    assert.match(log.find((a) => a.host === 'nowhere.test')?.reason ?? '', /cannot resolve nowhere\.test \(ENOTFOUND\)/);
    assert.ok(!resolved.includes('localhost'), 'localhost is refused by name, never looked up');
  });

  it('with private destinations allowed, a name goes to the address resolved once (no second lookup)', async (t) => {
    const port = await httpServer(t, 'pinned');
    let lookups = 0;
    const p = await proxy(t, [`pinned.test:${port}`], {
      allowPrivate: true,
      resolve: async () => {
        lookups++;
        return ['127.0.0.1'];
      },
    });
    const r = await curl(['-x', p.url, `http://pinned.test:${port}/`]);
    assert.match(r.out, new RegExp(`^pinned GET / host=pinned.test:${port}`));
    assert.equal(lookups, 1);
    const [a] = await p.settled(1);
    assert.equal(a?.address, '127.0.0.1');
  });

  it('refuses a CONNECT to a port the host is not allowed on, and origin-form or https:// requests', async (t) => {
    const p = await proxy(t, ['example.test:443']);
    const r = await connectEcho(p.port, 'example.test:22');
    assert.match(r, /403/);
    assert.match(r, /port 22 is not allowed for example\.test/);
    const origin = await curl(['-w', '%{http_code}', '-o', '/dev/null', `${p.url}/etc/passwd`]);
    assert.equal(origin.out, '400');
  });

  it('sends allowed traffic through an upstream HTTP proxy (CONNECT to the checked address)', async (t) => {
    const target = await httpServer(t, 'via-upstream');
    const seen: string[] = [];
    const up = http.createServer((_req, res) => res.writeHead(405).end());
    up.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      seen.push(`${req.url} ${req.headers['proxy-authorization'] ?? '-'}`);
      const [host, port] = String(req.url).split(':');
      const s = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 OK\r\n\r\n');
        s.pipe(client).pipe(s);
      });
      s.on('error', () => client.destroy());
    });
    t.after(() => up.close());
    const upPort = await listen(up);
    const p = await proxy(t, [`named.test:${target}`], {
      allowPrivate: true,
      resolve: async () => ['127.0.0.1'],
      upstream: { kind: 'http', host: '127.0.0.1', port: upPort, authorization: 'Basic dTpw' },
    });
    const r = await curl(['-x', p.url, `http://named.test:${target}/x`]);
    assert.match(r.out, new RegExp(`^via-upstream GET /x host=named.test:${target}`));
    assert.deepEqual(seen, [`127.0.0.1:${target} Basic dTpw`], 'the upstream got the checked address, with its credentials');
  });

  it('sends allowed traffic through an upstream SOCKS5 proxy', async (t) => {
    const echo = await echoServer(t);
    const seen: string[] = [];
    // A minimal SOCKS5 server (no auth, CONNECT to an IPv4 address), enough to show the hop.
    const socks = net.createServer((c) => {
      c.once('data', () => {
        c.write(Buffer.from([5, 0]));
        c.once('data', (req: Buffer) => {
          const host = [...req.subarray(4, 8)].join('.');
          const port = req.readUInt16BE(8);
          seen.push(`${req[3]} ${host}:${port}`);
          const s = net.connect(port, host, () => {
            c.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
            s.pipe(c).pipe(s);
          });
          s.on('error', () => c.destroy());
        });
      });
    });
    t.after(() => socks.close());
    const socksPort = await listen(socks);
    const p = await proxy(t, [`127.0.0.1:${echo}`], { allowPrivate: true, upstream: { kind: 'socks5', host: '127.0.0.1', port: socksPort } });
    const r = await connectEcho(p.port, `127.0.0.1:${echo}`);
    assert.match(r, /200 Connection Established\r\n\r\nping\n$/);
    assert.deepEqual(seen, [`1 127.0.0.1:${echo}`], 'SOCKS5 CONNECT to the IPv4 address');
  });
});
