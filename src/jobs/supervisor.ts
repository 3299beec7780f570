/**
 * Supervises one run from container start to its final state: relays the model, streams the container's output
 * into the event log, enforces the timeout, flags stalls, collects the exit, brings the work back, and records
 * the outcome. Any long-lived Paddock process can host it (a detached per-run process, or the API server);
 * a run whose supervisor died is adopted by the next one that reconciles, which resumes from the stored line counts.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentAdapter, AgentEvent } from '../agents/types.ts';
import { type EventLog, type HookTag, type IngestLine, OutputBudget, type OutputCaps } from '../events/index.ts';
import { costOf, type PriceOverrides, priceOf, startModelRelay, type ModelRelay, type UpstreamCredential, type VendorName, vendorOf } from '../gateway/index.ts';
import type { ContainerRuntime, ContainerState } from '../runtime/index.ts';
import type { RunsRepo } from '../store/runs-repo.ts';
import type { InputClosedBecause, MessagesRepo } from '../store/messages-repo.ts';
import { formatBytes, formatDuration } from '../config/index.ts';
import { Conversation } from './conversation.ts';
import { type Redact, redactDeep } from '../secrets/redact.ts';

import { type Owner, ownedBy, ownerAlive } from './owner.ts';
import type { Run, StopRequest } from './run.ts';
import { isTerminal, type RunPhase, type RunState } from './states.ts';
import { setPhase, transitionRun } from './run-state.ts';
import { assertTransition } from './transitions.ts';

/** Gateway refusals stored as events per supervision of a run; past it they are only refused. */
const MAX_RECORDED_REFUSALS = 1000;

/** How often supervision of one run is retried after an error (engine unreachable, …) before it is called crashed. */
const RETRIES = 5;

export interface SupervisorDeps {
  runs: RunsRepo;
  events: EventLog;
  runtime: ContainerRuntime;
  agent: (name: string) => AgentAdapter<unknown>;
  /** The model endpoint and the real credential (or where to read it at each call: an imported login is refreshed). */
  model: { upstream: string; credential: UpstreamCredential | (() => UpstreamCredential | Promise<UpstreamCredential>) };
  /** The other vendors' endpoints and credentials (OpenAI, Gemini); a run's agent adapter names its vendor. */
  vendorModels?: Partial<Record<Exclude<VendorName, 'anthropic'>, SupervisorDeps['model']>>;
  /** The model gateway's upstream timeouts and body bound (defaults: 10 s to connect, 5 min idle, 32 MiB). */
  gateway?: { connectTimeoutMs: number; idleTimeoutMs: number; maxBodyBytes: number };
  /** Model prices from config, tried before the built-in table (src/gateway/pricing.ts). */
  prices?: PriceOverrides;
  stallAfterMs: number;
  stopGraceMs: number;
  /** A run whose model endpoint cannot be reached for this long (consecutive failures) is ended as failed. */
  upstreamFailAfterMs: number;
  /** Commits what the agent left and brings the run branch back (or not, for explore runs). */
  finishCheckout: (run: Run) => Promise<{ headSha: string | null; commitsAhead: number | null }>;
  /** Hands a workspace that is not a clone (a mounted or scratch directory) back to the host when the run ends. */
  releaseWorkspace?: (run: Run) => Promise<void>;
  /** Tears down what the run had beside its agent (its services: docs/services.md) once it ends, whichever way. */
  teardown?: (run: Run) => Promise<void>;
  /**
   * What the run's /workspace and HOME take on disk now, and its budget: checked every diskCheckMs, and a run past
   * its budget is stopped (failed, `disk budget exceeded`), its work before that brought back.
   */
  diskUsage?: (run: Run) => Promise<{ bytes: number; budget: number } | undefined>;
  diskCheckMs?: number;
  /** Makes a dequeued run's checkout, session HOME and container (then it is `starting`), or cleans up after a failed try. */
  prepare: { prepare: (run: Run) => Promise<void>; abandon: (run: Run) => Promise<void> };
  /** The host this supervisor works for. */
  owner: Owner;
  /** Turns of persistent runs (keepAlive); without it such a run gets no input. */
  messages?: MessagesRepo;
  /** Starts the run's egress proxy beside its relay (network proxy runs), undefined when it has none; closed with the relay. */
  egress?: (run: Run) => Promise<{ close(): Promise<void> } | undefined>;
  /** Caps on the output stored per run and on one line (characters); none: Paddock's defaults for lines, no per-run cap. */
  output?: OutputCaps & { maxLineChars: number };
  /** What removes a run's secret values from its output before it is stored (docs/secrets.md); none: stored as it is. */
  redactor?: (run: Run) => Redact | undefined;
  /**
   * Lifecycle hooks (app/hooks.ts): how the run's stderr lines read (hook output tagged, the entry script's markers
   * stored), and why a hook failed the run, if one did; none, or undefined for a run: no hooks.
   */
  hooks?: { lines: (run: Run) => ((text: string) => { text: string; hook: HookTag; apply?: () => void } | undefined) | undefined; failure: (runId: string) => string | undefined };

