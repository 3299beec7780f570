/** spawn: validate everything, make the private checkout, create the hardened container, hand it to a supervisor. */
import { randomBytes, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { buildPrompt } from '../agents/claude/index.ts';
import { formatBytes, formatDuration, parseBytes, parseCpus, parseDuration, parsePids } from '../config/index.ts';
import { ErrorCode, PaddockError, invalidInput, notFound } from '../errors/index.ts';
import type { Interactive, Run } from '../jobs/index.ts';
import type { Session } from '../store/sessions-repo.ts';
import { branchExists, defaultBranchName, hasChanges, inspectRepo, resolveBase, snapshotWorkingTree, validateBranchName, workingTreeChanges, type WorkingTreeChanges } from '../workspace/index.ts';
import { findRun } from './find-run.ts';
import { checkSessionRepo } from './sessions.ts';
import { agentFor } from './agents.ts';
import { withAgentChoice } from './agent-choice.ts';
import { persistenceOf, queueFirstMessage } from './messages.ts';

import type { Paddock } from './context.ts';
import { type ParsedSpawnInput, spawnInputSchema, type SpawnInput } from './spawn-input.ts';
import { mountableDir, scratchDirOf } from './workspaces.ts';
import { validate } from './validate.ts';
import { checkWebhookTarget } from './webhooks/target.ts';
import { networkRepo, settleNetwork } from './network.ts';
import { checkImagePolicy, checkMountPolicy, checkRepoPolicy } from './policy.ts';
import { checkRunSecrets, runGrants } from './secrets.ts';
import { settleGatewayLimits } from './gateway-limits.ts';
import { runServicesRepo, settleServices, withCompose } from './services.ts';
import { checkAgentImage } from './toolbox.ts';
import { recordRunLifecycle, settleLifecycle } from './hooks.ts';
import { chooseImage, missingImageHint } from './image-chain.ts';
import { applyProfile, recordProfile } from './spawn-profile.ts';

/**
 * Validates the whole request, then records the run as queued and returns it; the host takes it from the queue when a
 * slot is free (at once, usually), makes its checkout and container, and supervises it. Bad input fails here, before
 * anything is made.
 */
export async function spawnRun(p: Paddock, input: SpawnInput, opts: SpawnOptions = {}): Promise<Run> {
  // The project's and persona's defaults fill what the request leaves out (app/spawn-profile.ts).
  // A Compose environment gives the run its image and services (app/services.ts).
  const profile = applyProfile(p, withAgentChoice(validate(spawnInputSchema, await withCompose(p, input))));
  const req = profile.req;
  const cfg = p.config;
  const limits = {
    // A CLI that needs more than the default gets what it needs (its adapter's minMemoryBytes: Gemini's 1g).
    memoryBytes: req.memory === undefined ? Math.max(cfg.memory, agentFor(req.agent).minMemoryBytes ?? 0) : parseBytes(req.memory, 'memory limit'),
    cpus: req.cpus === undefined ? cfg.cpus : parseCpus(req.cpus),
    pids: req.pids === undefined ? cfg.pids : parsePids(req.pids),
    // A persistent run lives as long as it is talked to (its idle timeout ends it): its default limit is the longest.
    timeoutMs: req.timeout === undefined ? (req.keepAlive ? cfg.maxTimeout : cfg.timeout) : parseDuration(req.timeout, 'timeout'),
  };
  if (limits.timeoutMs > cfg.maxTimeout) {
    throw new PaddockError(ErrorCode.InvalidInput, `timeout ${formatDuration(limits.timeoutMs)} is above the longest allowed, ${formatDuration(cfg.maxTimeout)}`, {
      hint: 'ask for less, or raise PADDOCK_MAX_TIMEOUT',
    });
  }
  if (limits.memoryBytes < 64 * 1024 ** 2) throw new PaddockError(ErrorCode.InvalidInput, 'memory limit below 64m', { hint: 'an agent needs at least 64m; 512m is the default' });
  const needs = agentFor(req.agent).minMemoryBytes ?? 0;
  if (limits.memoryBytes < needs)
    throw invalidInput(`memory limit ${formatBytes(limits.memoryBytes)} is below the ${formatBytes(needs)} the ${req.agent} CLI needs`, `ask for ${formatBytes(needs)} or more, or leave --memory out`);
  if (req.interactive && req.agent !== 'claude') throw invalidInput(`interactive: the ${req.agent} CLI has no interactive mode in Paddock`, 'use agent claude, or leave interactive out');
  if ((opts.interactive || req.interactive) && req.keepAlive)
    throw invalidInput('keepAlive and interactive: pass one', 'an interactive run takes its input from the terminal, a persistent one from messages');
  if (req.resume && !req.sessionId) throw new PaddockError(ErrorCode.InvalidInput, 'resume needs a session id', { hint: 'pass the session id of an earlier run (paddock status <id> shows it)' });
  if (req.webhookUrl !== undefined) await checkWebhookTarget(req.webhookUrl, cfg.webhookAllowPrivate);
  const network = settleNetwork(p, req.network);
  // Lifecycle hooks (app/hooks.ts): checked now, stored with the run, run by the entry script before the agent.
  const lifecycle = settleLifecycle(p, req.lifecycle);
  // The CLI refuses to start a conversation under an existing session id, so continuing a session means resuming it.
  const resume = req.sessionId !== undefined;

  const adapter = agentFor(req.agent);
  const agentOptions = adapter.parseOptions({ ...req.agentOptions, ...(req.model ? { model: req.model } : {}) });
  const persistence = persistenceOf(req, cfg, adapter);
  const gatewayLimits = settleGatewayLimits(p, req, agentOptions as Record<string, unknown>);

  const id = randomBytes(6).toString('hex');
  const runDir = join(cfg.home, 'runs', id);
  // The repository policy before anything reads or writes the repository (withChanges writes objects into it).
  if (req.repo !== undefined) checkRepoPolicy(p, resolve(req.repo));
  const { repo, branch, exists, baseRef, baseSha, changesNote } = req.workspace === 'clone' ? await cloneTarget(p, req, id) : await plainTarget(p, req, runDir);
  if (req.workspace !== 'scratch') checkRepoPolicy(p, repo);

  const runtime = await p.runtime();
  const imageChoice = chooseImage(profile.imageChain(cfg.image));
  const image = imageChoice.image;
  if (!(await runtime.imageExists(image))) {
    throw new PaddockError(ErrorCode.ImageNotFound, `image ${image} is not in the engine (${runtime.info.kind} at ${runtime.info.socketPath}); it came from ${imageChoice.from}`, {
      hint: missingImageHint(imageChoice),
    });
  }

  checkImagePolicy(p, image);
  // An image other than Paddock's runs with the toolbox: it must be one the toolbox can run in (app/toolbox.ts).
  const { toolbox } = await checkAgentImage(runtime, image);
  // The toolbox carries Claude Code only: the other CLIs are in Paddock's agent image (and the stacks FROM it).
  if (toolbox && req.agent !== 'claude')
    throw invalidInput(
      `image ${image} is not Paddock's agent image, and the toolbox it would run with has Claude Code only, not ${req.agent}`,
      `run ${req.agent} on ${cfg.image} or a stack image built FROM it (paddock image build node …)`,
    );
  const mounts = checkMountPolicy(p, req.mounts, runtime.info.kind);
  checkRunSecrets(p, req.secretsEnv);
  // Services (docs/services.md): each image present and allowed, before anything is made.
  const services = await settleServices(p, runtime, { services: req.services, keepServices: req.keepServices, networkMode: network.mode, compose: req.compose });

  if (req.newSessionId !== undefined && req.sessionId !== undefined) throw invalidInput('sessionId and newSessionId: pass one (continue a session, or start one with a chosen id)');
  if (req.newSessionId !== undefined && p.sessions.get(req.newSessionId.toLowerCase())) {
    throw new PaddockError(ErrorCode.Conflict, `session ${req.newSessionId} already exists`, { hint: 'pass it as sessionId to continue it, or choose another id' });
  }
  const session = req.sessionId ? resolveSession(p, req.sessionId) : undefined;
  if (session) {
    checkSessionRepo(p, session, req.workspace, repo);
    // A conversation is one CLI's: Codex cannot resume Claude's, nor the other way round.
    if (session.agent !== req.agent)
      throw invalidInput(`session ${session.id} is a ${session.agent} conversation, not ${req.agent}'s`, `continue it with cli ${session.agent}, or start a new session`);
    const live = p.runs.liveRunOfSession(session.id);
    if (live)
      throw new PaddockError(ErrorCode.Conflict, `session ${session.id} is in use by run ${live.id} (${live.state}); two runs cannot share one conversation`, {
        hint: `wait for run ${live.id} to end, or stop it`,
      });
  }
  const sessionId = session?.id ?? req.newSessionId?.toLowerCase() ?? randomUUID();
  const newSession = !session;

  const now = Date.now();
  const run: Run = {
    id,
    createdAt: now,
    updatedAt: now,
    agent: req.agent,
    type: req.type,
    task: req.task,
    // The task-type templates speak of a branch: scratch and mount runs (which have none) get the task as it is.
    prompt: req.verbatim || req.workspace !== 'clone' ? req.task : buildPrompt(req.type, req.task, { branch, base: baseRef, persistent: req.keepAlive }),
    repo,
    baseRef,
    baseSha,
    branch,
    bringBack: req.workspace === 'clone' && req.type !== 'explore',
    image,
    model: req.model ?? null,
    options: agentOptions as Record<string, unknown>,
    ...limits,
    sessionId,
    resume,
    state: 'queued',
    phase: 'queued',
    reason: null,
    error: null,
    exitCode: null,
    runDir,
    checkoutDir: null,
    containerId: null,
    containerName: `paddock-${id}`,
    modelToken: `pdk_${randomBytes(24).toString('base64url')}`,
    ownerPid: null,
    ownerStart: null,
    ownerId: null,
    reuseBranch: exists,
    newSession,
    workspace: req.workspace,
    ...persistence,
    ...gatewayLimits,

    stopRequested: null,
    stopDetail: null,
    startedAt: null,
    finishedAt: null,
    lastOutputAt: null,
    stdoutLines: 0,
    stderrLines: 0,
    resultText: null,
    numTurns: null,
    costUsd: null,
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheCreationTokens: null,
    headSha: null,
    commitsAhead: null,
    mergedAt: null,
    mergeSha: null,
    webhookUrl: req.webhookUrl ?? null,
    coordinator: req.coordinator,
    interactive: opts.interactive ?? (req.interactive ? 'agent' : null),
  };
  // The session row first: the run refers to it, and a later resume finds it even while this run is queued.
  p.sessions.upsert(
    session ? { ...session, updatedAt: now, lastRunId: id } : { id: sessionId, createdAt: now, updatedAt: now, agent: req.agent, repo, volume: `paddock-home-${sessionId}`, lastRunId: id },
  );
  try {
    insertRun(p, run);
    networkRepo(p).setPolicy({ runId: id, ...network });
  } catch (e) {
    if (newSession) p.sessions.delete(sessionId);
    throw e;
  }
  runGrants(p).set(id, { mounts, secretsEnv: req.secretsEnv });
  runServicesRepo(p).set(id, services);
  recordRunLifecycle(p, id, lifecycle);
  p.events.append(id, { kind: 'state', from: 'new', to: 'queued', reason: null });
  if (opts.firstMessage !== false) queueFirstMessage(p, p.runs.get(id)!);

  if (changesNote) p.events.append(id, { kind: 'note', message: changesNote });
  recordProfile(p, id, profile, imageChoice.from);
  p.host.kick();
  return p.runs.get(id)!;
}

interface Target {
  /** clone: the repository's top level; scratch: the run's empty directory; mount: the directory's real path. */
  repo: string;
  branch: string;
  /** The branch exists already (the run continues on it). */
  exists: boolean;
  baseRef: string;
  baseSha: string;
  changesNote: string | undefined;
}

/** A clone: the repository, the run branch (new, or reused) and the commit it starts from, all checked. */
async function cloneTarget(p: Paddock, req: ParsedSpawnInput, id: string): Promise<Target> {
  if (req.repo === undefined) throw invalidInput('repo is required: the path of a git repository', 'pass repo (or a project: its path is the repo), or workspace scratch for an empty workspace');
  const repo = await inspectRepo(req.repo);
  const branch = req.branch ?? defaultBranchName(req.task, id);
  await validateBranchName(repo.root, branch);
  const exists = await branchExists(repo.root, branch);
  if (exists && !req.reuseBranch) {
    throw new PaddockError(ErrorCode.Conflict, `branch ${branch} already exists in ${repo.root}`, { hint: 'choose another --branch, or pass --reuse-branch to continue on it' });
  }
  if (exists && req.base !== undefined) {
    throw new PaddockError(ErrorCode.InvalidInput, `--base ${req.base} cannot apply: branch ${branch} exists, and the run continues from its tip`, {
      hint: 'leave --base out, or choose a new --branch',
    });
  }
  const taken = p.runs.branchTaken(repo.root, branch);
  if (taken) throw new PaddockError(ErrorCode.Conflict, `branch ${branch} is in use by run ${taken.id} (${taken.state})`, { hint: 'wait for it, stop it, or choose another --branch' });
  const baseRef = exists ? branch : (req.base ?? repo.currentBranch ?? 'HEAD');
  let baseSha = await resolveBase(repo.root, exists ? branch : req.base);
  const changes = await workingTreeChanges(repo.root);
  let changesNote: string | undefined;
  if (req.withChanges) {
    if (exists || req.base !== undefined)
      throw invalidInput(
        'withChanges carries the working tree on top of HEAD, so it cannot go with an existing branch or a base',
        'leave out the base (or the reused branch), or commit your changes first',
      );
    if (hasChanges(changes)) {
      baseSha = await snapshotWorkingTree(repo.root, baseSha, `paddock: working tree of ${repo.root} at spawn (uncommitted changes)`);
      changesNote = `started from the working tree: ${describeChanges(changes)} carried into the starting commit ${baseSha.slice(0, 10)}`;
    }
  } else if (hasChanges(changes)) {
    changesNote = `the working tree has ${describeChanges(changes)}; the agent starts from ${baseRef} without them (withChanges carries them in)`;
  }
  return { repo: repo.root, branch, exists, baseRef, baseSha, changesNote };
}

/**
 * Scratch or mount: no repository, so no branch and no base (stored empty). A mounted directory belongs to one live
 * run at a time, as a branch does (the store's live (repo, branch) index holds for it too).
 */
async function plainTarget(p: Paddock, req: ParsedSpawnInput, runDir: string): Promise<Target> {
  const gitOnly = (['branch', 'base'] as const).find((k) => req[k] !== undefined) ?? (req.reuseBranch ? 'reuseBranch' : req.withChanges ? 'withChanges' : undefined);
  if (gitOnly) throw invalidInput(`${gitOnly} applies to clone workspaces only (this run's workspace is ${req.workspace})`, `leave ${gitOnly} out`);
  let repo: string;
  if (req.workspace === 'scratch') {
    if (req.repo !== undefined) throw invalidInput('repo: a scratch workspace starts empty, it takes no repo', 'leave repo out, or use workspace clone or mount');
    repo = scratchDirOf(runDir);
  } else {
    if (req.repo === undefined) throw invalidInput('repo is required: the directory to mount', 'pass the directory as repo');
    repo = await mountableDir(p, req.repo);
    const taken = p.runs.branchTaken(repo, '');
    if (taken)
      throw new PaddockError(ErrorCode.Conflict, `directory ${repo} is in use by run ${taken.id} (${taken.state})`, { hint: 'wait for it, or stop it: two agents never share a mounted directory' });
  }
  return { repo, branch: '', exists: false, baseRef: '', baseSha: '', changesNote: undefined };
}

export interface SpawnOptions {
  /** false: a persistent run whose task is not sent; it waits for its first message (Stromboli's agent without a prompt). */
  firstMessage?: boolean;
  /** An interactive run (app/shell.ts): its container gets a TTY, and a terminal attaches to it (docs/shell.md). */
  interactive?: Interactive;
}

/** A session by its id, or by the id (or prefix) of one of its runs: a run id works wherever a session id does. */

export function resolveSession(p: Paddock, ref: string): Session {
  const key = ref.trim();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (UUID.test(key)) {
    const s = p.sessions.get(key.toLowerCase());
    if (!s) throw notFound(`no session ${key}`, "see `paddock status <run>` for a run's session id");
    return s;
  }
  if (!/^[0-9a-f]{1,32}$/i.test(key))
    throw invalidInput(`session "${ref}" is neither a session id (a UUID) nor a run id`, 'pass a run id from `paddock ls`, or its session id from `paddock status <run>`');
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
    if (/session_id/.test(msg))
      throw new PaddockError(ErrorCode.Conflict, `session ${run.sessionId} is in use by run ${other?.id ?? '(another run)'}; two runs cannot share one conversation`, {
        hint: 'wait for that run to end, or stop it',
      });
    if (run.workspace === 'mount') throw new PaddockError(ErrorCode.Conflict, `directory ${run.repo} is in use by run ${other?.id ?? '(another run)'}`, { hint: 'wait for it, or stop it' });
    throw new PaddockError(ErrorCode.Conflict, `branch ${run.branch} is in use by run ${other?.id ?? '(another run)'}${other ? ` (${other.state})` : ''}`, {
      hint: 'wait for it, stop it, or choose another branch',
    });
  }
}

function describeChanges(c: WorkingTreeChanges): string {
  const parts = [c.modified ? `${c.modified} changed tracked file(s)` : '', c.untracked ? `${c.untracked} untracked file(s)` : ''].filter(Boolean);
  return `${parts.join(' and ')} (${c.sample.join(', ')}${c.modified + c.untracked > c.sample.length ? ', …' : ''})`;
}
