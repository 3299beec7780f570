/** spawn: validate everything, make the private checkout, create the hardened container, hand it to a supervisor. */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrompt } from '../agents/claude/index.ts';
import { formatDuration, parseBytes, parseCpus, parseDuration, parsePids } from '../config/index.ts';
import { ErrorCode, PaddockError, invalidInput, notFound } from '../errors/index.ts';
import { currentOwner, relayDirOf, type Run, setPhase, transitionRun } from '../jobs/index.ts';
import { buildAgentContainerSpec, IN_CONTAINER, paddockLabels } from '../runtime/index.ts';
import type { Session } from '../store/sessions-repo.ts';
import {
  branchExists, createRunCheckout, defaultBranchName, hasChanges, inspectRepo, removeCheckout, resolveBase, snapshotWorkingTree,
  validateBranchName, workingTreeChanges, type WorkingTreeChanges,
} from '../workspace/index.ts';
import { findRun } from './find-run.ts';
import { agentFor } from './agents.ts';
import type { Paddock } from './context.ts';
import { spawnInputSchema, type SpawnInput } from './spawn-input.ts';
import { supervise, type SupervisionMode } from './supervision.ts';
import { validate } from './validate.ts';

/** The loopback port inside the container where the entrypoint bridges to the model relay socket. */
const MODEL_PORT = 4000;