  log?: (msg: string) => void;
}

/** The relay socket lives here; the directory (not the socket) is mounted, so a new relay's socket is visible. */
export const relayDirOf = (run: Pick<Run, 'runDir'>) => join(run.runDir, 'relay');

type Claim = 'dequeued' | 'adopted' | false;

export class RunSupervisor {
  private readonly d: SupervisorDeps;
  constructor(deps: SupervisorDeps) {
    this.d = deps;
  }

  /**
   * Takes ownership of the run unless a live host already has it. A queued run leaves the queue here (it becomes
   * pending, with this host as its owner, in the same write). Returns how it was claimed, or false.
   */
  claim(runId: string): Claim {
    const me = this.d.owner;
    return this.d.runs.mutate<Claim>(runId, (run) => {
      if (isTerminal(run.state)) return { value: false };
      if (!ownedBy(run, me) && ownerAlive(run.ownerPid, run.ownerStart, run.ownerId)) return { value: false };
      const owner = { ownerPid: me.pid, ownerStart: me.start, ownerId: me.id };
      if (run.state === 'queued') {
        assertTransition(runId, 'queued', 'pending');
        return { patch: { ...owner, state: 'pending', phase: 'preparing-checkout' }, value: 'dequeued' };
      }
      return { patch: owner, value: 'adopted' };
    });
  }

  release(runId: string): void {
    const me = this.d.owner;
    this.d.runs.mutate(runId, (run) => (ownedBy(run, me) ? { patch: { ownerPid: null, ownerStart: null, ownerId: null }, value: undefined } : { value: undefined }));
  }

  /**
   * Supervises the run to its end. Resolves when it is in a final state, when someone else owns it, or when signal
   * aborts (the host is shutting down: ownership is released and the container runs on, for the next host to adopt).
   */
  async supervise(runId: string, signal?: AbortSignal): Promise<void> {
    const claimed = this.claim(runId);
    if (!claimed) return;
    if (claimed === 'dequeued') this.d.events.append(runId, { kind: 'state', from: 'queued', to: 'pending', reason: null });
    let fresh = claimed === 'dequeued';
    try {
      // drive() resumes from what is stored (line counters, state), so after an engine hiccup it simply goes again:
      // the container usually lives on (Podman's containers outlive its API service).
      for (let attempt = 1; ; attempt++) {
        try {
          await this.drive(runId, fresh, signal);
          return;
        } catch (e) {
          if (signal?.aborted) return;
          fresh = false;
          const run = this.d.runs.get(runId);
          if (!run || isTerminal(run.state)) return;
          if (run.state === 'pending') {
            // Making the checkout or container failed: nothing ran, and nothing is retried.
            await this.d.prepare.abandon(run);
            // Stopped by the user meanwhile (e.g. while its services were starting: docs/services.md): cancelled, as asked.
            if (this.d.runs.get(runId)?.stopRequested === 'user')
              this.transition(run, 'cancelled', { reason: `stopped by user before the agent started (${firstLine(e)})`, phase: 'done', finishedAt: Date.now() });
            else this.transition(run, 'failed', { reason: `could not start the run: ${(e as Error).message}`, error: firstLine(e), phase: 'done', finishedAt: Date.now() });
            return;
          }
          if (attempt >= RETRIES) {
            this.d.log?.(`run ${runId} crashed: ${(e as Error).stack ?? String(e)}`);
            await this.giveUp(run, e);
            return;
          }
          this.d.log?.(`run ${runId}: attempt ${attempt} failed (${(e as Error).message}); retrying`);
          await sleep(500 * 2 ** attempt, undefined, signal ? { signal } : {}).catch(() => {});
        }
      }
    } finally {
      this.release(runId);
    }
  }

