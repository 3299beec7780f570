import type { RunPhase, RunState } from './states.ts';

/** clone: a private clone of repo; scratch: an empty workspace (nothing comes back); mount: a directory mounted as is. */
export type WorkspaceKind = 'clone' | 'scratch' | 'mount';

export type StopRequest = 'user' | 'timeout' | 'upstream' | 'budget' | 'disk';

/** What an interactive run's terminal runs: a shell, or the agent CLI's own interface. */
export const INTERACTIVE_KINDS = ['shell', 'agent'] as const;
export type Interactive = (typeof INTERACTIVE_KINDS)[number];

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
  /** The supervisor host that owns the run (several can live in one process). */
  ownerId: string | null;
  /** The run continues an existing branch (decided at spawn). */
  reuseBranch: boolean;
  /** The run starts a new agent session, whose HOME volume is made when it leaves the queue. */
  newSession: boolean;
  workspace: WorkspaceKind;
  /** A persistent run: takes further turns (messages) until stopped or idle too long. */
  keepAlive: boolean;
  idleTimeoutMs: number | null;
  parentRunId: string | null;
  /** The run at the top of this run's tree (itself when it has no parent): whose budget its spend counts against. */
  rootRunId: string | null;
  /** The most this run (with the runs spawned on its behalf) may spend on model calls, in US dollars; the gateway enforces it. */
  maxBudgetUsd: number | null;
  /** Model globs the gateway lets this run use (null: any). */
  allowedModels: string[] | null;
  /** The largest max_tokens the gateway lets a Messages call of this run ask for (null: no cap). */
  maxTokens: number | null;
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
  /** Where the run's end is POSTed (signed), when the spawn asked for it; the store has it as null otherwise. */
  webhookUrl?: string | null;
  /** A coordinator: the daemon serves it Paddock's MCP on mcp.sock, speaking for it (absent: false). */
  coordinator?: boolean;
  /**
   * An interactive run (docs/shell.md): 'shell', a terminal in the run's container (paddock shell); 'agent', the agent
   * CLI's own TUI (spawn --interactive). Its container has a TTY; none of its output is stored. null/absent: headless.
   */
  interactive?: Interactive | null;
}