export async function spawnRun(p: Paddock, input: SpawnInput, opts: { supervision: SupervisionMode }): Promise<Run> {
  const req = validate(spawnInputSchema, input);
  const cfg = p.config;
  const limits = {
    memoryBytes: req.memory === undefined ? cfg.memory : parseBytes(req.memory, 'memory limit'),
    cpus: req.cpus === undefined ? cfg.cpus : parseCpus(req.cpus),
    pids: req.pids === undefined ? cfg.pids : parsePids(req.pids),
    timeoutMs: req.timeout === undefined ? cfg.timeout : parseDuration(req.timeout, 'timeout'),
  };
  if (limits.timeoutMs > cfg.maxTimeout) {
    throw new PaddockError(ErrorCode.InvalidInput, `timeout ${formatDuration(limits.timeoutMs)} is above the longest allowed, ${formatDuration(cfg.maxTimeout)}`, {
      hint: 'ask for less, or raise PADDOCK_MAX_TIMEOUT',
    });
  }
  if (limits.memoryBytes < 64 * 1024 ** 2) throw new PaddockError(ErrorCode.InvalidInput, 'memory limit below 64m', { hint: 'an agent needs at least 64m; 512m is the default' });
  if (req.resume && !req.sessionId) throw new PaddockError(ErrorCode.InvalidInput, 'resume needs a session id', { hint: 'pass the session id of an earlier run (paddock status <id> shows it)' });
  // The CLI refuses to start a conversation under an existing session id, so continuing a session means resuming it.
  const resume = req.sessionId !== undefined;

  const adapter = agentFor(req.agent);
  const agentOptions = adapter.parseOptions({ ...req.agentOptions, ...(req.model ? { model: req.model } : {}) });

  const repo = await inspectRepo(req.repo);
  const id = randomBytes(6).toString('hex');
  const branch = req.branch ?? defaultBranchName(req.task, id);
  await validateBranchName(repo.root, branch);
  const exists = await branchExists(repo.root, branch);
  if (exists && !req.reuseBranch) {
    throw new PaddockError(ErrorCode.Conflict, `branch ${branch} already exists in ${repo.root}`, { hint: 'choose another --branch, or pass --reuse-branch to continue on it' });
  }
  if (exists && req.base !== undefined) {
    throw new PaddockError(ErrorCode.InvalidInput, `--base ${req.base} cannot apply: branch ${branch} exists, and the run continues from its tip`, { hint: 'leave --base out, or choose a new --branch' });
  }
  const taken = p.runs.branchTaken(repo.root, branch);
  if (taken) throw new PaddockError(ErrorCode.Conflict, `branch ${branch} is in use by run ${taken.id} (${taken.state})`, { hint: 'wait for it, stop it, or choose another --branch' });
  const baseRef = exists ? branch : (req.base ?? repo.currentBranch ?? 'HEAD');
  let baseSha = await resolveBase(repo.root, exists ? branch : req.base);
  const changes = await workingTreeChanges(repo.root);
  let changesNote: string | undefined;
  if (req.withChanges) {
    if (exists || req.base !== undefined) throw invalidInput('withChanges carries the working tree on top of HEAD, so it cannot go with an existing branch or a base', 'leave out the base (or the reused branch), or commit your changes first');
    if (hasChanges(changes)) {
      baseSha = await snapshotWorkingTree(repo.root, baseSha, `paddock: working tree of ${repo.root} at spawn (uncommitted changes)`);
      changesNote = `started from the working tree: ${describeChanges(changes)} carried into the starting commit ${baseSha.slice(0, 10)}`;
    }
  } else if (hasChanges(changes)) {
    changesNote = `the working tree has ${describeChanges(changes)}; the agent starts from ${baseRef} without them (withChanges carries them in)`;
  }

  const runtime = await p.runtime();
  const image = req.image ?? cfg.image;
  if (!(await runtime.imageExists(image))) {
    throw new PaddockError(ErrorCode.ImageNotFound, `image ${image} is not in the engine (${runtime.info.kind} at ${runtime.info.socketPath})`, {
      hint: image === cfg.image ? 'build it with `paddock image build` (npm run up does)' : 'build or pull it first, or leave --image out to use the default agent image',
    });
  }

  let session = req.sessionId ? resolveSession(p, req.sessionId) : undefined;
  if (session) {
    const live = p.runs.liveRunOfSession(session.id);
    if (live) throw new PaddockError(ErrorCode.Conflict, `session ${session.id} is in use by run ${live.id} (${live.state}); two runs cannot share one conversation`, { hint: `wait for run ${live.id} to end, or stop it` });
  }
  const sessionId = session?.id ?? randomUUID();
  const newSession = !session;

  const now = Date.now();
  const runDir = join(cfg.home, 'runs', id);
  const me = currentOwner();
  const run: Run = {
    id, createdAt: now, updatedAt: now, agent: req.agent, type: req.type, task: req.task,
    prompt: buildPrompt(req.type, req.task, { branch, base: baseRef }),
    repo: repo.root, baseRef, baseSha, branch, bringBack: req.type !== 'explore', image,
    model: req.model ?? null, options: agentOptions as Record<string, unknown>,
    ...limits, sessionId, resume, state: 'pending', phase: 'preparing-checkout',
    reason: null, error: null, exitCode: null, runDir, checkoutDir: null, containerId: null, containerName: `paddock-${id}`,
    modelToken: `pdk_${randomBytes(24).toString('base64url')}`, ownerPid: me.pid, ownerStart: me.start, stopRequested: null, stopDetail: null,
    startedAt: null, finishedAt: null, lastOutputAt: null, stdoutLines: 0, stderrLines: 0,
    resultText: null, numTurns: null, costUsd: null, inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheCreationTokens: null,
    headSha: null, commitsAhead: null, mergedAt: null, mergeSha: null,
  };
  insertRun(p, run);
  p.events.append(id, { kind: 'phase', phase: 'preparing-checkout' });
  if (changesNote) p.events.append(id, { kind: 'note', message: changesNote });

  const volume = session?.volume ?? `paddock-home-${sessionId}`;
  let containerId: string | undefined;
  try {
    const checkout = await createRunCheckout({ paddockHome: cfg.home, repo: repo.root, runDir, branch, baseSha, uid: IN_CONTAINER.uid, gid: IN_CONTAINER.uid, reuseBranch: exists });
    p.runs.update(id, { checkoutDir: checkout.dir });
    if (newSession) {
      await runtime.createVolume(volume, paddockLabels(p.instance, 'session-home', { session: sessionId }));
      session = { id: sessionId, createdAt: now, updatedAt: now, agent: req.agent, repo: repo.root, volume, lastRunId: id };
    }
    p.sessions.upsert({ ...session!, updatedAt: now, lastRunId: id });

    setPhase(p.runs, p.events, id, 'creating-container');
    containerId = await runtime.createContainer(buildAgentContainerSpec({
      instance: p.instance, runId: id, sessionId, name: run.containerName!, image,
      argv: adapter.buildArgv(run.prompt, agentOptions, { sessionId, resume }),
      env: adapter.buildEnv({ baseUrl: `http://127.0.0.1:${MODEL_PORT}`, token: run.modelToken }),
      checkoutDir: checkout.dir, sharedObjectsDir: checkout.objectsDir, sessionVolume: volume, relayDir: relayDirOf(run),
      limits: { memoryBytes: limits.memoryBytes, cpus: limits.cpus, pids: limits.pids },
    }));
    // Hand over: the supervisor claims the run once the owner is cleared.
    transitionRun(p.runs, p.events, id, 'starting', { containerId, ownerPid: null, ownerStart: null });
  } catch (e) {
    if (containerId) await runtime.removeContainer(containerId).catch(() => {});
    if (newSession) {
      await runtime.removeVolume(volume).catch(() => {});
      p.sessions.delete(sessionId);
    }
    await removeCheckout(runDir).catch(() => {});
    rmSync(runDir, { recursive: true, force: true });
    p.runs.delete(id);
    throw e;
  }
  supervise(p, run, opts.supervision);
  return p.runs.get(id)!;
}