  /**
   * Supervision cannot go on: the container is stopped (never left running unsupervised) and the work is still
   * brought back, then the run ends crashed with the reason.
   */
  private async giveUp(run: Run, e: unknown): Promise<void> {
    const reason = `supervisor error: ${(e as Error).message}`;
    try {
      this.d.events.append(run.id, { kind: 'note', message: `supervision gave up (${firstLine(e)}): stopping the container and bringing the work back` });
      if (run.containerId) {
        await this.d.runtime.stopContainer(run.containerId, Math.ceil(this.d.stopGraceMs / 1000)).catch((err: unknown) => this.d.log?.(`stop failed: ${String(err)}`));
      }
      const now = this.must(run.id);
      if (isTerminal(now.state)) return;
      await this.finish(now, 'crashed', { reason }, true);
      const ended = this.must(run.id);
      if (ended.error === null) this.d.runs.update(run.id, { error: firstLine(e) });
    } catch (err) {
      this.d.log?.(`run ${run.id}: giving up failed too: ${String(err)}`);
      const now = this.d.runs.get(run.id);
      if (now && !isTerminal(now.state)) this.transition(now, 'crashed', { reason, error: firstLine(e), phase: 'done', finishedAt: Date.now() });
    }
  }

  private async drive(runId: string, fresh: boolean, signal: AbortSignal | undefined): Promise<void> {
    let run = this.must(runId);
    if (run.state === 'pending') {
      if (!fresh) {
        // Its host died while making the checkout or container: clean up what was made, and say so.
        await this.d.prepare.abandon(run);
        await this.finish(run, 'crashed', { reason: 'Paddock stopped while preparing the run, before the agent started' }, false);
        return;
      }
      if (run.stopRequested) {
        await this.finish(run, 'cancelled', { reason: 'stopped by user' }, false);
        return;
      }
      await this.d.prepare.prepare(run);
      run = this.must(runId);
    }
    if (!run.containerId) {
      await this.finish(run, 'crashed', { reason: 'the run has no container' }, false);
      return;
    }
    const containerId = run.containerId;
    let relay: ModelRelay | undefined;
    let egress: { close(): Promise<void> } | undefined;
    let conversation: Conversation | undefined;

    const cancels: (() => void)[] = [];
    const redactText = this.d.redactor?.(run) ?? ((t: string) => t);
    try {
      const upstream = new UpstreamWatch();
      let refusals = 0;
      // The gateway fronts the vendor of the run's CLI (gateway/vendors.ts): its calls, its endpoint, its real key.
      const vendor = vendorOf(this.d.agent(run.agent).vendor);
      const access = vendor.name === 'anthropic' ? this.d.model : this.d.vendorModels?.[vendor.name];
      if (!access) throw new Error(`no ${vendor.name} endpoint is configured for agent ${run.agent}`);
      relay = await startModelRelay({
        socketPath: join(relayDirOf(run), 'model.sock'),
        upstream: access.upstream,
        token: run.modelToken,
        vendor,
        credential: access.credential,
        policy: { models: run.allowedModels ?? undefined, maxTokens: run.maxTokens ?? undefined },
        ...(this.d.gateway ?? {}),
        // The budget is the gateway's own count: the agent's figures (and anything it prints) play no part.
        admit: (model) => this.admit(runId, model),
        // Each refusal is an event, up to a bound: an agent looping on refused calls cannot flood the event log.
        onRefused: (r) => {
          refusals++;
          // The refused path or model is the agent's text: its secret values are redacted as in its output.
          if (refusals <= MAX_RECORDED_REFUSALS) this.d.events.appendFrom(runId, 'gateway', { kind: 'refused', ...redactDeep(r, redactText) });
          else if (refusals === MAX_RECORDED_REFUSALS + 1)
            this.d.events.append(runId, { kind: 'note', message: `gateway: more than ${MAX_RECORDED_REFUSALS} refused calls; further ones are refused without an event each` });
        },
        onUsage: (u) => {
          this.d.runs.addUsage(runId, u, costOf(u.model, u, this.d.prices));
          const spent = this.budgetSpent(runId);
          if (spent) void this.stopForBudget(runId, spent);
        },
        onUpstreamAnswer: () => upstream.ok(),
        onUpstreamError: (message) => {
          const failingFor = upstream.failed(Date.now(), message);
          const giveUp = failingFor >= this.d.upstreamFailAfterMs;
          this.d.events.append(runId, {
            kind: 'note',
            message: `model endpoint unreachable: ${message}${failingFor > 0 ? ` (failing for ${formatDuration(failingFor)})` : ''}${giveUp ? '; ending the run' : ''}`,
          });
          if (giveUp) void this.requestStop(runId, 'upstream', message);
        },
      });
      // Like the relay, the egress proxy comes back with every drive (a restarted or adopting daemon serves it again).
      egress = await this.d.egress?.(run);
      // A persistent run's input socket is up before its container starts (the reader in there retries anyway).
      if (run.keepAlive && this.d.messages) {
        const adapter = this.d.agent(run.agent);
        if (!adapter.encodeMessage) throw new Error(`agent ${run.agent} takes no messages`);
        conversation = new Conversation(runId, {
          runs: this.d.runs,
          events: this.d.events,
          messages: this.d.messages,
          relayDir: relayDirOf(run),
          encode: adapter.encodeMessage,
          stopContainer: () => this.d.runtime.stopContainer(containerId, Math.ceil(this.d.stopGraceMs / 1000)),
          ...(this.d.log ? { log: this.d.log } : {}),
        });
        await conversation.start();
      }
      let container = await this.d.runtime.inspectContainer(containerId);
      if (!container) {
        await this.finish(run, 'crashed', { reason: 'the container disappeared' }, true);
        return;
      }
      if (run.state === 'starting') {
        if (container.status === 'created' && !run.stopRequested) await this.d.runtime.startContainer(containerId);
        run = this.transition(run, 'running', { phase: 'agent-running', startedAt: run.startedAt ?? Date.now() });
      }

      const startedAt = run.startedAt ?? Date.now();
      // Timer callbacks must never throw: an exception there would take the whole host process down.
      const guarded = (what: string, fn: () => unknown) => () => {
        Promise.resolve()
          .then(fn)
          .catch((e: unknown) => this.d.log?.(`${what} failed: ${String(e)}`));
      };
      cancels.push(
        armAt(
          startedAt + run.timeoutMs,
          guarded('timeout', () => this.onTimeout(runId)),
        ),
      );
      const stallCheck = setInterval(
        guarded('stall check', () => this.checkStall(runId)),
        Math.min(5000, Math.max(250, this.d.stallAfterMs / 4)),
      );
      cancels.push(() => clearInterval(stallCheck));
      if (this.d.diskUsage) {
        const diskCheck = setInterval(
          guarded('disk check', () => this.checkDisk(runId)),
          this.d.diskCheckMs ?? 10_000,
        );
        cancels.push(() => clearInterval(diskCheck));
      }

      // An interactive run's output is a terminal's bytes, no event stream: none of it is parsed or stored (docs/shell.md).
      if (!run.interactive) await this.pump(run, true, signal);
      const exitCode = await abortable(this.d.runtime.waitContainer(containerId), signal);
      // The run is over: its token opens nothing from here on (401), while its work is brought back.
      relay.revoke();
      await conversation?.stop();

      // The followed stream can end early (engine hiccup); a final full read stores whatever was missed.
      if (!run.interactive) await this.pump(this.must(runId), false, signal);
      container = (await this.d.runtime.inspectContainer(containerId)) ?? container;
      run = this.must(runId);
      const ended = outcome(run, container, exitCode, this.lastResult(runId), this.d.messages?.closure(runId)?.reason, this.d.agent(run.agent).exitReason?.(exitCode));
      // A failed lifecycle hook is why (its entry-script marker, stored before any agent ran), unless Paddock stopped
      // the run itself (stop, timeout, budget) or it ran out of memory.
      const hookFailed = ended.state === 'failed' && run.stopRequested === null && !ended.reason.startsWith('out of memory') ? this.d.hooks?.failure(runId) : undefined;
      // A CLI that gives up on its own while the model endpoint is unreachable (Codex and Gemini retry once) failed
      // for that reason, not for its exit code: said so, as when Paddock ends the run for it (stopRequested upstream).
      const unreachable = ended.state === 'failed' && run.stopRequested === null && !hookFailed ? upstream.failingWith() : undefined;
      const { state, reason } = hookFailed
        ? { state: 'failed' as const, reason: hookFailed }
        : unreachable
          ? { state: 'failed' as const, reason: `model endpoint unreachable: ${unreachable}` }
          : ended;

      await this.finish(run, state, { reason, exitCode }, true);
    } finally {
      for (const cancel of cancels) cancel();
      await conversation?.stop();
      await relay?.close();
      await egress?.close();
    }
  }

