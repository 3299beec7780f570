/** spawn: validate everything, make the private checkout, create the hardened container, hand it to a supervisor. */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrompt } from '../agents/claude/index.ts';
import { parseBytes, parseCpus, parseDuration, parsePids } from '../config/index.ts';
import { ErrorCode, PaddockError, notFound } from '../errors/index.ts';
import { currentOwner, relayDirOf, type Run, setPhase, transitionRun } from '../jobs/index.ts';
import { buildAgentContainerSpec, IN_CONTAINER, paddockLabels } from '../runtime/index.ts';
import { branchExists, createRunCheckout, defaultBranchName, inspectRepo, removeCheckout, resolveBase, validateBranchName } from '../workspace/index.ts';
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
  const baseSha = await resolveBase(repo.root, exists ? branch : req.base);

  const runtime = await p.runtime();
  const image = req.image ?? cfg.image;
  if (!(await runtime.imageExists(image))) {
    throw new PaddockError(ErrorCode.ImageNotFound, `image ${image} is not in the engine (${runtime.info.kind} at ${runtime.info.socketPath})`, {
      hint: image === cfg.image ? 'build it with `paddock image build` (npm run up does)' : 'build or pull it first, or leave --image out to use the default agent image',
    });
  }

  let session = req.sessionId ? p.sessions.get(req.sessionId) : undefined;
  if (req.sessionId && !session) throw notFound(`no session ${req.sessionId}`, 'see `paddock status <run>` for a run\'s session id');
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
    modelToken: `pdk_${randomBytes(24).toString('base64url')}`, ownerPid: me.pid, ownerStart: me.start, stopRequested: null,
    startedAt: null, finishedAt: null, lastOutputAt: null, stdoutLines: 0, stderrLines: 0,
    resultText: null, numTurns: null, costUsd: null, inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheCreationTokens: null,
    headSha: null, commitsAhead: null, mergedAt: null, mergeSha: null,
  };
  p.runs.insert(run);
  p.events.append(id, { kind: 'phase', phase: 'preparing-checkout' });

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
