/**
 * A run's network (docs/egress.md): the mode and allow rules settled at spawn, the run's egress proxy (started and
 * stopped with its supervision, beside the model relay), and its network log for `paddock net` and the API.
 */
import { join } from 'node:path';
import { type AllowRule, type EgressProxy, NETWORK_MODES, type NetworkMode, parseAllowList, startEgressProxy } from '../egress/index.ts';
import { ErrorCode, invalidInput, PaddockError } from '../errors/index.ts';
import { relayDirOf, type Run } from '../jobs/index.ts';
import { restrictSocket } from '../runtime/index.ts';
import { type NetworkAttemptRow, type NetworkCounters, NetworkRepo, type RunNetworkPolicy } from '../store/network-repo.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { redactDeep } from '../secrets/index.ts';
import { runRedactor } from './secrets.ts';

export { NETWORK_MODES };
export type { NetworkMode };

/** The loopback port inside the container where the entry script bridges to the run's egress socket. */
export const EGRESS_PORT = 3128;
/** The egress proxy's socket, beside the relay's model.sock (the directory is mounted at /run/paddock). */
export const EGRESS_SOCKET = 'egress.sock';

const repos = new WeakMap<Paddock, NetworkRepo>();
export function networkRepo(p: Paddock): NetworkRepo {
  let r = repos.get(p);
  if (!r) repos.set(p, (r = new NetworkRepo(p.db)));
  return r;
}

export interface NetworkRequest {
  mode?: NetworkMode | undefined;
  allow?: readonly string[] | undefined;
}

/**
 * The network a new run gets: checked before anything is made. The rules in force are the server's default list
 * and the run's own additions (a project's rules join the layers here when projects land). Without a mode: proxy
 * when any rule is in force, none when there is none. open only where the server permits it (PADDOCK_EGRESS_OPEN).
 */
export function settleNetwork(p: Paddock, req: NetworkRequest | undefined): Omit<RunNetworkPolicy, 'runId'> {
  const additions = parseAllowList(req?.allow ?? [], 'network.allow');
  const mode = req?.mode;
  if (mode === 'open') {
    if (!p.config.egressOpen)
      throw new PaddockError(ErrorCode.Forbidden, 'network open is not permitted on this server', {
        hint: 'leave it out (network proxy, with --allow HOST[:PORT] for what the run needs), or let the server permit it with PADDOCK_EGRESS_OPEN=true',
      });
    if (additions.length) throw invalidInput('network.allow applies to network proxy: an open network has no allow list', 'leave allow out, or use network proxy');
    return { mode, allow: [] };
  }
  if (mode === 'none') {
    if (additions.length) throw invalidInput('network.allow applies to network proxy: network none has no egress at all', 'leave allow out, or use network proxy');
    return { mode, allow: [] };
  }
  const layers: AllowRule[][] = [parseAllowList(p.config.egressAllow, 'PADDOCK_EGRESS_ALLOW'), additions];
  const allow = [...new Set(layers.flat().map((r) => r.text))];
  return { mode: mode ?? (allow.length ? 'proxy' : 'none'), allow };
}

/** The run's network as settled at spawn; a run from before egress existed had none. */
export function networkPolicyOf(p: Paddock, runId: string): Omit<RunNetworkPolicy, 'runId'> {
  const policy = networkRepo(p).policy(runId);
  return policy ? { mode: policy.mode, allow: policy.allow } : { mode: 'none', allow: [] };
}

/** What the container's environment gets: the proxy variables for a proxy run (the model's loopback port bypasses it). */
export function egressEnv(mode: NetworkMode): Record<string, string> {
  if (mode !== 'proxy') return {};
  const url = `http://127.0.0.1:${EGRESS_PORT}`;
  const noProxy = 'localhost,127.0.0.1';
  return { PADDOCK_EGRESS_PORT: String(EGRESS_PORT), HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}

/** Starts the run's egress proxy (network proxy only), recording every attempt; undefined when the run has none. */
export async function startRunEgress(p: Paddock, run: Run): Promise<EgressProxy | undefined> {
  const policy = networkPolicyOf(p, run.id);
  if (policy.mode !== 'proxy') return undefined;
  const repo = networkRepo(p);
  const cap = p.config.egressLogMax;
  const redact = runRedactor(p, run);
  return startEgressProxy({
    socketPath: join(relayDirOf(run), EGRESS_SOCKET),
    rules: parseAllowList(policy.allow, `run ${run.id} network.allow`),
    allowPrivate: p.config.egressAllowPrivate,
    upstream: p.config.egressUpstreamHttp ?? p.config.egressUpstreamSocks5,
    // The host (and the rest) is what the agent asked for: its secret values are redacted as in its output.
    onAttempt: (a) => repo.record(run.id, redact ? redactDeep(a, redact) : a, cap),
    // Only the run's container UID may connect, as to its relay and input sockets (runtime/socket-access.ts).
    secureSocket: restrictSocket,
  });
}

export interface RunNetworkView {
  runId: string;
  mode: NetworkMode;
  allow: string[];
  summary: NetworkCounters;
  attempts: NetworkAttemptRow[];
}

const NO_COUNTS: NetworkCounters = { attempts: 0, allowed: 0, denied: 0, bytesUp: 0, bytesDown: 0, dropped: 0 };

/** A run's network: its mode, the rules in force, the counters over every attempt, and the attempts kept. */
export function runNetwork(p: Paddock, idOrPrefix: string, opts: { after?: number; limit?: number } = {}): RunNetworkView {
  const run = findRun(p, idOrPrefix);
  const policy = networkPolicyOf(p, run.id);
  const repo = networkRepo(p);
  return { runId: run.id, ...policy, summary: repo.counters(run.id) ?? NO_COUNTS, attempts: repo.attempts(run.id, opts) };
}