  /** Streams the container's output into the event log, in batches, parsing each stdout line with the agent adapter. */
  private async pump(run: Run, follow: boolean, signal: AbortSignal | undefined): Promise<void> {
    const adapter = this.d.agent(run.agent);
    // One parser per pass, fed every line in order (stored ones too): a CLI's message may span lines (Gemini's deltas).
    const parse = adapter.lineParser?.() ?? ((l: string) => adapter.parseLine(l));
    const redact = redactLine(this.d.redactor?.(run));
    const hookLine = this.d.hooks?.lines(run);
    const counters = { stdout: 0, stderr: 0 };
    const caps = this.d.output;
    const budget = caps ? new OutputBudget(this.d.events, run.id, caps) : undefined;
    // Lines stored before (an earlier read, another supervisor): not counted or noted again.
    const stored = { stdout: run.stdoutLines, stderr: run.stderrLines };
    let cutNotes = 0;
    let batch: IngestLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    let failure: unknown;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0) return;
      const stored = this.d.events.ingest(run.id, batch);
      batch = [];
      for (const e of stored) if (e.kind === 'result') this.recordResult(run, e.data as unknown as Extract<AgentEvent, { kind: 'result' }>);
      if (stored.length && this.must(run.id).state === 'stalled') this.transition(this.must(run.id), 'running', {});
    };
    for await (const line of this.d.runtime.logs(run.containerId!, { follow, ...(signal ? { signal } : {}), ...(caps ? { maxLineChars: caps.maxLineChars } : {}) })) {
      const index = counters[line.stream]++;
      const fresh = index >= stored[line.stream];
      const events = line.stream === 'stdout' ? parse(line.line) : [];
      // Hook output and markers (app/hooks.ts) are on stderr; every line is shown to it, so a marker counts after a restart.
      const tagged = line.stream === 'stderr' ? hookLine?.(line.line) : undefined;
      if (fresh && line.droppedChars !== undefined && cutNotes++ < 10) {
        this.d.events.append(run.id, { kind: 'note', message: `${line.stream} line ${index + 1} was cut at ${line.line.length} characters: ${line.droppedChars} more dropped` });
      }
      // Past the run's output cap only the agent's result is kept (the run's outcome depends on it); the rest is counted.
      const drop = fresh && budget !== undefined && !budget.admit(line.line.length);
      if (drop) {
        const note = budget.takeNote();
        if (note !== undefined) this.d.events.append(run.id, { kind: 'note', message: note });
        const kept = events.filter((e) => e.kind === 'result');
        batch.push(kept.length > 0 ? redact({ stream: line.stream, index, events: kept, text: '' }) : { stream: line.stream, index, events: [], text: '', drop: true });
      } else batch.push(redact({ stream: line.stream, index, events, text: tagged ? tagged.text : line.line, ...(tagged ? { hook: tagged.hook } : {}) }));
      // A hook marker's effect only once its line is stored (a crash in between: the next reader applies it).
      if (tagged?.apply) {
        flush();
        tagged.apply();
      }
      if (failure !== undefined) throw failure;
      if (batch.length >= 200) flush();
      // A lone line is stored within 50 ms, so the live tail keeps up; a timer's error is rethrown in this loop.
      else
        timer ??= setTimeout(() => {
          try {
            flush();
          } catch (e) {
            failure = e;
          }
        }, 50);
    }
    if (failure !== undefined) throw failure;
    flush();
    if (signal?.aborted) throw new Error('supervision stopped (host shutting down)');
  }

  /**
   * Tokens and cost come from the relay, which counts every answer as it streams (so stopped and timed-out runs have
   * them too); the CLI's own figures are not used: after --resume they cover the whole conversation.
   */
  private recordResult(run: Run, r: Extract<AgentEvent, { kind: 'result' }>): void {
    this.d.runs.update(run.id, { resultText: r.result, numTurns: r.numTurns });
  }

  /** The run's last result event, found by a query (not through a capped list of events). */
  private lastResult(runId: string): { isError: boolean; subtype: string } | undefined {
    const last = this.d.events.lastOfKind(runId, 'result');
    return last ? { isError: Boolean(last.data.isError), subtype: String(last.data.subtype) } : undefined;
  }

  private async onTimeout(runId: string): Promise<void> {
    const run = this.must(runId);
    if (isTerminal(run.state) || !run.containerId) return;
    this.d.events.append(runId, { kind: 'note', message: `timeout of ${formatDuration(run.timeoutMs)} reached: stopping the container` });
    await this.requestStop(runId, 'timeout');
  }

  /** Ends the run early for a reason of Paddock's own; the first reason given is the one that stands. */
  private async requestStop(runId: string, why: StopRequest, detail?: string): Promise<void> {
    const run = this.must(runId);
    if (isTerminal(run.state) || !run.containerId) return;
    if (run.stopRequested === null) this.d.runs.update(runId, { stopRequested: why, stopDetail: detail ?? null });
    await this.d.runtime.stopContainer(run.containerId, Math.ceil(this.d.stopGraceMs / 1000)).catch((e: unknown) => this.d.log?.(`stop failed: ${String(e)}`));
  }

  /**
   * The gateway's check before each model call: refused once the run's budget (or its tree's) is spent, and, under a
   * budget, for a model Paddock has no price for (its cost could not be counted).
   */
  private admit(runId: string, model: string | undefined): string | undefined {
    const spent = this.budgetSpent(runId);
    if (spent) {
      void this.stopForBudget(runId, spent);
      return spent;
    }
    const run = this.d.runs.get(runId);
    const root = run?.rootRunId ? this.d.runs.get(run.rootRunId) : run;
    const budgeted = run?.maxBudgetUsd != null || root?.maxBudgetUsd != null;
    if (budgeted && model !== undefined && !priceOf(model, this.d.prices))
      return `model ${model.slice(0, 100)} has no price in Paddock's table (PADDOCK_MODEL_PRICES adds one), so its cost could not be counted against this run's budget`;
    return undefined;
  }

  /** Why the run may spend no more (its tree's budget, or its own), or undefined while money is left. */
  private budgetSpent(runId: string): string | undefined {
    const run = this.d.runs.get(runId);
    if (!run) return undefined;
    const rootId = run.rootRunId ?? run.id;
    const root = rootId === run.id ? run : this.d.runs.get(rootId);
    if (root?.maxBudgetUsd != null) {
      const spent = this.d.runs.treeSpend(rootId);
      if (spent >= root.maxBudgetUsd) {
        return `budget_exceeded: $${spent.toFixed(4)} spent of the $${root.maxBudgetUsd} budget${rootId === run.id ? '' : ` of run ${rootId}'s tree`}`;
      }
    }
    if (rootId !== run.id && run.maxBudgetUsd != null && (run.costUsd ?? 0) >= run.maxBudgetUsd) {
      return `budget_exceeded: $${(run.costUsd ?? 0).toFixed(4)} spent of the run's own $${run.maxBudgetUsd} budget`;
    }
    return undefined;
  }

  /** Ends the run, or every live run of its tree when the tree's budget is spent, as failed with budget_exceeded. */
  private async stopForBudget(runId: string, why: string): Promise<void> {
    const run = this.d.runs.get(runId);
    if (!run) return;
    const own = why.includes("run's own");
    const targets = own ? [run] : this.d.runs.liveRunsOfTree(run.rootRunId ?? run.id);
    await Promise.all(
      targets
        .filter((r) => !isTerminal(r.state) && r.stopRequested === null)
        .map((r) => {
          this.d.events.append(r.id, { kind: 'note', message: `${why}${r.id === runId ? '' : ` (spent by run ${runId})`}: stopping the container` });
          return this.requestStop(r.id, 'budget', why);
        }),
    );
  }

  /** Stops a run whose workspace and HOME have grown past its disk budget. */
  private async checkDisk(runId: string): Promise<void> {
    const run = this.d.runs.get(runId);
    if (!run || isTerminal(run.state) || run.stopRequested !== null) return;
    const usage = await this.d.diskUsage?.(run);
    if (!usage || usage.bytes <= usage.budget) return;
    const detail = `/workspace and HOME take ${formatBytes(usage.bytes)}, over the budget of ${formatBytes(usage.budget)}`;
    this.d.events.append(runId, { kind: 'note', message: `disk budget exceeded: ${detail}; stopping the container` });
    await this.requestStop(runId, 'disk', detail);
  }

  private checkStall(runId: string): void {
    const run = this.d.runs.get(runId);
    // An interactive run waits on a person at a terminal: quiet is no stall (and its output is not read).
    if (!run || run.state !== 'running' || run.interactive) return;
    // A persistent run's turn starts when its message is sent: quiet time between turns is not a stall.
    const turnSince = run.keepAlive ? (this.d.messages?.lastSentAt(runId) ?? 0) : 0;
    const quietSince = Math.max(run.lastOutputAt ?? run.startedAt ?? run.createdAt, turnSince);

    if (Date.now() - quietSince >= this.d.stallAfterMs) {
      this.transition(run, 'stalled', { reason: `no output for ${formatDuration(Date.now() - quietSince)}` });
    }
  }

  /** Brings the work back (when there is a checkout), then records the final state. */
  private async finish(run: Run, state: RunState, fields: { reason: string; exitCode?: number }, collect: boolean): Promise<void> {
    let patch: Partial<Run> = { reason: fields.reason, exitCode: fields.exitCode ?? null };
    let finalState = state;
    if (collect && run.checkoutDir) {
      this.setPhase(run, run.bringBack ? 'bringing-back' : 'collecting');
      try {
        patch = { ...patch, ...(await this.d.finishCheckout(run)) };
      } catch (e) {
        finalState = state === 'completed' ? 'failed' : state;
        patch = { ...patch, reason: `could not bring the work back: ${(e as Error).message}`, error: (e as Error).stack ?? String(e) };
      }
    }
    await this.d.releaseWorkspace?.(run).catch((e: unknown) => this.d.log?.(`run ${run.id}: handing its workspace back failed: ${String(e)}`));
    await this.d.teardown?.(run).catch((e: unknown) => this.d.log?.(`run ${run.id}: tearing down its services failed: ${String(e)}`));
    this.transition(this.must(run.id), finalState, { ...patch, phase: 'done', finishedAt: Date.now() });
  }

  private setPhase(run: Run, phase: RunPhase): void {
    setPhase(this.d.runs, this.d.events, run.id, phase);
  }

  private transition(run: Run, to: RunState, patch: Partial<Run>): Run {
    return transitionRun(this.d.runs, this.d.events, run.id, to, patch);
  }

  private must(runId: string): Run {
    const run = this.d.runs.get(runId);
    if (!run) throw new Error(`run ${runId} is not in the database`);
    return run;
  }
}

