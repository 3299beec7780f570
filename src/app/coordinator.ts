/**
 * A coordinator inside Paddock (docs/coordinator.md): a run spawned with `coordinator: true` gets Paddock's MCP on a
 * unix socket, mcp.sock, in its relay directory (beside model.sock and egress.sock; the entry script bridges it to
 * 127.0.0.1:4100 in the container). The socket is the identity: whatever arrives on it speaks for that run, so the
 * runs it spawns record it as their parent and count against its tree's budget, and no header can change that.
 *
 * What such a connection may do is least privilege, decided here (coordinatorToolArgs) before any tool runs:
 * spawn clone runs on the coordinator's own repository (no mounts, no secrets, no open network, no webhook, no
 * session of another run, no coordinator children: trees are one level deep), see, wait for, stop and diff only the
 * runs it spawned, and never merge (merging into the person's repository is the person's), build images or resume.
 */
import http from 'node:http';
import { realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { relayDirOf, type Run } from '../jobs/index.ts';
import { restrictSocket } from '../runtime/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { startRunEgress } from './network.ts';

/** The coordinator's MCP socket, beside the relay's model.sock (the directory is mounted at /run/paddock). */
export const MCP_SOCKET = 'mcp.sock';
/** The loopback port inside the container where the entry script bridges to mcp.sock. */
export const COORDINATOR_MCP_PORT = 4100;
/** What the agent CLI is given as MCP server "paddock" (its tools are then mcp__paddock__<tool>). */
export const COORDINATOR_MCP_URL = `http://127.0.0.1:${COORDINATOR_MCP_PORT}/mcp`;

/** Answers MCP requests (streamable HTTP) for one run's own connection: the daemon's MCP surface supplies it. */
export type RunMcpEndpoint = (runId: string) => (req: Request) => Promise<Response>;

const endpoints = new WeakMap<Paddock, RunMcpEndpoint>();

/** The daemon hands its MCP surface over before it adopts or starts runs; without it coordinator runs get no socket. */
export function serveCoordinatorMcp(p: Paddock, endpoint: RunMcpEndpoint): void {
  endpoints.set(p, endpoint);
}

/**
 * The sockets Paddock serves a run beside its model relay: the egress proxy (network proxy runs) and, for a
 * coordinator, its MCP socket. Started with every drive of the run, so a restarted or adopting daemon serves them again.
 */
export async function startRunSockets(p: Paddock, run: Run): Promise<{ close(): Promise<void> } | undefined> {
  const egress = await startRunEgress(p, run);
  let mcp: { close(): Promise<void> } | undefined;
  try {
    mcp = await startCoordinatorSocket(p, run);
  } catch (e) {
    await egress?.close();
    throw e;
  }
  if (!egress && !mcp) return undefined;
  return {
    close: async () => {
      await mcp?.close();
      await egress?.close();
    },
  };
}

/** Serves a coordinator run's MCP socket; undefined for any other run (it has no mcp.sock at all). */
export async function startCoordinatorSocket(p: Paddock, run: Run): Promise<{ close(): Promise<void> } | undefined> {
  if (!run.coordinator) return undefined;
  const endpoint = endpoints.get(p);
  if (!endpoint) {
    p.events.append(run.id, { kind: 'note', message: 'coordinator: this Paddock process serves no MCP, so the agent has no Paddock tools (run it under the daemon: paddock serve)' });
    return undefined;
  }
  const answer = endpoint(run.id); // the identity is fixed here, by the socket a request comes in on
  const server = http.createServer(getRequestListener((req) => answer(req)));
  const socketPath = join(relayDirOf(run), MCP_SOCKET);
  rmSync(socketPath, { force: true }); // a previous daemon's socket (it was killed): replace it
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(socketPath, () => ok());
  });
  // Only the run's container UID may connect, as to its relay and egress sockets (runtime/socket-access.ts).
  restrictSocket(socketPath);
  return {
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
        rmSync(socketPath, { force: true });
      }),
  };
}

const forbidden = (message: string, hint: string) => new PaddockError(ErrorCode.Forbidden, message, { hint });

/** Tools a coordinator's own connection may call, each with what it is allowed (the rest is refused). */
const RUN_ID_TOOLS = new Set(['get_run', 'get_events', 'wait_for_run', 'stop_run', 'get_diff', 'send_message', 'get_network_log']);
const OPEN_TOOLS = new Set(['list_agents', 'list_images', 'list_personas']);
const REFUSED: Record<string, string> = {
  merge_run: 'merging into the repository is for the person: a coordinator reviews with get_diff and reports; the person merges (paddock merge, the board, or their own MCP client)',
  create_agent_image: 'building agent images is for the person (paddock image build)',
  create_image: 'building agent images is for the person (paddock image create)',
  resume_session: 'a coordinator spawns new runs (spawn_run); continuing a conversation is for the person (paddock resume)',
};

