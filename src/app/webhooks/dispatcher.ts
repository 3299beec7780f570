/**
 * Delivers each ended run's webhook, at least once. A run's terminal state event records a delivery row (the body
 * fixed then); a loop sends what is due, signs every attempt afresh (so a late retry is not rejected as stale),
 * and retries failures with exponential backoff until PADDOCK_WEBHOOK_MAX_ATTEMPTS. Rows live in SQLite: a daemon
 * that dies or stops mid-way resumes them on start, and runs that ended while no daemon listened are swept up.
 * Receivers should dedupe on X-Paddock-Delivery (the run id): a delivery cut off mid-answer is sent again.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isTerminal, type RunState } from '../../jobs/index.ts';
import { WebhookDeliveriesRepo, type WebhookDelivery } from '../../store/webhook-deliveries-repo.ts';
import type { Paddock } from '../context.ts';
import { VERSION } from '../version.ts';
import { webhookPayload } from './payload.ts';
import { signWebhook } from './signing.ts';
import { hostOf, isPrivateAddress, publicOnlyLookup } from './target.ts';

export interface WebhookLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DispatcherOptions {
  log?: WebhookLog;
  now?: () => number;
  /** Look for due deliveries at least this often, even with no run ending (default 5 s). */
  pollMs?: number;
  /** First retry delay; each further one doubles, up to backoffCapMs (defaults 1 s, 10 min). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Deliveries in flight at once (default 4). */
  concurrency?: number;
}

/** The delay before the next attempt after `failures` failed ones (1-based): base, 2×base, 4×base, … up to cap. */
export function backoffMs(failures: number, baseMs = 1000, capMs = 600_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

const SWEEP_EVERY_MS = 60_000;

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; permanent: boolean };

export class WebhookDispatcher {
  private readonly p: Paddock;
  private readonly repo: WebhookDeliveriesRepo;
  private readonly o: Required<Omit<DispatcherOptions, 'log'>> & { log: WebhookLog | undefined };
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private lastSweep = -Infinity;

