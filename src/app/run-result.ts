/**
 * What a run answered, for surfaces that hand back a result rather than a stream (a synchronous run, a job): the
 * final text, the structured output, the result as Claude Code prints it with `--output-format json`, and (while
 * the container exists) the raw stream-json lines. Waiting for a run's end lives here too.
 */
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { outputRedactor } from './secrets.ts';

export interface RunResult {
  /** The agent's final answer ('' when it gave none). */
  text: string;
  /** With a json_schema option: the validated structured answer; undefined when there is none. */
  structuredOutput: unknown;
  /** The result line in Claude Code's own JSON shape (what `claude -p --output-format json` prints); undefined without a result. */
  envelope: Record<string, unknown> | undefined;
  /** The model that answered, as the agent reported it at start (else the model the run asked for). */
  model: string | null;
  /** The agent reported an error as its result (max turns, budget, …). */
  isError: boolean;
}

export function runResult(p: Paddock, run: Run): RunResult {
  const last = p.events.lastOfKind(run.id, 'result');
  const init = p.events.lastOfKind(run.id, 'init');
  const model = typeof init?.data.model === 'string' && init.data.model !== '' ? init.data.model : run.model;
  if (!last) return { text: run.resultText ?? '', structuredOutput: undefined, envelope: undefined, model, isError: false };
  const d = last.data;
  const structuredOutput = d.structuredOutput ?? undefined;
  const envelope: Record<string, unknown> = {
    type: 'result',
    subtype: d.subtype,
    is_error: d.isError === true,
    duration_ms: d.durationMs,
    num_turns: d.numTurns,
    result: d.result,
    session_id: d.sessionId,
    // Cost and usage are the gateway's count, never the result line's (any tool in the run could have printed one).
    total_cost_usd: run.costUsd ?? 0,
    usage: {
      input_tokens: run.inputTokens ?? 0,
      output_tokens: run.outputTokens ?? 0,
      cache_read_input_tokens: run.cacheReadTokens ?? 0,
      cache_creation_input_tokens: run.cacheCreationTokens ?? 0,
    },
    ...(structuredOutput !== undefined ? { structured_output: structuredOutput } : {}),
  };
  return { text: typeof d.result === 'string' ? d.result : (run.resultText ?? ''), structuredOutput, envelope, model, isError: d.isError === true };
}

/** The most of a run's raw output handed back at once: a result body is held in memory whole. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * The run's raw stdout lines (stream-json) as its container logged them, or undefined once the container is gone
 * (removed after PADDOCK_JOB_TTL, by gc or rm) or the engine is unreachable. Capped at 32 MiB: later lines are
 * dropped and a last line says so.
 */
export async function runOutputLines(p: Paddock, run: Run): Promise<string[] | undefined> {
  if (!run.containerId) return undefined;
  try {
    const runtime = await p.runtime();
    if (!(await runtime.inspectContainer(run.containerId))) return undefined;
    const lines: string[] = [];
    let bytes = 0;
    // The raw log holds what the agent printed: its secret values are redacted as in the event log (or, when they
    // can no longer be known, the log is not used).
    const redact = outputRedactor(p, run);
    if (redact === 'withhold') return undefined;
    for await (const raw of runtime.logs(run.containerId, { follow: false })) {
      if (raw.stream !== 'stdout') continue;
      const l = { ...raw, line: redact(raw.line) };
      bytes += Buffer.byteLength(l.line) + 1;
      if (bytes > MAX_OUTPUT_BYTES) {
        lines.push(JSON.stringify({ type: 'paddock', message: `output truncated at ${MAX_OUTPUT_BYTES} bytes` }));
        break;
      }
      lines.push(l.line);
    }
    return lines;
  } catch {
    return undefined;
  }
}

/** Resolves with the run once it has ended, or when signal aborts (with the run as it is then). */
export async function waitForRun(p: Paddock, runId: string, signal?: AbortSignal): Promise<Run | undefined> {
  return p.host.waitForEnd(runId, signal);
}