/**
 * How a run whose container has exited ends, and why — in words a user understands. inputClosed: Paddock closed a
 * persistent run's input between turns (idle too long, or stopped while idle), and the agent left as asked.
 */
export function outcome(
  run: Run,
  c: ContainerState,
  exitCode: number,
  result: { isError: boolean; subtype: string } | undefined,
  inputClosed?: InputClosedBecause,
  /** What the exit code means for the run's CLI (its adapter's exitReason), when it has a meaning. */
  exitMeaning?: string,
): { state: RunState; reason: string } {
  if (run.stopRequested === 'timeout') return { state: 'timed_out', reason: `timed out after ${formatDuration(run.timeoutMs)}` };
  if (run.stopRequested === 'user') return { state: 'cancelled', reason: 'stopped by user' };
  if (run.stopRequested === 'disk') return { state: 'failed', reason: `disk budget exceeded: ${run.stopDetail ?? 'over the budget'}` };
  if (run.stopRequested === 'budget') return { state: 'failed', reason: run.stopDetail ?? 'budget_exceeded' };
  if (run.stopRequested === 'upstream') return { state: 'failed', reason: `model endpoint unreachable: ${run.stopDetail ?? 'no answer'}` };
  if (c.oomKilled) return { state: 'failed', reason: `out of memory (limit ${formatBytes(run.memoryBytes)})` };
  // From here the state is the container's exit code alone: a result line is the agent's own say (any tool can write
  // one to the stream Paddock reads), so it only adds words to a failure, never turns one into a success or back.
  if (inputClosed && exitCode === 0) {
    return { state: 'completed', reason: inputClosed === 'idle' ? `idle for ${formatDuration(run.idleTimeoutMs ?? 0)}: its input was closed` : 'stopped by user between turns' };
  }
  if (exitCode === 0) return { state: 'completed', reason: run.interactive === 'shell' ? 'the shell exited' : 'the agent finished' };
  if (exitCode === 137) return { state: 'failed', reason: 'killed (exit 137)' };
  const said = result?.isError ? ` (agent-reported: ${result.subtype.slice(0, 60)})` : '';
  const means = exitMeaning && run.interactive !== 'shell' ? ` (${exitMeaning})` : '';
  return { state: 'failed', reason: `the ${run.interactive === 'shell' ? 'shell' : 'agent'} exited with code ${exitCode}${means}${c.error ? `: ${c.error}` : ''}${said}` };
}

