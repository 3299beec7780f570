/**
 * Egress from inside real runs (real CLI → real daemon → real container, the real Claude Code CLI driven by the
 * scripted model): the egress proxy reaches an allowlisted server of the test's own, plain HTTP and CONNECT (TLS
 * with a self-signed certificate, `curl -k`), and denies a second one; `paddock net` shows both. Then every way out
 * around the proxy is tried and recorded. Every target is a server this test started, on loopback or on the host's
 * own non-loopback address.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type Env, eventsJson, makeRepo, paddockEnv, runIdOf } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const area = 'egress' as const;

async function listen(t: TestContext, server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, host, ok));
  t.after(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** A plain HTTP server that answers with a marker and counts its requests. */
async function marker(t: TestContext, text: string, host = '127.0.0.1'): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const s = http.createServer((_req, res) => {
    hits++;
    res.end(`${text}\n`);
  });
  return { port: await listen(t, s, host), hits: () => hits };
}

/** A TLS server with a self-signed certificate made now (openssl). */
async function tlsServer(t: TestContext, text: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-egress-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  const s = https.createServer({ key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) }, (_req, res) => res.end(`${text}\n`));
  return listen(t, s);
}

/** The host's own first non-loopback IPv4 address (what a container with a route could reach the host on). */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address on this host');
}

/** A name the daemon's resolver (getaddrinfo, /etc/hosts) maps to loopback, other than localhost. */
async function loopbackName(): Promise<string> {
  for (const name of [hostname(), 'vm', 'runsc', 'ip6-localhost', 'ip6-loopback']) {
    const addrs = await lookup(name, { all: true }).catch(() => []);
    if (addrs.length && addrs.every((a) => a.address === '127.0.0.1' || a.address.startsWith('127.') || a.address === '::1')) return name;
  }
  throw new Error('no /etc/hosts name resolves to loopback here');
}

