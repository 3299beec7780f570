/**
 * Supervises one run from container start to its final state: relays the model, streams the container's output
 * into the event log, enforces the timeout, flags stalls, collects the exit, brings the work back, and records
 * the outcome. Any long-lived Paddock process can host it (a detached per-run process, or the API server);
 * a run whose supervisor died is adopted by the next one that reconciles, which resumes from the stored line counts.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentAdapter, AgentEvent } from '../agents/types.ts';
import type { EventLog, IngestLine } from '../events/index.ts';
import { costOf, startModelRelay, type ModelRelay, type UpstreamCredential } from '../gateway/index.ts';
import type { ContainerRuntime, ContainerState } from '../runtime/index.ts';
import type { RunsRepo } from '../store/runs-repo.ts';
import { formatBytes, formatDuration } from '../config/index.ts';
import { ownerAlive, self } from './owner.ts';
import type { Run, StopRequest } from './run.ts';
import { isTerminal, type RunPhase, type RunState } from './states.ts';
import { setPhase, transitionRun } from './run-state.ts';

/** How often supervision of one run is retried after an error (engine unreachable, …) before it is called crashed. */
const RETRIES = 5;

export interface SupervisorDeps {
  runs: RunsRepo;
  events: EventLog;
  runtime: ContainerRuntime;
  agent: (name: string) => AgentAdapter<unknown>;
  model: { upstream: string; credential: UpstreamCredential };
  stallAfterMs: number;
  stopGraceMs: number;
  /** A run whose model endpoint cannot be reached for this long (consecutive failures) is ended as failed. */
  upstreamFailAfterMs: number;
  /** Commits what the agent left and brings the run branch back (or not, for explore runs). */
  finishCheckout: (run: Run) => Promise<{ headSha: string | null; commitsAhead: number | null }>;
  log?: (msg: string) => void;
}

/** The relay socket lives here; the directory (not the socket) is mounted, so a new relay's socket is visible. */
export const relayDirOf = (run: Pick<Run, 'runDir'>) => join(run.runDir, 'relay');

export class RunSupervisor {
  private readonly d: SupervisorDeps;
  constructor(deps: SupervisorDeps) {
    this.d = deps;
  }

  /** Takes ownership of the run unless a live process already has it. Returns false if someone else supervises it. */
  claim(runId: string): boolean {
    const me = self();
    return this.d.runs.mutate(runId, (run) => {
      if (isTerminal(run.state)) return { value: false };
      if (run.ownerPid !== null && !(run.ownerPid === me.pid && run.ownerStart === me.start) && ownerAlive(run.ownerPid, run.ownerStart)) {
        return { value: false };
      }
      return { patch: { ownerPid: me.pid, ownerStart: me.start }, value: true };
    });
  }

  release(runId: string): void {
    const me = self();
    this.d.runs.mutate(runId, (run) => (run.ownerPid === me.pid ? { patch: { ownerPid: null, ownerStart: null }, value: undefined } : { value: undefined }));
  }

  /** Supervises the run to its end. Resolves when it is in a final state (or someone else owns it). */
  async supervise(runId: string): Promise<void> {
    if (!this.claim(runId)) return;
    try {
      // drive() resumes from what is stored (line counters, state), so after an engine hiccup it simply goes again:
      // the container usually lives on (Podman's containers outlive its API service).
      for (let attempt = 1; ; attempt++) {
        try {
          await this.drive(runId);
          return;
        } catch (e) {
          const run = this.d.runs.get(runId);
          if (!run || isTerminal(run.state)) return;
          if (attempt >= RETRIES) {
            this.transition(run, 'crashed', { reason: `supervisor error: ${(e as Error).message}`, error: (e as Error).stack ?? String(e), phase: 'done', finishedAt: Date.now() });
            throw e;
          }
          this.d.log?.(`attempt ${attempt} failed (${(e as Error).message}); retrying`);
          await sleep(500 * 2 ** attempt);
        }
      }
    } finally {
      this.release(runId);
    }
  }

