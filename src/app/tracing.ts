/**
 * Traces of the daemon (only when PADDOCK_TRACING_ENDPOINT is set; OpenTelemetry is imported here, lazily, and
 * nowhere else). A run is one span from being recorded to its end, a child span per state it passes through (queued,
 * pending, starting, running, stalled, idle), and under it the engine and git calls made while supervising it. A run
 * spawned by an API request is a child of that request's span. The spans follow the run's state events as they are
 * stored, so what a trace says is what the database says.
 */
import type { StoredEvent } from '../events/index.ts';
import { isTerminal, type Run, type RunState } from '../jobs/index.ts';
import { installTracer, type SpanHandle, tracer, tracingOn } from '../telemetry/index.ts';
import type { Paddock } from './context.ts';
import { VERSION } from './version.ts';

interface OpenRun {
  span: SpanHandle;
  state?: { name: RunState; span: SpanHandle } | undefined;
}

const open = new WeakMap<Paddock, Map<string, OpenRun>>();

/**
 * Starts tracing for this Paddock when the config asks for it; returns what stops it (ends the spans of runs still
 * open, marked as let go, and sends what is buffered). Without PADDOCK_TRACING_ENDPOINT: nothing is loaded.
 */
export async function startTracing(p: Paddock, opts: { flushEveryMs?: number } = {}): Promise<() => Promise<void>> {
  const endpoint = p.config.tracingEndpoint;
  if (!endpoint) return async () => {};
  const { createOtelTracer } = await import('../telemetry/otel.ts');
  installTracer(createOtelTracer({ endpoint, serviceName: p.config.tracingServiceName, serviceVersion: VERSION, ...opts }));
  const runs = new Map<string, OpenRun>();
  open.set(p, runs);
  const off = p.events.onAny((e) => {
    if (e.kind !== 'state') return;
    try {
      onState(p, runs, e);
    } catch {
      // a span is not worth failing the event's writer for
    }
  });
  return async () => {
    off();
    for (const [id, r] of runs) {
      r.state?.span.end();
      r.span.setAttributes({ 'paddock.run.let_go': true });
      r.span.end();
      runs.delete(id);
    }
    await tracer().shutdown();
    installTracer(undefined);
  };
}

/**
 * Runs fn (a run's supervision) inside the run's span, so the engine and git calls it makes are its children. Call
 * it from a later tick than the spawn (the host does, after the engine is there): by then the run's queued event has
 * opened its span as a child of the spawning request.
 */
export function inRunSpan<T>(p: Paddock, runId: string, fn: () => T): T {
  if (!tracingOn()) return fn();
  const runs = open.get(p);
  const run = runs ? ensureOpen(p, runs, runId, true) : undefined;
  return run ? tracer().withActive(run.span, fn) : fn();
}

function onState(p: Paddock, runs: Map<string, OpenRun>, e: StoredEvent): void {
  const to = String(e.data.to) as RunState;
  // The first state event (new → queued) is stored while the spawn is served: its request is the active span.
  const r = ensureOpen(p, runs, e.runId, e.data.from !== 'new');
  if (!r) return;
  r.state?.span.end(e.ts);
  r.state = undefined;
  if (isTerminal(to)) {
    const run = p.runs.get(e.runId);
    r.span.setAttributes({
      'paddock.run.state': to,
      'paddock.run.reason': run?.reason ?? undefined,
      'paddock.run.exit_code': run?.exitCode ?? undefined,
      'paddock.run.input_tokens': run?.inputTokens ?? undefined,
      'paddock.run.output_tokens': run?.outputTokens ?? undefined,
      'paddock.run.cost_usd': run?.costUsd ?? undefined,
      'paddock.run.commits_ahead': run?.commitsAhead ?? undefined,
    });
    if (to !== 'completed') r.span.fail(new Error(run?.reason ?? to));
    r.span.end(e.ts);
    runs.delete(e.runId);
    return;
  }
  r.state = { name: to, span: tracer().startSpan(`run.${to}`, { 'paddock.run.id': e.runId, 'paddock.run.state': to }, { parent: r.span, startTime: e.ts }) };
}

/** The run's open span, opened now if it has none (root: not under whatever span is active, e.g. after a restart). */
function ensureOpen(p: Paddock, runs: Map<string, OpenRun>, runId: string, root: boolean): OpenRun | undefined {
  const have = runs.get(runId);
  if (have) return have;
  const run = p.runs.get(runId);
  if (!run || isTerminal(run.state)) return undefined;
  const r: OpenRun = { span: tracer().startSpan('run', runAttributes(run), { startTime: run.createdAt, root }) };
  runs.set(runId, r);
  return r;
}

function runAttributes(run: Run): Record<string, string | number | boolean> {
  return {
    'paddock.run.id': run.id,
    'paddock.run.type': run.type,
    'paddock.run.agent': run.agent,
    'paddock.run.branch': run.branch,
    'paddock.run.repo': run.repo,
    'paddock.run.image': run.image,
    'paddock.run.model': run.model ?? '',
    'paddock.run.workspace': run.workspace,
    'paddock.run.keep_alive': run.keepAlive,
  };
}
