import type { RunPhase, RunState } from './states.ts';

export type StopRequest = 'user' | 'timeout' | 'upstream';

export const TASK_TYPES = ['feature', 'test', 'mutation', 'explore'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** One run: an agent, a task, a private checkout, a container. The row Paddock keeps for it. */
export interface Run {
  id: string;
  createdAt: number;
  updatedAt: number;
  agent: string;
  type: TaskType;
  task: string;
  /** The full prompt the agent received (the task wrapped in the task type's template). */
  prompt: string;
  repo: string;
  baseRef: string;
  baseSha: string;
  branch: string;
  /** false for explore runs: nothing comes back. */
  bringBack: boolean;
  image: string;
  model: string | null;
  /** Agent options as validated (JSON). */
  options: Record<string, unknown>;
  memoryBytes: number;
  cpus: number;
  pids: number;
  timeoutMs: number;
  sessionId: string;
  resume: boolean;
  state: RunState;
  phase: RunPhase;
  /** Why it ended the way it did, in a few words (e.g. "out of memory", "stopped by user"). */
  reason: string | null;
  error: string | null;
  exitCode: number | null;
  runDir: string;
  checkoutDir: string | null;
  containerId: string | null;
  containerName: string | null;
  /** The per-run capability token the agent presents to Paddock's model relay. */
  modelToken: string;
  ownerPid: number | null;
  ownerStart: string | null;
  /** Set when someone asked the run to end early: a user (stop), its timeout, or Paddock (its model endpoint is unreachable). */
  stopRequested: StopRequest | null;
  /** What lies behind stopRequested, in words (e.g. the upstream error), when there is more to say. */
  stopDetail: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  lastOutputAt: number | null;
  stdoutLines: number;
  stderrLines: number;
  resultText: string | null;
  numTurns: number | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheCreationTokens: number | null;
  headSha: string | null;
  commitsAhead: number | null;
  mergedAt: number | null;
  mergeSha: string | null;
}