/** Consecutive failures to reach the upstream: how long they have lasted. Any answer ends the streak. */
class UpstreamWatch {
  private since: number | undefined;
  private message: string | undefined;
  ok(): void {
    this.since = undefined;
    this.message = undefined;
  }
  /** Records a failure; returns how long the upstream has been failing (0 for the first failure). */
  failed(now = Date.now(), message?: string): number {
    this.since ??= now;
    this.message = message;
    return now - this.since;
  }
  /** The last failure's words while the streak lasts (no answer since), else undefined. */
  failingWith(): string | undefined {
    return this.since === undefined ? undefined : this.message;
  }
}

/** Runs fn at an absolute time, in steps: Node's timers overflow past 2^31-1 ms (about 24.8 days). Returns a cancel. */
const MAX_TIMER = 2 ** 31 - 1;
export function armAt(at: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const step = () => {
    const left = at - Date.now();
    if (left <= 0) fn();
    else timer = setTimeout(step, Math.min(left, MAX_TIMER));
  };
  timer = setTimeout(step, Math.max(0, Math.min(at - Date.now(), MAX_TIMER)));
  return () => clearTimeout(timer);
}

/** The first line of an error's message: what a user is shown (stack traces go to the host's log only). */
const firstLine = (e: unknown): string => ((e as Error)?.message ?? String(e)).split('\n')[0] ?? '';

/** Rejects as soon as signal aborts (the promise itself goes on, unobserved). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Error('supervision stopped (host shutting down)'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('supervision stopped (host shutting down)'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A line's text and every string of its parsed events with the run's secret values redacted (none: as it is). */
function redactLine(redact: Redact | undefined): (line: IngestLine) => IngestLine {
  if (!redact) return (l) => l;
  return (l) => ({ ...l, text: redact(l.text), events: redactDeep(l.events, redact) });
}