  private async drive(runId: string): Promise<void> {
    let run = this.must(runId);
    if (run.state === 'pending' || !run.containerId) {
      // The spawning process died before the container existed: nothing ran.
      await this.finish(run, 'crashed', { reason: 'spawn was interrupted before the agent started' }, false);
      return;
    }
    const containerId = run.containerId;
    let relay: ModelRelay | undefined;
    const cancels: (() => void)[] = [];
    try {
      const upstream = new UpstreamWatch();
      relay = await startModelRelay({
        socketPath: join(relayDirOf(run), 'model.sock'),
        upstream: this.d.model.upstream,
        token: run.modelToken,
        credential: this.d.model.credential,
        onUsage: (u) => this.d.runs.addUsage(runId, u, costOf(u.model, u)),
        onUpstreamAnswer: () => upstream.ok(),
        onUpstreamError: (message) => {
          const failingFor = upstream.failed();
          const giveUp = failingFor >= this.d.upstreamFailAfterMs;
          this.d.events.append(runId, { kind: 'note', message: `model endpoint unreachable: ${message}${failingFor > 0 ? ` (failing for ${formatDuration(failingFor)})` : ''}${giveUp ? '; ending the run' : ''}` });
          if (giveUp) void this.requestStop(runId, 'upstream', message);
        },
      });
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
      // Timer callbacks must never throw: an exception there would take the whole supervisor process down.
      const guarded = (what: string, fn: () => unknown) => () => {
        Promise.resolve().then(fn).catch((e: unknown) => this.d.log?.(`${what} failed: ${String(e)}`));
      };
      cancels.push(armAt(startedAt + run.timeoutMs, guarded('timeout', () => this.onTimeout(runId))));
      const stallCheck = setInterval(guarded('stall check', () => this.checkStall(runId)), Math.min(5000, Math.max(250, this.d.stallAfterMs / 4)));
      cancels.push(() => clearInterval(stallCheck));

      await this.pump(run, true);
      const exitCode = await this.d.runtime.waitContainer(containerId);
      // The followed stream can end early (engine hiccup); a final full read stores whatever was missed.
      await this.pump(this.must(runId), false);
      container = (await this.d.runtime.inspectContainer(containerId)) ?? container;
      run = this.must(runId);
      const { state, reason } = outcome(run, container, exitCode, this.lastResult(runId));
      await this.finish(run, state, { reason, exitCode }, true);
    } finally {
      for (const cancel of cancels) cancel();
      await relay?.close();
    }
  }

  /** Streams the container's output into the event log, in batches, parsing each stdout line with the agent adapter. */
  private async pump(run: Run, follow: boolean): Promise<void> {
    const adapter = this.d.agent(run.agent);
    const counters = { stdout: 0, stderr: 0 };
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
    for await (const line of this.d.runtime.logs(run.containerId!, { follow })) {
      const index = counters[line.stream]++;
      const events = line.stream === 'stdout' ? adapter.parseLine(line.line) : [];
      batch.push({ stream: line.stream, index, events, text: line.line });
      if (failure !== undefined) throw failure;
      if (batch.length >= 200) flush();
      // A lone line is stored within 50 ms, so the live tail keeps up; a timer's error is rethrown in this loop.
      else timer ??= setTimeout(() => { try { flush(); } catch (e) { failure = e; } }, 50);
    }
    if (failure !== undefined) throw failure;
    flush();
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

  private checkStall(runId: string): void {
    const run = this.d.runs.get(runId);
    if (!run || run.state !== 'running') return;
    const quietSince = run.lastOutputAt ?? run.startedAt ?? run.createdAt;
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

/** How a run whose container has exited ends, and why — in words a user understands. */
export function outcome(run: Run, c: ContainerState, exitCode: number, result: { isError: boolean; subtype: string } | undefined): { state: RunState; reason: string } {
  if (run.stopRequested === 'timeout') return { state: 'timed_out', reason: `timed out after ${formatDuration(run.timeoutMs)}` };
  if (run.stopRequested === 'user') return { state: 'cancelled', reason: 'stopped by user' };
  if (run.stopRequested === 'upstream') return { state: 'failed', reason: `model endpoint unreachable: ${run.stopDetail ?? 'no answer'}` };
  if (c.oomKilled) return { state: 'failed', reason: `out of memory (limit ${formatBytes(run.memoryBytes)})` };
  if (exitCode === 0 && result && !result.isError) return { state: 'completed', reason: 'the agent finished' };
  if (result?.isError) return { state: 'failed', reason: `the agent reported an error (${result.subtype})` };
  if (exitCode === 0) return { state: 'failed', reason: 'the agent exited without a result' };
  if (exitCode === 137) return { state: 'failed', reason: 'killed (exit 137)' };
  return { state: 'failed', reason: `the agent exited with code ${exitCode}${c.error ? `: ${c.error}` : ''}` };
}

/** Consecutive failures to reach the upstream: how long they have lasted. Any answer ends the streak. */
class UpstreamWatch {
  private since: number | undefined;
  ok(): void {
    this.since = undefined;
  }
  /** Records a failure; returns how long the upstream has been failing (0 for the first failure). */
  failed(now = Date.now()): number {
    this.since ??= now;
    return now - this.since;
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
