/**
 * A run's egress proxy: an HTTP proxy on a unix socket in the run's directory (egress.sock, beside the model
 * relay's socket), bridged into the container (NetworkMode none) by the entry script, so the socket a request comes
 * in on is the run it belongs to. It speaks CONNECT (TLS tunnelled as it is, never intercepted) and absolute-form
 * plain HTTP. Each request is checked against the run's allow rules by the host it names, the name is resolved by
 * Paddock itself, every address it resolves to is checked (loopback, private, link-local, … refused unless
 * allowPrivate), and the connection goes to the address that was checked: no second lookup, so no DNS rebinding.
 *
 * Built on node:http's 'connect' event and net rather than a proxy library: proxy-chain and http-proxy resolve and
 * dial the target themselves (by name, with no hook to hand them the address that was checked), and proxy-chain
 * listens only on TCP ports, not on a unix socket.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { isLocalName, isPrivateAddress } from './private-address.ts';
import { type AllowRule, isHostName, matchRule, normaliseHost } from './rules.ts';
import { dial } from './upstream.ts';
import type { EgressUpstream } from './upstream-url.ts';

/** One connection attempt through the proxy, as the run's network log keeps it. */
export interface EgressAttempt {
  ts: number;
  host: string;
  port: number;
  /** CONNECT, or the plain HTTP method. */
  method: string;
  /** The address dialled (or the one refused); null when it never got that far. */
  address: string | null;
  allowed: boolean;
  /** The allow rule that matched (allowed, or matched but refused after resolution). */
  rule: string | null;
  /** Why it was refused, or why an allowed connection failed; null for a clean allowed one. */
  reason: string | null;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
}

export interface EgressProxyOptions {
  socketPath: string;
  rules: readonly AllowRule[];
  /** Let destinations on loopback and private networks through (PADDOCK_EGRESS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  upstream?: EgressUpstream | undefined;
  /** Called once per attempt: at once for a refusal, when the connection ends for an allowed one. Must not throw. */
  onAttempt: (a: EgressAttempt) => void;
  /** Restricts who may connect to the socket (the run's container UID); default: chmod 0666 like the relay's. */
  secureSocket?: (path: string) => void;
  connectTimeoutMs?: number;
  /** Resolver (tests); default the system's, as getaddrinfo answers it (so /etc/hosts counts). */
  resolve?: (host: string) => Promise<string[]>;
}

export interface EgressProxy {
  socketPath: string;
  close(): Promise<void>;
}

type Decision = { ok: true; address: string; rule: string } | { ok: false; reason: string; rule: string | null; address: string | null };

const systemResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const resolve = opts.resolve ?? systemResolve;
  const open = new Set<Duplex>();
  const track = <T extends Duplex>(s: T): T => {
    open.add(s);
    s.once('close', () => open.delete(s));
    return s;
  };
  const record = (a: EgressAttempt) => {
    try {
      opts.onAttempt(a);
    } catch {
      // the log must never take the proxy down
    }
  };

  async function decide(host: string, port: number): Promise<Decision> {
    if (!isHostName(host)) return { ok: false, reason: 'not a host name', rule: null, address: null };
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `bad port ${port}`, rule: null, address: null };
    const rule = matchRule(opts.rules, host, port);
    if (!rule) {
      const other = opts.rules.find((r) => r.match(host));
      return { ok: false, reason: other ? `port ${port} is not allowed for ${host} (rule ${other.text})` : `${host} is not on the allow list`, rule: null, address: null };
    }
    if (!opts.allowPrivate && isLocalName(host)) return { ok: false, reason: `${host} is a loopback name`, rule: rule.text, address: null };
    let addresses: string[];
    if (net.isIP(host)) addresses = [host];
    else {
      try {
        addresses = await resolve(host);
      } catch (e) {
        return { ok: false, reason: `cannot resolve ${host} (${(e as NodeJS.ErrnoException).code ?? 'lookup failed'})`, rule: rule.text, address: null };
      }
    }
    const first = addresses[0];
    if (first === undefined) return { ok: false, reason: `${host} has no address`, rule: rule.text, address: null };
    if (!opts.allowPrivate) {
      const bad = addresses.find((a) => isPrivateAddress(a));
      if (bad !== undefined) return { ok: false, reason: bad === host ? `${host} is a loopback or private address` : `${host} resolves to the private address ${bad}`, rule: rule.text, address: bad };
    }
    return { ok: true, address: first, rule: rule.text };
  }

  const server = http.createServer((req, res) => {
    void plainHttp(req, res);
  });
  server.on('connection', (s: net.Socket) => track(s));
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    void tunnel(req, client, head);
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  async function tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const started = Date.now();
    const target = parseAuthority(req.url ?? '');
    const host = target ? normaliseHost(target.host) : String(req.url ?? '').slice(0, 200);
    const port = target?.port ?? 0;
    const base = { ts: started, host, port, method: 'CONNECT' };
    client.on('error', () => client.destroy());
    const d = target ? await decide(host, port) : ({ ok: false, reason: 'not host:port', rule: null, address: null } as const);
    if (!d.ok) {
      record({ ...base, address: d.address, allowed: false, rule: d.rule, reason: d.reason, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - started });
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-paddock-egress: denied\r\nconnection: close\r\n\r\npaddock egress: denied: ${d.reason}\n`);
      return;
    }
    let upstream: net.Socket;
    try {
      upstream = track(await dial(d.address, port, opts.upstream, timeout));
    } catch (e) {
      const reason = `connect failed: ${(e as Error).message}`;
      record({ ...base, address: d.address, allowed: true, rule: d.rule, reason, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - started });
      client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\npaddock egress: ${reason}\n`);
      return;
    }
    if (client.destroyed) {
      // The client hung up while the destination was being resolved and dialled.
      upstream.destroy();
      record({ ...base, address: d.address, allowed: true, rule: d.rule, reason: 'the client went away before the tunnel was up', bytesUp: 0, bytesDown: 0, durationMs: Date.now() - started });
      return;
    }
    let up = head.length;
    let down = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      client.destroy();
      upstream.destroy();
      record({ ...base, address: d.address, allowed: true, rule: d.rule, reason: null, bytesUp: up, bytesDown: down, durationMs: Date.now() - started });
    };
    upstream.on('error', finish);
    upstream.on('close', finish);
    client.on('close', finish);
    client.on('data', (c: Buffer) => {
      up += c.length;
    });
    upstream.on('data', (c: Buffer) => {
      down += c.length;
    });
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async function plainHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const method = req.method ?? 'GET';
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    const deny = (status: number, reason: string, host: string, port: number, rule: string | null, address: string | null) => {
      record({ ts: started, host, port, method, address, allowed: false, rule, reason, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - started });
      res.writeHead(status, { 'content-type': 'text/plain', 'x-paddock-egress': 'denied', connection: 'close' });
      res.end(`paddock egress: denied: ${reason}\n`);
      req.resume();
    };
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '');
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'http:') {
      const what = url?.protocol === 'https:' ? 'https:// goes through CONNECT' : 'a proxy takes absolute http:// URLs (or CONNECT)';
      return deny(400, what, url ? normaliseHost(url.hostname) : String(req.headers.host ?? ''), Number(url?.port || 0), null, null);
    }
    const host = normaliseHost(url.hostname);
    const port = Number(url.port || 80);
    const d = await decide(host, port);
    if (!d.ok) return deny(403, d.reason, host, port, d.rule, d.address);

    let up = 0;
    let down = 0;
    let reason: string | null = null;
    let recorded = false;
    const finish = () => {
      if (recorded) return;
      recorded = true;
      record({ ts: started, host, port, method, address: d.address, allowed: true, rule: d.rule, reason, bytesUp: up, bytesDown: down, durationMs: Date.now() - started });
    };
    let socket: net.Socket;
    try {
      socket = track(await dial(d.address, port, opts.upstream, timeout));
    } catch (e) {
      reason = `connect failed: ${(e as Error).message}`;
      res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`paddock egress: ${reason}\n`);
      req.resume();
      return finish();
    }
    if (gone) {
      socket.destroy();
      reason = 'the client went away before the request was sent';
      return finish();
    }
    const headers = forwardHeaders(req.headers);
    headers.host = url.host;
    headers.connection = 'close';
    const out = http.request({ createConnection: () => socket, method, path: `${url.pathname}${url.search}`, headers, setHost: false });
    socket.resume(); // a tunnel through an upstream proxy comes paused
    out.on('response', (upRes) => {
      const h = { ...upRes.headers };
      delete h.connection;
      delete h['keep-alive'];
      res.writeHead(upRes.statusCode ?? 502, h);
      upRes.on('data', (c: Buffer) => {
        down += c.length;
      });
      upRes.on('end', finish);
      upRes.on('error', finish);
      upRes.pipe(res);
    });
    out.on('error', (e) => {
      reason = `upstream: ${e.message}`;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`paddock egress: ${reason}\n`);
      finish();
    });
    res.on('close', () => {
      out.destroy();
      socket.destroy();
      finish();
    });
    req.on('data', (c: Buffer) => {
      up += c.length;
    });
    req.pipe(out);
  }

  mkdirSync(dirname(opts.socketPath), { recursive: true });
  rmSync(opts.socketPath, { force: true }); // a previous daemon's socket (it was killed): replace it
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.socketPath, () => ok());
  });
  if (opts.secureSocket) opts.secureSocket(opts.socketPath);
  // The agent runs as UID 1000 in the container; connecting to a unix socket needs write permission on it.
  else chmodSync(opts.socketPath, 0o666);
  return {
    socketPath: opts.socketPath,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
        for (const s of open) s.destroy();
      }),
  };
}

/** host:port of a CONNECT request ([v6]:port for IPv6). */
function parseAuthority(target: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(target) ?? /^([^:[\]/@\s]+):(\d{1,5})$/.exec(target);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : undefined;
}

/** The request's headers less hop-by-hop ones and the proxy's own (a Proxy-Authorization never leaves Paddock). */
function forwardHeaders(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const drop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade']);
  for (const name of String(h.connection ?? '').split(',')) drop.add(name.trim().toLowerCase());
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (!drop.has(k) && v !== undefined) out[k] = v;
  return out;
}
