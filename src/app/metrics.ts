/**
 * Prometheus metrics of one opened Paddock (the daemon's): what its runs are doing (read from the store at scrape
 * time, so they are right after a restart), how long a spawn spends in each phase (from the runs' state events as
 * they are stored), what the API answered and how fast, and the tokens and cost the model relay counted, added when a
 * run ends. Stromboli's names are kept where it has one (http_requests_total, http_request_duration_seconds,
 * active_containers); the rest are paddock_*. Counters and histograms count what happened under this process (they
 * start at zero with it, as Prometheus expects).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoredEvent } from '../events/index.ts';
import { isTerminal, RUN_STATES, type RunState } from '../jobs/index.ts';
import type { Paddock } from './context.ts';

/** The states a spawn passes through before the agent runs, in order, each a phase of its own. */
const SPAWN_PHASES = ['queued', 'pending', 'starting'] as const;
/** States whose runs hold a live container: Stromboli's active_containers. */
const CONTAINER_STATES: readonly RunState[] = ['starting', 'running', 'stalled', 'idle'];
const TOKEN_KINDS = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cacheReadTokens', 'cache_read'],
  ['cacheCreationTokens', 'cache_creation'],
] as const;

export class PaddockMetrics {
  readonly registry = new Registry();
  private readonly p: Paddock;
  private readonly requests: Counter<'method' | 'path' | 'status'>;
  private readonly latency: Histogram<'method' | 'path' | 'status'>;
  private readonly phase: Histogram<'phase'>;
  private readonly toRunning: Histogram;
  private readonly finished: Counter<'state'>;
  private readonly duration: Histogram<'state'>;
  private readonly tokens: Counter<'kind'>;
  private readonly cost: Counter;
  private readonly unsubscribe: () => void;

  constructor(p: Paddock) {
    this.p = p;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'paddock_runs',
      help: 'Runs in the store, by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const s of RUN_STATES) this.set({ state: s }, p.runs.countIn([s]));
      },
    });
    new Gauge({
      name: 'paddock_queue_length',
      help: 'Runs waiting for a slot (state queued)',
      registers,
      collect() {
        this.set(p.runs.countIn(['queued']));
      },
    });
    new Gauge({
      name: 'paddock_max_running',
      help: 'How many runs may hold a container at once (PADDOCK_MAX_RUNNING)',
      registers,
      collect() {
        this.set(p.config.maxRunning);
      },
    });
    new Gauge({
      name: 'paddock_live_cost_usd',
      help: 'Model cost of the runs that are live now, as the gateway has counted it so far (USD)',
      registers,
      collect() {
        this.set(p.runs.liveUsage().costUsd);
      },
    });
    new Gauge({
      name: 'paddock_live_tokens',
      help: 'Model tokens of the runs that are live now, as the gateway has counted them so far, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const u = p.runs.liveUsage();
        this.set({ kind: 'input' }, u.inputTokens);
        this.set({ kind: 'output' }, u.outputTokens);
        this.set({ kind: 'cache_read' }, u.cacheReadTokens);
        this.set({ kind: 'cache_creation' }, u.cacheCreationTokens);
      },
    });
    new Gauge({
      name: 'active_containers',
      help: 'Runs whose container lives (starting, running, stalled, idle)',
      registers,
      collect() {
        this.set(p.runs.countIn(CONTAINER_STATES));
      },
    });
    this.requests = new Counter({ name: 'http_requests_total', help: 'API requests answered, by method, route and status', labelNames: ['method', 'path', 'status'], registers });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'API request latency until the response starts (streams: until they open), by method, route and status',
      labelNames: ['method', 'path', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.phase = new Histogram({
      name: 'paddock_spawn_phase_seconds',
      help: 'Time a run spent in each state before its agent ran: queued (waiting for a slot), pending (checkout, session volume, container create), starting (relay, container start)',
      labelNames: ['phase'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.toRunning = new Histogram({
      name: 'paddock_spawn_to_running_seconds',
      help: 'From a run being recorded to its agent running',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.finished = new Counter({ name: 'paddock_runs_finished_total', help: 'Runs that ended under this daemon, by final state', labelNames: ['state'], registers });
    this.duration = new Histogram({
      name: 'paddock_run_duration_seconds',
      help: 'From a run being recorded to its end, by final state',
      labelNames: ['state'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
    this.tokens = new Counter({ name: 'paddock_tokens_total', help: 'Model tokens of runs that ended, as the relay counted them, by kind', labelNames: ['kind'], registers });
    this.cost = new Counter({ name: 'paddock_cost_usd_total', help: 'Model cost of runs that ended, as the relay counted it (USD)', registers });
    const refusals = new Counter({ name: 'paddock_gateway_refusals_total', help: 'Model calls the gateway refused (never forwarded), by HTTP status', labelNames: ['status'], registers });
    this.unsubscribe = p.events.onAny((e) => {
      if (e.source === 'gateway' && e.kind === 'refused') refusals.inc({ status: String(e.data.status) });
      if (e.kind !== 'state') return;
      try {
        this.onState(e);
      } catch {
        // a run removed meanwhile, a closed database: a metric is not worth failing the event's writer for
      }
    });
  }

  /** Called by the API for every answered request; path is the route's pattern, never the raw path (ids would explode the series). */
  observeRequest(method: string, path: string, status: number, seconds: number): void {
    const labels = { method, path, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.unsubscribe();
  }

  private onState(e: StoredEvent): void {
    const from = String(e.data.from) as RunState;
    const to = String(e.data.to) as RunState;
    if ((SPAWN_PHASES as readonly string[]).includes(from)) {
      const since = this.enteredAt(e, from);
      if (since !== undefined) this.phase.observe({ phase: from }, (e.ts - since) / 1000);
    }
    if (to === 'running' && from === 'starting') {
      const run = this.p.runs.get(e.runId);
      if (run) this.toRunning.observe((e.ts - run.createdAt) / 1000);
    }
    if (isTerminal(to)) {
      const run = this.p.runs.get(e.runId);
      this.finished.inc({ state: to });
      if (!run) return;
      this.duration.observe({ state: to }, Math.max(0, e.ts - run.createdAt) / 1000);
      for (const [field, kind] of TOKEN_KINDS) if (run[field]) this.tokens.inc({ kind }, run[field]);
      if (run.costUsd) this.cost.inc(run.costUsd);
    }
  }

  /** When the run entered `state`: its state event to it, found among the run's first events (spawns are short). */
  private enteredAt(e: StoredEvent, state: RunState): number | undefined {
    const entered = this.p.events.list(e.runId, 0, 64).findLast((x) => x.seq < e.seq && x.kind === 'state' && x.data.to === state);
    return entered?.ts;
  }
}

const byPaddock = new WeakMap<Paddock, PaddockMetrics>();

/** The metrics of this Paddock, made (and subscribed to its events) on first use: the daemon calls it at start. */
export function metricsOf(p: Paddock): PaddockMetrics {
  let m = byPaddock.get(p);
  if (!m) byPaddock.set(p, (m = new PaddockMetrics(p)));
  return m;
}
