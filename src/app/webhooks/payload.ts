/**
 * The body POSTed when a run ends: Stromboli's `JobResult` first (job_id, status, output, error, session_id, usage;
 * the optional ones left out when empty, as Go's omitempty does), then Paddock's own fields, which Stromboli
 * receivers ignore. It carries no secrets and no host paths: the receiver is outside.
 */
import type { Run, RunState } from '../../jobs/index.ts';

/**
 * Stromboli's job status for a run that ended, as the Stromboli face's /jobs shows it: it has no timed_out (a
 * failure there), and a run killed by a signal (exit code over 128, e.g. out of memory) crashed.
 */
export function stromboliEndStatus(run: Pick<Run, 'state' | 'exitCode'>): string {
  switch (run.state) {
    case 'failed':
      return (run.exitCode ?? 0) > 128 ? 'crashed' : 'failed';
    case 'timed_out':
      return 'failed';
    default:
      return run.state;
  }
}

/** The job id the Stromboli face gives a run (POST /run/async answers it, /jobs/{id} takes it). */
export const stromboliJobId = (runId: string): string => `job-${runId}`;

export interface WebhookPayload {
  job_id: string;
  status: string;
  output?: string;
  error?: string;
  session_id?: string;
  usage?: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
    total_tokens: number;
    estimated_cost_usd: number;
    model?: string;
  };
  run_id: string;
  state: RunState;
  reason: string | null;
  branch: string;
  head_sha: string | null;
  commits_ahead: number | null;
  finished_at: number | null;
}

/** `model` is what the agent reported it used (its init event), when known. */
export function webhookPayload(run: Run, model: string | undefined): WebhookPayload {
  const input = run.inputTokens ?? 0;
  const output = run.outputTokens ?? 0;
  const cacheCreation = run.cacheCreationTokens ?? 0;
  const cacheRead = run.cacheReadTokens ?? 0;
  const used = run.inputTokens !== null || run.outputTokens !== null || run.costUsd !== null;
  const error = run.state === 'completed' ? undefined : run.error?.split('\n')[0] || run.reason || undefined;
  const usedModel = model ?? run.model ?? undefined;
  return {
    job_id: stromboliJobId(run.id),
    status: stromboliEndStatus(run),
    ...(run.resultText ? { output: run.resultText } : {}),
    ...(error ? { error } : {}),
    ...(run.sessionId ? { session_id: run.sessionId } : {}),
    ...(used
      ? {
          usage: {
            input_tokens: input,
            output_tokens: output,
            cache_creation_input_tokens: cacheCreation,
            cache_read_input_tokens: cacheRead,
            total_tokens: input + output + cacheCreation + cacheRead,
            estimated_cost_usd: run.costUsd ?? 0,
            ...(usedModel ? { model: usedModel } : {}),
          },
        }
      : {}),
    run_id: run.id,
    state: run.state,
    reason: run.reason,
    branch: run.branch,
    head_sha: run.headSha,
    commits_ahead: run.commitsAhead,
    finished_at: run.finishedAt,
  };
}
