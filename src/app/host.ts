/**
 * The supervisor host of an opened Paddock: takes runs from the queue while slots are free (at most
 * PADDOCK_MAX_RUNNING hold a container), supervises each in this process until it ends, adopts runs whose host died,
 * and on shutdown lets go of every run at once (their containers run on; the next host adopts them).
 */
import { isTerminal, newOwner, type Owner, ownerAlive, retireOwner, RunSupervisor, type Run, SLOT_STATES } from '../jobs/index.ts';
import { type FinalizeReport, finalizeRunCheckout } from '../workspace/index.ts';
import { finalizeNotes } from './finalize-report.ts';
import { agentFor } from './agents.ts';
import { modelCredential } from './credentials.ts';
import type { Paddock } from './context.ts';
import { abandonRun, prepareRun } from './prepare.ts';
import { teardownRunServices } from './services.ts';
import { diskUsageOf, releaseWorkspace } from './jail.ts';
import { startRunSockets } from './coordinator.ts';
import { releaseRunSecrets, runRedactor } from './secrets.ts';
import { hookFailure, hookLines } from './hooks.ts';
import { withRunContext } from '../telemetry/index.ts';
import { inRunSpan } from './tracing.ts';

export class SupervisorHost {
  readonly owner: Owner;
  private readonly p: Paddock;
  private readonly active = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private supervisor: Promise<RunSupervisor> | undefined;
  private closed = false;
  private log: (msg: string) => void;

  constructor(p: Paddock, log: (msg: string) => void = () => {}) {
    this.p = p;
    this.log = log;
    this.owner = newOwner();
  }

  /** Whether the run's recorded owner is a live host (this one or another process). */
  isLiveOwner(run: Pick<Run, 'ownerPid' | 'ownerStart' | 'ownerId'>): boolean {
    return ownerAlive(run.ownerPid, run.ownerStart, run.ownerId);
  }

  /** Run ids this host supervises right now. */
  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /** Takes queued runs from the queue (oldest first) while a slot is free. */
  kick(): void {
    if (this.closed) return;
    let free = this.p.config.maxRunning - this.p.runs.countIn(SLOT_STATES);
    for (const run of this.p.runs.queued(Math.max(0, free))) {
      if (free-- <= 0) break;
      this.start(run.id);
    }
  }

  /** Supervises a run in this host (a queued one leaves the queue; a live one whose host died is adopted). */
  start(runId: string): void {
    if (this.closed || this.active.has(runId)) return;
    const abort = new AbortController();
    // The run's own log context and span, not the caller's (a spawn request ends long before its run).
    const done = withRunContext(runId, () => this.supervisorNow())
      .then((s) => withRunContext(runId, () => inRunSpan(this.p, runId, () => s.supervise(runId, abort.signal))))
      .catch((e: unknown) => this.log(`supervising run ${runId} failed: ${(e as Error).stack ?? String(e)}`))
      .finally(() => {
        this.active.delete(runId);
        // A run that ended (any way) loses its secrets file; one let go of on shutdown keeps it (it runs on).
        const ended = this.p.runs.get(runId);
        if (!ended || isTerminal(ended.state)) releaseRunSecrets(this.p, runId);
        this.kick(); // a slot may be free now
      });
    this.active.set(runId, { abort, done });
  }

