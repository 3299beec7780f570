/**
 * Server-sent events read with fetch (an EventSource cannot send the login's bearer header): frames parsed as the
 * SSE spec says, the last `id:` sent back as Last-Event-ID on reconnect, so the stream resumes without gaps or
 * repeats. Reconnects after a drop (1 s, doubling to 10 s) until the caller aborts or `done` says the stream is over.
 */
import { authHeaders, unauthorized } from './api.ts';

export interface SseFrame {
  event: string;
  id: string | undefined;
  data: string;
}

export interface StreamOptions {
  signal: AbortSignal;
  onFrame(frame: SseFrame): void;
  /** The stream answered (again): true after a reconnect. */
  onOpen?(reconnected: boolean): void;
  /** The connection dropped; it is retried. */
  onDrop?(): void;
  /** Whether to stop after the server closed the stream (e.g. the run has ended). */
  done?(): boolean;
  lastEventId?: string;
}

export async function followStream(path: string, o: StreamOptions): Promise<void> {
  let lastId = o.lastEventId;
  let delay = 1000;
  let opened = false;
  while (!o.signal.aborted) {
    try {
      const res = await fetch(path, {
        headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) },
        signal: o.signal,
        cache: 'no-store',
      });
      if (res.status === 401) {
        unauthorized.dispatchEvent(new Event('unauthorized'));
        return;
      }
      if (res.status === 204) return;
      if (res.ok && res.body) {
        o.onOpen?.(opened);
        opened = true;
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        let frame: SseFrame = { event: 'message', id: undefined, data: '' };
        let hasData = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let nl = buf.search(/\r\n|\r|\n/);
          while (nl >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(buf[nl] === '\r' && buf[nl + 1] === '\n' ? nl + 2 : nl + 1);
            if (line === '') {
              if (frame.id !== undefined) lastId = frame.id;
              if (hasData) o.onFrame(frame);
              frame = { event: 'message', id: undefined, data: '' };
              hasData = false;
            } else if (!line.startsWith(':')) {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'data') {
                frame.data = hasData ? `${frame.data}\n${value}` : value;
                hasData = true;
              } else if (field === 'event') frame.event = value;
              else if (field === 'id') frame.id = value;
            }
            nl = buf.search(/\r\n|\r|\n/);
          }
        }
        if (o.done?.()) return;
      }
    } catch {
      if (o.signal.aborted) return;
    }
    o.onDrop?.();
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
}