  constructor(p: Paddock, opts: DispatcherOptions = {}) {
    this.p = p;
    this.repo = new WebhookDeliveriesRepo(p.db);
    this.o = {
      log: opts.log,
      now: opts.now ?? Date.now,
      pollMs: opts.pollMs ?? 5000,
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      backoffCapMs: opts.backoffCapMs ?? 600_000,
      concurrency: opts.concurrency ?? 4,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.p.events.onAny((e) => {
      if (e.kind !== 'state' || !isTerminal(e.data.to as RunState)) return;
      try {
        this.record(e.runId);
      } catch (err) {
        this.o.log?.warn({ runId: e.runId, err: String(err) }, 'webhook: could not record the delivery (the sweep will)');
      }
      this.kick();
    });
    this.kick();
  }

  /** Stops sending: attempts in flight are cut off and stay pending (the next daemon sends them again). */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Look at once (a run ended, an attempt finished). */
  kick(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), 0);
  }

  /** The delivery row for an ended run that asked for a webhook (once; later calls change nothing). */
  private record(runId: string): void {
    const run = this.p.runs.get(runId);
    if (!run?.webhookUrl || !isTerminal(run.state)) return;
    const model = this.p.events.lastOfKind(runId, 'init')?.data.model;
    const body = JSON.stringify(webhookPayload(run, typeof model === 'string' ? model : undefined));
    if (this.repo.add(runId, run.webhookUrl, body, this.o.now())) this.o.log?.info({ runId, url: redact(run.webhookUrl) }, 'webhook: queued');
  }

  private tick(): void {
    if (!this.running) return;
    try {
      // Ends this loop did not hear of (stored while no daemon listened, or lost in a crash between the state event
      // and its row): looked for at start, then now and then (a scan of the runs table).
      if (this.o.now() - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = this.o.now();
        for (const runId of this.repo.owed(100)) this.record(runId);
      }
      const free = this.o.concurrency - this.inFlight.size;
      if (free > 0) {
        for (const d of this.repo.due(this.o.now(), free + this.inFlight.size)) {
          if (this.inFlight.size >= this.o.concurrency) break;
          if (this.inFlight.has(d.runId)) continue;
          const attempt = this.attempt(d).finally(() => {
            this.inFlight.delete(d.runId);
            this.kick();
          });
          this.inFlight.set(d.runId, attempt);
        }
      }
    } catch (err) {
      this.o.log?.warn({ err: String(err) }, 'webhook: the delivery loop failed; trying again later');
    }
    let next: number | undefined;
    try {
      next = this.repo.nextDueAt();
    } catch {
      next = undefined;
    }
    const wait = Math.max(10, Math.min(this.o.pollMs, next === undefined ? this.o.pollMs : next - this.o.now()));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref();
  }

  private async attempt(d: WebhookDelivery): Promise<void> {
    const out = await this.send(d);
    if (this.abort.signal.aborted) return; // cut off by stop(): left pending, sent again by the next daemon
    const now = this.o.now();
    const attempt = d.attempts + 1;
    const url = redact(d.url);
    if (out.ok) {
      this.repo.delivered(d.runId, out.status, now);
      this.o.log?.info({ runId: d.runId, url, status: out.status, attempt }, 'webhook: delivered');
      return;
    }
    const giveUp = out.permanent || attempt >= this.p.config.webhookMaxAttempts;
    const next = giveUp ? null : now + backoffMs(attempt, this.o.backoffBaseMs, this.o.backoffCapMs);
    this.repo.attemptFailed(d.runId, out.status, out.error, next, now);
    this.o.log?.warn(
      { runId: d.runId, url, status: out.status, error: out.error, attempt, ...(next ? { retryInMs: next - now } : {}) },
      giveUp ? 'webhook: given up' : 'webhook: attempt failed; retrying',
    );
  }

  /** One POST; any 2xx is success. Redirects are not followed (a redirect could lead anywhere). */
  private send(d: WebhookDelivery): Promise<Outcome> {
    const cfg = this.p.config;
    let url: URL;
    try {
      url = new URL(d.url);
    } catch {
      return Promise.resolve({ ok: false, status: null, error: 'not a URL', permanent: true });
    }
    const host = hostOf(url);
    if (!cfg.webhookAllowPrivate && isIP(host) && isPrivateAddress(host)) {
      return Promise.resolve({ ok: false, status: null, error: `${host} is a private address (PADDOCK_WEBHOOK_ALLOW_PRIVATE is off)`, permanent: true });
    }
    const ts = Math.floor(this.o.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(d.body)),
      'user-agent': `paddock/${VERSION}`,
      'x-paddock-delivery': d.runId,
      'x-paddock-event': 'run.ended',
    };
    if (cfg.webhookSecret) {
      const sig = signWebhook(cfg.webhookSecret, ts, d.body);
      Object.assign(headers, { 'x-stromboli-timestamp': String(ts), 'x-stromboli-signature': sig, 'x-paddock-timestamp': String(ts), 'x-paddock-signature': sig });
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<Outcome>((resolve) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          headers,
          agent: false,
          timeout: cfg.webhookTimeout,
          signal: this.abort.signal,
          ...(cfg.webhookAllowPrivate ? {} : { lookup: publicOnlyLookup }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          res.resume(); // the answer's body is not needed
          res.on('error', () => {});
          if (status >= 200 && status < 300) resolve({ ok: true, status });
          else resolve({ ok: false, status, error: `HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`, permanent: false });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${cfg.webhookTimeout} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, status: null, error: e.message, permanent: e.code === 'EPRIVATE' }));
      req.end(d.body);
    });
  }
}

/** A URL for logs: its origin and path, without credentials or query (which often carry a receiver's secret). */
export function redact(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
