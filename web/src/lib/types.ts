/** The API's shapes the board reads (GET /openapi.json: Run, RunEvent, RunDiff, RunNetwork, MergeResult). */
export type RunState = 'queued' | 'pending' | 'starting' | 'running' | 'stalled' | 'idle' | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'crashed';

export interface Run {
  id: string;
  state: RunState;
  phase: string;
  reason: string | null;
  error: string | null;
  queuePosition: number | null;
  agent: string;
  type: string;
  task: string;
  repo: string;
  workspace: 'clone' | 'scratch' | 'mount';
  baseRef: string;
  baseSha: string;
  branch: string;
  bringBack: boolean;
  image: string;
  model: string | null;
  memoryBytes: number;
  cpus: number;
  pids: number;
  timeoutMs: number;
  keepAlive: boolean;
  parentRunId: string | null;
  rootRunId?: string | null;
  maxBudgetUsd?: number | null;
  sessionId: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
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

export interface RunEvent {
  runId: string;
  seq: number;
  ts: number;
  source: 'agent' | 'stderr' | 'paddock';
  kind: string;
  data: Record<string, unknown>;
}

export interface RunStatus {
  run: Run;
  container: { status: string; running: boolean; exitCode: number | null; oomKilled: boolean } | null;
  session: { sessionId: string; runs: number; inputTokens: number; outputTokens: number; costUsd: number | null };
}

export interface DiffFile {
  path: string;
  oldPath?: string;
  status: string;
  added: number;
  deleted: number;
  binary: boolean;
}

export interface RunDiff {
  runId: string;
  branch: string;
  base: string;
  files: DiffFile[];
  total: { files: number; added: number; deleted: number };
  patch: string;
  live: boolean;
  truncated: boolean;
}

export interface MergeResult {
  run: Run;
  merged: boolean;
  nothingBecause: string | null;
  branch: string;
  into: string;
  squash: boolean;
  commit: string;
}

export interface NetworkAttempt {
  seq: number;
  ts: number;
  host: string;
  port: number;
  method: string;
  allowed: boolean;
  rule: string | null;
  reason: string | null;
  bytesUp: number;
  bytesDown: number;
}

export interface RunNetwork {
  mode: string;
  allow: string[];
  summary: { attempts: number; allowed: number; denied: number; bytesUp: number; bytesDown: number; dropped: number };
  attempts: NetworkAttempt[];
}
