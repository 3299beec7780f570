/** A minimal SSE reader for tests: reads a stream to its end (or until `until` says stop) into messages. */
export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

export async function readSse(
  url: string,
  headers: Record<string, string> = {},
  opts: { until?: (m: SseMessage, all: SseMessage[]) => boolean; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SseMessage[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 180_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status} ${await res.text()}`);
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const m: SseMessage = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i === -1 ? line : line.slice(0, i);
          const value = i === -1 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') m.event = value;
          else if (field === 'id') m.id = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0 && m.id === undefined && m.event === 'message') continue;
        m.data = data.join('\n');
        messages.push(m);
        if (opts.until?.(m, messages)) {
          abort.abort();
          return messages;
        }
      }
    }
  } catch (e) {
    if (!abort.signal.aborted || !opts.until) throw e;
  } finally {
    clearTimeout(timer);
  }
  return messages;
}