/** Runs one Bash command in a real run and returns its output (the tool result); the run must complete. */
async function inRun(e: Env, repo: string, name: string, command: string, flags: string[]): Promise<{ id: string; out: string }> {
  e.model.script(name, [{ tools: [{ name: 'Bash', input: { command, description: name } }] }, { text: 'done' }]);
  const r = await e.cli(['spawn', '--repo', repo, '--type', 'explore', ...flags, '--task', `Probe [[script:${name}]]`]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const id = runIdOf(r);
  const out = String((await eventsJson(e, id)).find((ev) => ev.kind === 'tool_result')?.data.content ?? '');
  assert.match(out, /END-OF-PROBES/, `the probes ran to the end:\n${out}`);
  return { id, out };
}

/** The line a probe printed: "NAME: …". */
const line = (out: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(out)?.[1] ?? `(no ${name} line)`;

interface NetView {
  runId: string;
  mode: string;
  allow: string[];
  summary: { attempts: number; allowed: number; denied: number; bytesUp: number; bytesDown: number; dropped: number };
  attempts: { host: string; port: number; method: string; allowed: boolean; address: string | null; rule: string | null; reason: string | null; bytesUp: number; bytesDown: number }[];
}

async function netJson(e: Env, id: string): Promise<NetView> {
  const r = await e.cli(['net', id, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as NetView;
}

describe('egress from inside real runs', () => {
  it('reaches an allowlisted server through the proxy (HTTP and CONNECT), is denied the rest, and every way around the proxy has no route', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_EGRESS_ALLOW_PRIVATE: 'true', PADDOCK_EGRESS_ALLOW: '' });
    const repo = await makeRepo(t);
    const allowed = await marker(t, 'ALLOWED-SERVER');
    const other = await marker(t, 'OTHER-SERVER');
    const tls = await tlsServer(t, 'TLS-SERVER');
    const hostIp = hostAddress();
    const outside = await marker(t, 'HOST-ADDRESS-SERVER', hostIp);
    let udpGot = 0;
    const udp = createSocket('udp4').on('message', () => udpGot++);
    await new Promise<void>((ok) => udp.bind(0, hostIp, ok));
    t.after(() => udp.close());
    const udpPort = udp.address().port;

    // NO_PROXY (localhost, 127.0.0.1: the model's port) would send the test's loopback servers around the proxy.
    const probes = [
      `echo "PROXYENV: $(env | grep -i '_proxy=' | sort | tr '\\n' ' ')"`,
      'unset NO_PROXY no_proxy',
      `echo "HTTP: $(curl -sS --max-time 5 http://127.0.0.1:${allowed.port}/ 2>&1)"`,
      `echo "TLS: $(curl -sS -k --max-time 5 https://127.0.0.1:${tls}/ 2>&1)"`,
      `echo "DENIED: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:${other.port}/ 2>&1)"`,
      `echo "BADPORT: $(curl -sS -k --max-time 5 https://127.0.0.1:${other.port}/ 2>&1)"`,
      `echo "DIRECT-TCP: $(timeout 5 bash -c 'exec 3<>/dev/tcp/${hostIp}/${outside.port} && echo connected' 2>&1)"`,
      `echo "DIRECT-UDP: $(timeout 5 bash -c 'echo probe > /dev/udp/${hostIp}/${udpPort} && echo sent' 2>&1)"`,
      `echo "DNS: $(timeout 5 getent hosts paddock-probe.test; echo "rc=$?") resolv=[$(cat /etc/resolv.conf 2>/dev/null | grep -v '^#' | tr '\\n' ' ')]"`,
      `echo "DNS-UDP: $(timeout 5 bash -c 'echo q > /dev/udp/${hostIp}/53 && echo sent' 2>&1)"`,
      `echo "NOPROXY: $(curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${allowed.port}/ 2>&1)"`,
      `echo "NODE-FETCH: $(node -e "fetch('http://${hostIp}:${outside.port}/').then(r => r.text()).then(t => console.log('got', t), e => console.log('failed', e.cause?.code ?? e.message))" 2>&1)"`,
      `echo "LINKS: $(ls /sys/class/net | tr '\\n' ' ')"`,
      `echo "SOCKETS: $(ls /run/paddock | tr '\\n' ' ')"`,
      'echo END-OF-PROBES',
    ].join('\n');
    const r1 = await inRun(e, repo, 'egress-probes', probes, ['--allow', `127.0.0.1:${allowed.port}`, '--allow', `127.0.0.1:${tls}`]);
    const { id, out } = r1;

    await attempt(
      t,
      { id: 'egress-allowed-http', area, finding: 0, what: 'plain HTTP to an allowlisted server of the test (loopback, private destinations allowed for the test) through the egress proxy' },
      () => {
        assert.equal(line(out, 'HTTP'), 'ALLOWED-SERVER');
        return 'neutralised: reached through the proxy, as allowed, and logged';
      },
    );
    await attempt(t, { id: 'egress-allowed-connect', area, finding: 0, what: 'HTTPS (CONNECT, TLS tunnelled, self-signed, curl -k) to an allowlisted server' }, () => {
      assert.equal(line(out, 'TLS'), 'TLS-SERVER');
      return 'neutralised: tunnelled as it is (no interception), and logged';
    });
    await attempt(t, { id: 'egress-not-allowlisted', area, finding: 0, what: 'plain HTTP to a second server of the test that is not on the allow list' }, () => {
      assert.equal(line(out, 'DENIED'), '403');
      assert.equal(other.hits(), 0);
      return 'denied: 403 from the proxy (not on the allow list); the server saw nothing';
    });
    await attempt(t, { id: 'egress-connect-wrong-port', area, finding: 0, what: 'CONNECT to an allowed host on a port its rule does not allow' }, () => {
      assert.match(line(out, 'BADPORT'), /CONNECT tunnel failed, response 403|403/);
      return 'denied: 403 to the CONNECT (port not allowed for the host)';
    });
    await attempt(t, { id: 'egress-direct-tcp', area, finding: 0, what: "direct TCP to a server on the host's non-loopback address, around the proxy" }, () => {
      assert.match(line(out, 'DIRECT-TCP'), /Network is unreachable|No route to host/);
      assert.equal(outside.hits(), 0);
      return 'denied: network unreachable (NetworkMode none: loopback only)';
    });
    await attempt(t, { id: 'egress-direct-udp', area, finding: 0, what: "UDP to a socket the test bound on the host's non-loopback address" }, () => {
      assert.match(line(out, 'DIRECT-UDP'), /Network is unreachable|No route to host/);
      assert.equal(udpGot, 0);
      return 'denied: network unreachable; nothing arrived';
    });
    await attempt(t, { id: 'egress-dns', area, finding: 0, what: "DNS: resolve a name from inside, and send a query to port 53 on the host's address" }, () => {
      assert.match(line(out, 'DNS'), /rc=2/);
      assert.match(line(out, 'DNS-UDP'), /Network is unreachable|No route to host/);
      return 'denied: no resolver reachable (getent fails; UDP 53 unreachable)';
    });
    await attempt(t, { id: 'egress-ignores-proxy', area, finding: 0, what: 'a tool that ignores HTTP_PROXY (curl --noproxy, Node fetch) tries to connect directly' }, () => {
      assert.match(line(out, 'NOPROXY'), /Connection refused|Couldn't connect/);
      assert.match(line(out, 'NODE-FETCH'), /failed (ENETUNREACH|EHOSTUNREACH)/);
      assert.equal(allowed.hits(), 1, 'only the proxied request reached the allowed server');
      return 'denied: no network without the proxy (connection refused / unreachable)';
    });
    assert.equal(line(out, 'LINKS'), 'lo ', 'the container has a loopback interface only');
    assert.match(line(out, 'SOCKETS'), /egress\.sock/);
    assert.match(line(out, 'PROXYENV'), /HTTPS_PROXY=http:\/\/127\.0\.0\.1:3128/);
    assert.match(line(out, 'PROXYENV'), /NO_PROXY=localhost,127\.0\.0\.1/);

    // paddock net shows both servers' attempts: the allowed ones and the denied ones.
    const n = await netJson(e, id);
    assert.equal(n.mode, 'proxy');
    const find = (port: number, method: string) => n.attempts.find((a) => a.port === port && a.method === method);
    assert.ok(find(allowed.port, 'GET')?.allowed && (find(allowed.port, 'GET')?.bytesDown ?? 0) > 0, JSON.stringify(n.attempts));
    assert.ok(find(tls, 'CONNECT')?.allowed && (find(tls, 'CONNECT')?.bytesDown ?? 0) > 0);
    assert.equal(find(other.port, 'GET')?.allowed, false);
    assert.match(find(other.port, 'GET')?.reason ?? '', /not (on the allow list|allowed)/);
    assert.equal(find(other.port, 'CONNECT')?.allowed, false);
    assert.equal(n.summary.allowed, 2);
    assert.equal(n.summary.denied, 2);
    const text = await e.cli(['net', id]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`allowed\\s+GET\\s+127\\.0\\.0\\.1:${allowed.port}`));
    assert.match(text.stdout, new RegExp(`denied\\s+GET\\s+127\\.0\\.0\\.1:${other.port}`));
    const status = await e.cli(['status', id]);
    assert.match(status.stdout, /network\s+proxy · 4 attempt\(s\): 2 allowed, 2 denied/);

    // A second run: its own proxy, its own rules, its own log.
    const r2 = await inRun(
      e,
      repo,
      'egress-second',
      [
        'unset NO_PROXY no_proxy',
        `echo "FIRSTS: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:${allowed.port}/ 2>&1)"`,
        `echo "MINE: $(curl -sS --max-time 5 http://127.0.0.1:${other.port}/ 2>&1)"`,
        `echo "OTHERRUN: $(ls /run/paddock/../ 2>&1 | tr '\\n' ' ') $(ls ${e.home}/runs/${id} 2>&1)"`,
        'echo END-OF-PROBES',
      ].join('\n'),
      ['--allow', `127.0.0.1:${other.port}`],
    );
    await attempt(t, { id: 'egress-other-runs-socket', area, finding: 0, what: "a second run uses the first run's allow list, or reaches the first run's proxy socket or directory" }, async () => {
      assert.equal(line(r2.out, 'FIRSTS'), '403', "the first run's rule does not apply to the second");
      assert.equal(line(r2.out, 'MINE'), 'OTHER-SERVER');
      assert.match(line(r2.out, 'OTHERRUN'), /No such file or directory/);
      const n2 = await netJson(e, r2.id);
      assert.deepEqual(
        n2.attempts.map((a) => `${a.port} ${a.allowed}`),
        [`${allowed.port} false`, `${other.port} true`],
      );
      const n1 = await netJson(e, id);
      assert.equal(n1.summary.attempts, 4, "the second run's attempts are not in the first run's log");
      return 'denied: each run has its own proxy socket (its own run dir is the only one mounted), rules and log';
    });

    // network none: no proxy at all.
    const r0 = await inRun(
      e,
      repo,
      'egress-none',
      [
        `echo "SOCKETS: $(ls /run/paddock | tr '\\n' ' ')"`,
        `echo "PROXYENV: $(env | grep -ci '_proxy=')"`,
        `echo "VIA-PORT: $(curl -sS --max-time 5 -x http://127.0.0.1:3128 http://127.0.0.1:${allowed.port}/ 2>&1)"`,
        'echo END-OF-PROBES',
      ].join('\n'),
      ['--network', 'none'],
    );
    await attempt(t, { id: 'egress-network-none', area, finding: 0, what: 'with --network none, look for a proxy: its socket, its variables, its loopback port' }, async () => {
      assert.doesNotMatch(line(r0.out, 'SOCKETS'), /egress/);
      assert.equal(line(r0.out, 'PROXYENV'), '0');
      assert.match(line(r0.out, 'VIA-PORT'), /Connection refused|Couldn't connect/);
      assert.equal((await netJson(e, r0.id)).mode, 'none');
      return 'denied: no egress socket is served, no proxy variables, nothing listens';
    });

    // network open without the server's permission: refused before anything is made.
    const open = await e.cli(['spawn', '--repo', repo, '--network', 'open', '--task', 'x', '--detach']);
    assert.equal(open.code, 2, open.stderr);
    assert.match(open.stderr, /network open is not permitted on this server/);
  });

  it('refuses loopback and private destinations after its own resolution, in every form, when private destinations are not allowed', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_EGRESS_ALLOW: '' });
    const repo = await makeRepo(t);
    const target = await marker(t, 'LOOPBACK-SERVER');
    const hostIp = hostAddress();
    const onHost = await marker(t, 'HOST-ADDRESS-SERVER', hostIp);
    const name = await loopbackName();
    const p = target.port;
    const rules = [`127.0.0.1:${p}`, `localhost:${p}`, `${name}:${p}`, `[::1]:${p}`, `[::ffff:127.0.0.1]:${p}`, `${hostIp}:${onHost.port}`];
    const probes = [
      'unset NO_PROXY no_proxy',
      `echo "V4: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:${p}/ 2>&1)"`,
      `echo "LOCALHOST: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --proxy http://127.0.0.1:3128 --noproxy '' http://localhost:${p}/ 2>&1)"`,
      `echo "HOSTSNAME: $(curl -sS -k --max-time 5 https://${name}:${p}/ 2>&1)"`,
      `echo "V6: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' 'http://[::1]:${p}/' 2>&1)"`,
      `echo "MAPPED: $(curl -sS -k --max-time 5 'https://[::ffff:127.0.0.1]:${p}/' 2>&1)"`,
      `echo "HOSTIP: $(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://${hostIp}:${onHost.port}/ 2>&1)"`,
      'echo END-OF-PROBES',
    ].join('\n');
    const { id, out } = await inRun(
      e,
      repo,
      'egress-private',
      probes,
      rules.flatMap((r) => ['--allow', r]),
    );
    const n = await netJson(e, id);
    const reasonFor = (host: string) => n.attempts.find((a) => a.host === host)?.reason ?? `(no attempt for ${host})`;

    await attempt(t, { id: 'egress-host-loopback', area, finding: 0, what: "the host's loopback (127.0.0.1) through the proxy, allowlisted but without PADDOCK_EGRESS_ALLOW_PRIVATE" }, () => {
      assert.equal(line(out, 'V4'), '403');
      assert.match(reasonFor('127.0.0.1'), /loopback or private address/);
      return 'denied: 403, a loopback address (checked after resolution, rule or not)';
    });
    await attempt(t, { id: 'egress-localhost-name', area, finding: 0, what: 'the name localhost through the proxy (NO_PROXY overridden)' }, () => {
      assert.equal(line(out, 'LOCALHOST'), '403');
      assert.match(reasonFor('localhost'), /loopback name/);
      return 'denied: 403, a loopback name';
    });
    await attempt(t, { id: 'egress-hosts-name-loopback', area, finding: 0, what: `a name that resolves to loopback on the host (${name}, from /etc/hosts), over CONNECT` }, () => {
      assert.match(line(out, 'HOSTSNAME'), /403/);
      assert.match(reasonFor(name), /resolves to the private address (127\.|::1)/);
      return "denied: 403, refused after Paddock's own resolution (the address dialled is the one checked)";
    });
    await attempt(t, { id: 'egress-ipv6-loopback', area, finding: 0, what: 'IPv6 loopback [::1] through the proxy' }, () => {
      assert.equal(line(out, 'V6'), '403');
      assert.match(reasonFor('::1'), /loopback or private address/);
      return 'denied: 403, a loopback address';
    });
    await attempt(t, { id: 'egress-ipv4-mapped', area, finding: 0, what: 'IPv4-mapped IPv6 [::ffff:127.0.0.1] over CONNECT' }, () => {
      assert.match(line(out, 'MAPPED'), /403/);
      assert.match(reasonFor('::ffff:127.0.0.1'), /loopback or private address/);
      return 'denied: 403, the mapped form is checked as the IPv4 address it is';
    });
    await attempt(t, { id: 'egress-host-private-address', area, finding: 0, what: "the host's own non-loopback (private) address through the proxy, allowlisted" }, () => {
      assert.equal(line(out, 'HOSTIP'), '403');
      assert.equal(onHost.hits() + target.hits(), 0, 'no server saw a request');
      return 'denied: 403, a private address';
    });
    assert.equal(n.summary.allowed, 0);
    assert.equal(n.summary.denied, 6);
  });
});
