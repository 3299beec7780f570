/**
 * What use cases hand to the surfaces: views that carry no secrets (the run's model token), no owner pids, no
 * internal paths and no stack traces. The CLI, the API, MCP and the board all print these same fields; the schemas
 * are also the API's documented response types.
 */
import { z } from 'zod';
import { INTERACTIVE_KINDS, RUN_PHASES, RUN_STATES, TASK_TYPES, type Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import type { MergeRunResult } from './git-ops.ts';

export const runViewSchema = z
  .object({
    id: z.string().describe('Run id (12 hex characters; a unique prefix works wherever an id is asked for)'),
    state: z.enum(RUN_STATES),
    phase: z.enum(RUN_PHASES),
    reason: z.string().nullable().describe('Why it ended the way it did, in a few words'),
    error: z.string().nullable().describe('The error that ended it, one line'),
    queuePosition: z.number().int().nullable().describe('1-based place in the queue while queued'),
    supervised: z.boolean().describe('A live supervisor host owns the run'),
    agent: z.string(),
    type: z.enum(TASK_TYPES),
    task: z.string(),
    repo: z.string().describe('The repository the run works on (top-level directory)'),
    workspace: z.enum(['clone', 'scratch', 'mount']),
    baseRef: z.string(),
    baseSha: z.string(),
    branch: z.string(),
    bringBack: z.boolean(),
    image: z.string(),
    model: z.string().nullable(),
    options: z.record(z.string(), z.unknown()).describe('Agent options as validated'),
    memoryBytes: z.number(),
    cpus: z.number(),
    pids: z.number(),
    timeoutMs: z.number(),
    keepAlive: z.boolean(),
    idleTimeoutMs: z.number().nullable(),
    parentRunId: z.string().nullable().describe('The run this one was spawned on behalf of'),
    rootRunId: z.string().nullable().describe("The top of this run's tree, whose budget its spend counts against (null: it is its own root)"),
    coordinator: z.boolean().describe("A coordinator run: its agent has Paddock's MCP tools, speaking for it (docs/coordinator.md)"),
    interactive: z
      .enum(INTERACTIVE_KINDS)
      .nullable()
      .describe("An interactive run (docs/shell.md): shell, a terminal in the run's container; agent, the agent CLI's own interface in a terminal; null: headless"),
    maxBudgetUsd: z.number().nullable().describe("The run's budget in US dollars (for a root, its whole tree's), enforced by Paddock's model gateway"),
    allowedModels: z.array(z.string()).nullable().describe('Model globs the gateway lets the run use (null: any)'),
    maxTokens: z.number().nullable().describe('The largest max_tokens a model call of the run may ask for (null: no cap)'),
    sessionId: z.string(),
    resume: z.boolean(),
    containerId: z.string().nullable(),
    containerName: z.string().nullable(),
    checkoutDir: z.string().nullable(),
    exitCode: z.number().nullable(),
    createdAt: z.number().describe('Epoch milliseconds'),
    updatedAt: z.number(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    lastOutputAt: z.number().nullable(),
    stdoutLines: z.number(),
    stderrLines: z.number(),
    resultText: z.string().nullable().describe("The agent's final answer, as the agent reported it (resultSource): text a tool could have forged, never a count"),
    resultSource: z.literal('agent').describe("Where resultText and numTurns come from: the agent's own result line. Cost, tokens and the state are Paddock's (the gateway's count, the exit code)"),
    numTurns: z.number().nullable().describe('Agent-reported'),
    costUsd: z.number().nullable().describe("What this run's own model calls cost so far, as Paddock's gateway counted and priced them (live while it runs; not the whole conversation)"),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    cacheReadTokens: z.number().nullable(),
    cacheCreationTokens: z.number().nullable(),
    headSha: z.string().nullable(),
    commitsAhead: z.number().nullable(),
    mergedAt: z.number().nullable(),
    mergeSha: z.string().nullable(),
    stopRequested: z.enum(['user', 'timeout', 'upstream', 'budget', 'disk']).nullable(),
  })
  .meta({ id: 'Run' });

export type RunView = z.infer<typeof runViewSchema>;

/** A run as every surface shows it. */
export function runView(p: Paddock, run: Run): RunView {
  return {
    id: run.id,
    state: run.state,
    phase: run.phase,
    reason: run.reason,
    error: run.error === null ? null : (run.error.split('\n')[0] ?? ''),
    queuePosition: p.runs.queuePosition(run) ?? null,
    supervised: run.ownerPid !== null && p.host.isLiveOwner(run),
    agent: run.agent,
    type: run.type,
    task: run.task,
    repo: run.repo,
    workspace: run.workspace,
    baseRef: run.baseRef,
    baseSha: run.baseSha,
    branch: run.branch,
    bringBack: run.bringBack,
    image: run.image,
    model: run.model,
    options: run.options,
    memoryBytes: run.memoryBytes,
    cpus: run.cpus,
    pids: run.pids,
    timeoutMs: run.timeoutMs,
    keepAlive: run.keepAlive,
    idleTimeoutMs: run.idleTimeoutMs,
    parentRunId: run.parentRunId,
    rootRunId: run.rootRunId,
    coordinator: run.coordinator === true,
    interactive: run.interactive ?? null,
    maxBudgetUsd: run.maxBudgetUsd,
    allowedModels: run.allowedModels,
    maxTokens: run.maxTokens,
    sessionId: run.sessionId,
    resume: run.resume,
    containerId: run.containerId,
    containerName: run.containerName,
    checkoutDir: run.checkoutDir,
    exitCode: run.exitCode,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    lastOutputAt: run.lastOutputAt,
    stdoutLines: run.stdoutLines,
    stderrLines: run.stderrLines,
    resultText: run.resultText,
    resultSource: 'agent',
    numTurns: run.numTurns,
    costUsd: run.costUsd,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    cacheReadTokens: run.cacheReadTokens,
    cacheCreationTokens: run.cacheCreationTokens,
    headSha: run.headSha,
    commitsAhead: run.commitsAhead,
    mergedAt: run.mergedAt,
    mergeSha: run.mergeSha,
    stopRequested: run.stopRequested,
  };
}

export const sessionUsageSchema = z
  .object({
    sessionId: z.string(),
    runs: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadTokens: z.number(),
    cacheCreationTokens: z.number(),
    costUsd: z.number().nullable(),
  })
  .meta({ id: 'SessionUsage' });

export const eventViewSchema = z
  .object({
    runId: z.string(),
    seq: z.number().int().describe('Increasing per run: resume a stream after it (Last-Event-ID, ?after=)'),
    ts: z.number().describe('Epoch milliseconds'),
    source: z.enum(['agent', 'stderr', 'paddock', 'gateway']),
    kind: z.string().describe('init, text, thinking, tool_use, tool_result, result, error, other (agent); state, phase, note (paddock); stderr'),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'RunEvent' });

/** What a merge answers on every surface (API, MCP): the result, with the run as its view. */
export const mergeViewSchema = z.object({
  run: runViewSchema,
  merged: z.boolean(),
  nothingBecause: z.string().nullable(),
  branch: z.string(),
  into: z.string(),
  squash: z.boolean(),
  commit: z.string().describe('The new head of into (its unchanged head when nothing was merged)'),
  previous: z.string(),
  updatedWorktree: z.string().nullable(),
  status: z.string(),
  message: z.string(),
});

export function mergeView(p: Paddock, r: MergeRunResult): z.infer<typeof mergeViewSchema> {
  const { run, merged, nothingBecause, branch, into, squash, commit, previous, updatedWorktree, status, message } = r;
  return { run: runView(p, run), merged, nothingBecause, branch, into, squash, commit, previous, updatedWorktree, status, message };
}
