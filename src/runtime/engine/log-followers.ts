/**
 * The two ways of following a container's log to its end, one per engine (the measurements behind them are in
 * docs/runtime.md). Both leave the skipping of bytes already passed on to the demuxer.
 */
import type { LogDemuxer } from '../log-demux.ts';
import type { LogLine } from '../port.ts';
import type { LogFollower, LogSource } from './logs.ts';

/** A followed log stream that the engine keeps closing while the container runs is reopened at most this often. */
const MAX_FOLLOW_REOPENS = 20;

/** Podman log polling: the shortest and longest pause between reads, and the pause as a multiple of a read's cost. */
const POLL_MIN_MS = 200;
const POLL_MAX_MS = 2000;
const POLL_COST_FACTOR = 3;

/**
 * Docker: its followed stream is complete while it lasts, but it ends when the container stops, often before the last
 * write reached the json-file log (an unterminated last line was lost in most runs here). So when the stream ends the
 * container is inspected: still running → follow again; stopped → one plain read.
 */
export class StreamLogFollower implements LogFollower {
  private readonly source: LogSource;

  constructor(source: LogSource) {
    this.source = source;
  }

  async *follow(id: string, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    for (let reads = 1; ; reads++) {
      if (!(yield* this.source.read(id, true, demux, signal))) return false;
      const state = await this.source.inspect(id);
      if (state === undefined) return true; // removed meanwhile: its log went with it
      yield* demux.restart();
      if (!state.running) return yield* this.source.read(id, false, demux, signal);
      // Running, yet the engine closed the stream: follow again, within reason.
      if (reads >= MAX_FOLLOW_REOPENS) return true;
    }
  }
}

/**
 * Podman 4.3: its followed stream (a tail of the k8s-file log) drops runs of lines, repeats some, and ends early when
 * the machine is busy (seen in 4–8 of 20 runs of `seq 1 10000` under CPU load), while plain reads of the same log are
 * always consistent prefixes of each other. So following on Podman is polling: plain reads, each skipping the bytes
 * already passed on, until a read that started after the container was seen stopped. A plain read costs Podman time
 * in proportion to the log's size, so the pause between reads grows with that cost and while nothing new arrives.
 */
export class PollingLogFollower implements LogFollower {
  private readonly source: LogSource;

  constructor(source: LogSource) {
    this.source = source;
  }

  async *follow(id: string, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    let pause = POLL_MIN_MS;
    for (;;) {
      // Inspect before reading: a read that starts after the container stopped holds its whole log.
      const state = await this.source.inspect(id);
      if (state === undefined) return true;
      const before = demux.deliveredBytes;
      const started = Date.now();
      if (!(yield* this.source.read(id, false, demux, signal))) return false;
      if (!state.running) return true;
      yield* demux.restart({ detectCut: true });
      const cost = Date.now() - started;
      pause = demux.deliveredBytes > before ? POLL_MIN_MS : Math.min(POLL_MAX_MS, pause * 1.5);
      if (!(await sleep(Math.max(pause, POLL_COST_FACTOR * cost), signal))) return false;
    }
  }
}

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