/** A session by its id, or by the id (or prefix) of one of its runs: a run id works wherever a session id does. */
export function resolveSession(p: Paddock, ref: string): Session {
  const key = ref.trim();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (UUID.test(key)) {
    const s = p.sessions.get(key.toLowerCase());
    if (!s) throw notFound(`no session ${key}`, 'see `paddock status <run>` for a run\'s session id');
    return s;
  }
  if (!/^[0-9a-f]{1,32}$/i.test(key)) throw invalidInput(`session "${ref}" is neither a session id (a UUID) nor a run id`, 'pass a run id from `paddock ls`, or its session id from `paddock status <run>`');
  const run = findRun(p, key);
  const s = p.sessions.get(run.sessionId);
  if (!s) throw notFound(`run ${run.id}'s session ${run.sessionId} is gone`, 'it was removed (gc --sessions); start a new conversation instead');
  return s;
}

/** The store refuses a second live run on a branch or a session (a partial unique index): say which, as a CONFLICT. */
function insertRun(p: Paddock, run: Run): void {
  try {
    p.runs.insert(run);
  } catch (e) {
    const msg = (e as Error).message;
    if (!/UNIQUE constraint failed/i.test(msg)) throw e;
    const other = /session_id/.test(msg) ? p.runs.liveRunOfSession(run.sessionId) : p.runs.branchTaken(run.repo, run.branch);
    if (/session_id/.test(msg)) throw new PaddockError(ErrorCode.Conflict, `session ${run.sessionId} is in use by run ${other?.id ?? '(another run)'}; two runs cannot share one conversation`, { hint: 'wait for that run to end, or stop it' });
    throw new PaddockError(ErrorCode.Conflict, `branch ${run.branch} is in use by run ${other?.id ?? '(another run)'}${other ? ` (${other.state})` : ''}`, { hint: 'wait for it, stop it, or choose another branch' });
  }
}

function describeChanges(c: WorkingTreeChanges): string {
  const parts = [c.modified ? `${c.modified} changed tracked file(s)` : '', c.untracked ? `${c.untracked} untracked file(s)` : ''].filter(Boolean);
  return `${parts.join(' and ')} (${c.sample.join(', ')}${c.modified + c.untracked > c.sample.length ? ', …' : ''})`;
}
