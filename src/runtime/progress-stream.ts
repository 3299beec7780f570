/**
 * Reads the JSON-lines progress stream that /build and /images/create answer with.
 * Docker ends its lines with \r\n and sends "Step 1/4 : …" and its newline as two messages; Podman sends whole lines.
 * Failures arrive inside the stream (HTTP 200 already sent): Docker as {"errorDetail":{"code":3,"message":…},"error":…},
 * Podman as {"errorDetail":{"message":…},"error":…}.
 */
import { StringDecoder } from 'node:string_decoder';

export interface ProgressResult {
  /** The error text the engine reported, if any. */
  error: string | undefined;
  /** Image id from {"aux":{"ID":…}} (build) or a sha256 status (import), when the engine sent one. */
  imageId: string | undefined;
}

interface ProgressMessage {
  stream?: unknown;
  status?: unknown;
  id?: unknown;
  progress?: unknown;
  error?: unknown;
  errorDetail?: { message?: unknown };
  aux?: { ID?: unknown };
}

export async function readProgress(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, onProgress: (line: string) => void = () => {}): Promise<ProgressResult> {
  const result: ProgressResult = { error: undefined, imageId: undefined };
  let pending = '';
  // Text of "stream" messages, which is one continuous text split arbitrarily across messages.
  let text = '';
  const emitText = (final: boolean) => {
    const lines = text.split('\n');
    text = final ? '' : (lines.pop() ?? '');
    for (const l of lines) {
      const line = l.replace(/\r$/, '');
      if (line.trim() !== '') onProgress(line);
    }
  };
  const handle = (raw: string) => {
    const line = raw.trim();
    if (line === '') return;
    let msg: ProgressMessage;
    try {
      msg = JSON.parse(line) as ProgressMessage;
    } catch {
      onProgress(line);
      return;
    }
    if (typeof msg.stream === 'string') {
      text += msg.stream;
      emitText(false);
    }
    if (typeof msg.status === 'string') {
      const id = typeof msg.id === 'string' && msg.id !== msg.status ? `${msg.id}: ` : '';
      const progress = typeof msg.progress === 'string' && msg.progress !== '' ? ` ${msg.progress}` : '';
      onProgress(`${id}${msg.status}${progress}`);
      if (/^sha256:[0-9a-f]{64}$/.test(msg.status)) result.imageId = msg.status;
    }
    if (typeof msg.aux?.ID === 'string') result.imageId = msg.aux.ID;
    const error = typeof msg.errorDetail?.message === 'string' ? msg.errorDetail.message : typeof msg.error === 'string' ? msg.error : undefined;
    if (error !== undefined) result.error = result.error === undefined ? error.trim() : `${result.error}\n${error.trim()}`;
  };
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) handle(l);
  }
  handle(pending + decoder.end());
  emitText(true);
  return result;
}