  /** Resolves when this host stops supervising the run (it ended, or the host let go of it). */
  async supervising(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  /** Adopts every live run that no live host owns, then fills free slots from the queue. Returns the adopted ids. */
  adoptOrphans(): string[] {
    const adopted: string[] = [];
    for (const run of this.p.runs.list({ states: SLOT_STATES })) {
      if (this.active.has(run.id) || ownerAlive(run.ownerPid, run.ownerStart, run.ownerId)) continue;
      this.start(run.id);
      adopted.push(run.id);
    }
    this.kick();
    return adopted;
  }

  /** Resolves with the run once it has ended (or when signal aborts, with the run as it is then). */
  waitForEnd(runId: string, signal?: AbortSignal): Promise<Run | undefined> {
    return new Promise((resolve) => {
      // Woken by this process's own writes at once; the slow poll catches writes of other processes.
      const poll = setInterval(() => check(), 500);
      const check = () => {
        const run = this.p.runs.get(runId);
        if (!run || isTerminal(run.state) || signal?.aborted) {
          clearInterval(poll);
          this.p.events.offAppend(runId, check);
          signal?.removeEventListener('abort', check);
          resolve(run);
        }
      };
      this.p.events.onAppend(runId, check);
      signal?.addEventListener('abort', check, { once: true });
      check();
    });
  }

  /** Lets go of every run at once: supervision stops, ownership is released, containers run on. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const all = [...this.active.values()];
    for (const a of all) a.abort.abort();
    await Promise.allSettled(all.map((a) => a.done));
    retireOwner(this.owner);
  }

  private supervisorNow(): Promise<RunSupervisor> {
    this.supervisor ??= this.p.runtime().then(
      (runtime) =>
        new RunSupervisor({
          runs: this.p.runs,
          events: this.p.events,
          runtime,
          agent: agentFor,
          // The key or token from the environment, or an imported login (refreshed in one place: app/credentials.ts).
          model: { upstream: this.p.config.anthropicBaseUrl, credential: modelCredential(this.p.config) },
          // The real OpenAI and Gemini keys, from the host's environment (never a container's).
          vendorModels: {
            openai: { upstream: this.p.config.openaiBaseUrl, credential: { apiKey: this.p.config.openaiApiKey } },
            gemini: { upstream: this.p.config.geminiBaseUrl, credential: { apiKey: this.p.config.geminiApiKey } },
          },
          stallAfterMs: this.p.config.stallAfter,
          stopGraceMs: this.p.config.stopGrace,
          upstreamFailAfterMs: this.p.config.upstreamFailAfter,
          gateway: { connectTimeoutMs: this.p.config.upstreamConnectTimeout, idleTimeoutMs: this.p.config.upstreamIdleTimeout, maxBodyBytes: this.p.config.gatewayMaxBody },
          prices: this.p.config.modelPrices,
          finishCheckout: (run: Run) => finishCheckout(this.p, run),
          releaseWorkspace: (run: Run) => releaseWorkspace(this.p, run),
          teardown: (run: Run) => teardownRunServices(this.p, run),
          diskUsage: (run: Run) => diskUsageOf(this.p, runtime, run),
          prepare: { prepare: (run) => prepareRun(this.p, run), abandon: (run) => abandonRun(this.p, run) },
          owner: this.owner,
          messages: this.p.messages,
          output: { maxLineChars: this.p.config.maxLineSize, maxLines: this.p.config.maxRunLines, maxChars: this.p.config.maxRunOutput },
          // The egress proxy and a coordinator's MCP socket, served beside the relay (app/coordinator.ts).
          egress: (run) => startRunSockets(this.p, run),
          redactor: (run) => runRedactor(this.p, run),
          // Lifecycle hooks (app/hooks.ts): their output tagged, their markers stored, a failed one the run's reason.
          hooks: { lines: (run) => hookLines(this.p, run), failure: (runId) => hookFailure(this.p, runId) },
          log: this.log,
        }),
    );
    this.supervisor.catch(() => {
      this.supervisor = undefined;
    }); // no engine yet: a later call tries again
    return this.supervisor;
  }
}

async function finishCheckout(p: Paddock, run: Run): Promise<{ headSha: string | null; commitsAhead: number | null }> {
  const r = await finalizeRunCheckout({
    paddockHome: p.config.home,
    repo: run.repo,
    runDir: run.runDir,
    branch: run.branch,
    baseSha: run.baseSha,
    hostUid: process.getuid?.() ?? 0,
    hostGid: process.getgid?.() ?? 0,
    commitMessage: `paddock: ${run.type} run ${run.id}\n\n${run.task}`,
    bringBack: run.bringBack,
    maxFileBytes: p.config.maxFileSize,
    runStartedAt: run.createdAt,
  });
  recordFinalizeReport(p, run.id, r.report);
  return { headSha: r.headSha, commitsAhead: r.commitsAhead };
}

/** What finalize found in a hostile tree: one `finalize` event (status and diff read it) and a note per kind for the transcript. */
function recordFinalizeReport(p: Paddock, runId: string, report: FinalizeReport): void {
  p.events.append(runId, { kind: 'finalize', report });
  for (const message of finalizeNotes(report)) p.events.append(runId, { kind: 'note', message });
}
