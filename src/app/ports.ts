/**
 * Port previews (docs/services.md, "Port previews"): the ports listening inside a live run (its agent's dev server, or
 * a service's, which share its network namespace), each with a loopback URL on the host that Paddock forwards on
 * demand. The run has no network a host could reach: each connection to the URL is carried by an exec of socat in
 * the run's container, as the run's own UID, to 127.0.0.1:<port> there. Each forward gets its own free host port (the
 * kernel picks it), so runs never collide; a forward closes when its run ends.
 */
import net from 'node:net';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { needsToolbox } from '../images/toolbox.ts';
import { IN_CONTAINER } from '../runtime/index.ts';
import { execPipe } from '../runtime/exec-pipe.ts';
import type { Paddock } from './context.ts';
import { COORDINATOR_MCP_PORT } from './coordinator.ts';
import { findRun } from './find-run.ts';
import { storedIdentity } from './jail.ts';
import { EGRESS_PORT } from './network.ts';

/** Paddock's own bridges inside every run (model relay, egress proxy, coordinator MCP): not the run's to preview. */
const PADDOCK_PORTS = new Set([4000, EGRESS_PORT, COORDINATOR_MCP_PORT]);
/** How much of /proc/net/tcp{,6} is read at most. */
const MAX_LISTING_BYTES = 4 * 1024 * 1024;

export interface RunPort {
  port: number;
  /** The address it listens on inside the run (127.0.0.1, 0.0.0.0, ::, …). */
  address: string;
  /** Where to reach it from this machine: a loopback URL Paddock forwards into the run. */
  url: string;
}

/** Each line of /proc/net/tcp or tcp6 in state LISTEN (0A): its address and port. Pure, for tests. */
export function listeningPorts(procNetTcp: string): { port: number; address: string }[] {
  const out = new Map<number, string>();
  for (const line of procNetTcp.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const m = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/.exec(f[1] ?? '');
    if (!m) continue;
    const port = Number.parseInt(m[2]!, 16);
    if (port === 0 || PADDOCK_PORTS.has(port) || out.has(port)) continue;
    out.set(port, addressOf(m[1]!));
  }
  return [...out].sort((a, b) => a[0] - b[0]).map(([port, address]) => ({ port, address }));
}

/** /proc/net's hex address: IPv4 as one little-endian word, IPv6 as four. */
function addressOf(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const le = hex.slice(w * 8, w * 8 + 8);
    const be = [3, 2, 1, 0].map((i) => le.slice(i * 2, i * 2 + 2)).join('');
    words.push(be.slice(0, 4), be.slice(4));
  }
  const v6 = words.map((x) => Number.parseInt(x, 16).toString(16)).join(':');
  return v6 === '0:0:0:0:0:0:0:0' ? '::' : v6 === '0:0:0:0:0:0:0:1' ? '::1' : v6;
}

interface Forward {
  server: net.Server;
  url: string;
}

/** The live forwards of each daemon, per run and port. */
const forwards = new WeakMap<Paddock, Map<string, Map<number, Forward>>>();
const sweepers = new WeakMap<Paddock, NodeJS.Timeout>();
const SWEEP_MS = 3000;

/** The ports listening in a live run, each with its preview URL (opened on first listing, kept while the run lives). */
export async function runPorts(p: Paddock, idOrPrefix: string): Promise<{ runId: string; ports: RunPort[] }> {
  const run = findRun(p, idOrPrefix);
  closeEnded(p);
  if (isTerminal(run.state) || !run.containerId) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has no live container (${run.state})`, { hint: 'ports are listed while a run is live' });
  const tools = await toolsOf(p, run);
  const listing = await collect(await execIn(p, run, [...tools.cat, '/proc/net/tcp', '/proc/net/tcp6']));
  const ports: RunPort[] = [];
  for (const l of listeningPorts(listing)) ports.push({ ...l, url: await forwardOf(p, run, l.port, tools.socat) });
  return { runId: run.id, ports };
}

async function toolsOf(p: Paddock, run: Run): Promise<{ cat: string[]; socat: string }> {
  const image = await (await p.runtime()).inspectImage(run.image);
  // An image that is not Paddock's runs with the toolbox (docs/images.md): its own tools, by their toolbox paths.
  if (image && needsToolbox(image.labels)) return { cat: [`${IN_CONTAINER.toolbox}/libexec/busybox`, 'cat'], socat: `${IN_CONTAINER.toolbox}/libexec/socat` };
  return { cat: ['cat'], socat: 'socat' };
}

async function execIn(p: Paddock, run: Run, cmd: string[]) {
  const runtime = await p.runtime();
  const id = storedIdentity(p, run.id);
  if (!id) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has no identity on record`, { hint: 'it has not started yet' });
  return execPipe(runtime.info.socketPath, run.containerId!, { user: `${id.uid}:${id.gid}`, workdir: IN_CONTAINER.workspace, cmd });
}

async function collect(pipe: Awaited<ReturnType<typeof execPipe>>): Promise<string> {
  pipe.input.end();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of pipe.output as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_LISTING_BYTES) {
      pipe.input.destroy();
      break;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('latin1');
}

async function forwardOf(p: Paddock, run: Run, port: number, socat: string): Promise<string> {
  let byRun = forwards.get(p);
  if (!byRun) forwards.set(p, (byRun = new Map()));
  let byPort = byRun.get(run.id);
  if (!byPort) byRun.set(run.id, (byPort = new Map()));
  const have = byPort.get(port);
  if (have) return have.url;
  const server = net.createServer((client) => {
    client.pause();
    execIn(p, run, [socat, '-', `TCP:127.0.0.1:${port}`]).then(
      (pipe) => {
        client.pipe(pipe.input);
        pipe.output.pipe(client);
        const end = () => {
          client.destroy();
          pipe.input.destroy();
        };
        client.on('error', end).on('close', end);
        pipe.input.on('error', end).on('close', end);
        client.resume();
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  byPort.set(port, { server, url });
  // Ended runs lose their forwards within a few seconds, listed again or not.
  if (!sweepers.has(p)) {
    const t = setInterval(() => {
      closeEnded(p);
      if ((forwards.get(p)?.size ?? 0) === 0) {
        clearInterval(t);
        sweepers.delete(p);
      }
    }, SWEEP_MS);
    t.unref();
    sweepers.set(p, t);
  }
  return url;
}

/** Closes the forwards of runs that have ended (called at each listing and when a run ends). */
export function closeEnded(p: Paddock): void {
  const byRun = forwards.get(p);
  if (!byRun) return;
  for (const [runId, byPort] of byRun) {
    const run = p.runs.get(runId);
    if (run && !isTerminal(run.state)) continue;
    for (const f of byPort.values()) f.server.close();
    byRun.delete(runId);
  }
}