/**
 * The arguments a tool called over coordinator run `coordinatorId`'s own connection runs with, or a FORBIDDEN error:
 * run ids resolved among its own descendants, list_runs narrowed to them, spawns checked and pinned to its repository.
 */
export function coordinatorToolArgs(p: Paddock, coordinatorId: string, tool: string, args: Record<string, unknown>): Record<string, unknown> {
  const refused = REFUSED[tool];
  if (refused) throw forbidden(`${tool} is not allowed from inside a run: ${refused}`, 'ask the person to do it');
  if (OPEN_TOOLS.has(tool)) return args;
  if (RUN_ID_TOOLS.has(tool)) return { ...args, runId: descendantOf(p, coordinatorId, String(args.runId ?? '')).id };
  if (tool === 'list_runs') {
    // Its own children by default; or the children of one of them. Never anyone else's.
    const ref = args.parentRunId === undefined ? coordinatorId : String(args.parentRunId);
    const itself =
      ref === coordinatorId ||
      (() => {
        try {
          return findRun(p, ref).id === coordinatorId;
        } catch {
          return false;
        }
      })();
    return { ...args, parentRunId: itself ? coordinatorId : descendantOf(p, coordinatorId, ref).id };
  }
  if (tool === 'spawn_run') return coordinatorSpawnArgs(p, coordinatorId, args);
  throw forbidden(`${tool} is not allowed from inside a run`, 'a coordinator may spawn, list, watch, stop and diff the runs it spawned');
}

/** A run the coordinator spawned (or one of theirs), by id or prefix; anything else is refused the same way. */
export function descendantOf(p: Paddock, coordinatorId: string, ref: string): Run {
  const nope = forbidden(`run ${ref.slice(0, 64)} is not one this run spawned`, 'a coordinator sees only the runs it spawned (list_runs lists them)');
  let run: Run;
  try {
    run = findRun(p, ref);
  } catch {
    throw nope;
  }
  let at: Run | undefined = run;
  for (let depth = 0; at?.parentRunId && depth < 32; depth++) {
    if (at.parentRunId === coordinatorId) return run;
    at = p.runs.get(at.parentRunId);
  }
  throw nope;
}

/** spawn_run from inside a coordinator: a plain clone run on its own repository, granted nothing beyond that. */
function coordinatorSpawnArgs(p: Paddock, coordinatorId: string, args: Record<string, unknown>): Record<string, unknown> {
  const me = p.runs.get(coordinatorId);
  if (!me) throw forbidden(`run ${coordinatorId} is gone`, 'nothing can be spawned on its behalf');
  const refuse = (what: string, hint: string) => {
    throw forbidden(`spawn_run from inside a run: ${what}`, hint);
  };
  if (args.repo !== undefined && !sameRepo(String(args.repo), me.repo))
    refuse(`repo ${String(args.repo).slice(0, 300)} is not this run's repository`, `leave repo out: a coordinator spawns runs on its own repository (${me.repo})`);
  if ((args.workspace ?? 'clone') !== 'clone') refuse(`workspace ${String(args.workspace)}: only clone runs`, 'leave workspace out');
  if (Array.isArray(args.mounts) && args.mounts.length > 0) refuse('mounts are not allowed', 'leave mounts out');
  if (args.secretsEnv && Object.keys(args.secretsEnv).length > 0) refuse('secretsEnv is not allowed', 'leave secretsEnv out');
  if ((args.network as { mode?: string } | undefined)?.mode === 'open') refuse('network open is not allowed', 'leave network out, or use proxy with allow rules');
  if (args.coordinator === true) refuse('a coordinator cannot spawn coordinators (trees are one level deep)', 'leave coordinator out');
  if (args.sessionId !== undefined) refuse('sessionId: continuing a session is for the person', 'leave sessionId out');
  if (args.withChanges === true) refuse("withChanges would read the person's uncommitted work", 'leave withChanges out');
  if (args.reuseBranch === true) refuse("reuseBranch would put the run's work on an existing branch", 'leave reuseBranch out: each child gets a new branch');
  if (args.webhookUrl !== undefined) refuse('webhookUrl is not allowed', 'leave webhookUrl out; watch with wait_for_run');
  if (args.compose !== undefined) refuse('compose reads a file on the host (docs/services.md)', 'leave compose out; services are allowed');
  if (args.project !== undefined) refuse("project is not allowed (its webhook and notifications are the person's)", 'leave project out: children run on this repository; a persona is allowed');
  return { ...args, repo: me.repo };
}

function sameRepo(asked: string, repo: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(resolve(asked)) === real(repo);
}
