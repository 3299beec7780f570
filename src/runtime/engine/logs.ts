/**
 * Container logs: plain reads of the stored log, and following. How a followed log is read to its end differs between
 * the engines (a LogFollower per engine, see log-followers.ts and docs/runtime.md); each read goes through one demuxer,
 * which skips the bytes already passed on, so no line is lost or repeated across reads.
 */
import type { IncomingMessage } from 'node:http';
import { LogDemuxer } from '../log-demux.ts';
import type { ContainerState, LogLine } from '../port.ts';
import type { EngineClient } from './client.ts';

/** What a follower reads the log with. */
export interface LogSource {
  /** One read of the log (followed or plain) into the demuxer. Returns false when aborted (the caller then stops without flushing). */
  read(id: string, follow: boolean, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean>;
  /** undefined once the container is gone. */
  inspect(id: string): Promise<Pick<ContainerState, 'running'> | undefined>;
}

/** One engine's way of following a log. */
export interface LogFollower {
  /**
   * Reads the log into the demuxer until the container has stopped and its whole log is read (true: complete, the
   * caller flushes the demuxer), or until the signal aborts (false).
   */
  follow(id: string, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean>;
}

export class EngineLogs implements LogSource {
  private readonly client: EngineClient;
  private readonly inspectContainer: (id: string) => Promise<Pick<ContainerState, 'running'> | undefined>;
  private readonly follower: LogFollower;

  constructor(client: EngineClient, inspectContainer: LogSource['inspect'], followerFor: (source: LogSource) => LogFollower) {
    this.client = client;
    this.inspectContainer = inspectContainer;
    this.follower = followerFor(this);
  }

  /**
   * Lines from the very first one. Aborting the signal (or leaving the loop early) closes the HTTP stream and ends the
   * iteration quietly. With follow, it ends once the container is no longer running and its whole log has been read.
   */
  async *lines(id: string, opts: { follow: boolean; signal?: AbortSignal; maxLineChars?: number }): AsyncGenerator<LogLine> {
    const { signal } = opts;
    const demux = new LogDemuxer('auto', opts.maxLineChars);
    const complete = opts.follow ? yield* this.follower.follow(id, demux, signal) : yield* this.read(id, false, demux, signal);
    if (complete) yield* demux.end();
  }

  inspect(id: string): Promise<Pick<ContainerState, 'running'> | undefined> {
    return this.inspectContainer(id);
  }

  async *read(id: string, follow: boolean, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    if (signal?.aborted) return false;
    let res: IncomingMessage;
    try {
      res = await this.client.call<IncomingMessage>({
        path: `/containers/${id}/logs?`,
        method: 'GET',
        options: { stdout: true, stderr: true, follow, timestamps: false },
        isStream: true,
        statusCodes: { 200: true },
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (e) {
      // An aborted read is the caller leaving, not a failure.
      if (signal?.aborted) return false;
      throw this.client.fail(e, `logs of container ${id}`);
    }
    const onAbort = () => res.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) yield* demux.feed(chunk);
      return !signal?.aborted;
    } catch (e) {
      if (signal?.aborted) return false;
      throw this.client.fail(e, `logs of container ${id}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      res.destroy();
    }
  }
}
