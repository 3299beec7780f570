/**
 * Container output as lines. A non-TTY container's log stream is multiplexed: frames of
 * [stream type (1 = stdout, 2 = stderr), 0, 0, 0, payload length (uint32 BE)] + payload.
 * Engines cut frames wherever they like (Podman's k8s-file at 8 KiB, Docker's json-file at 16 KiB), so a line can span
 * many frames and a frame many lines; UTF-8 characters can be split across frames too. Frames are consumed as they arrive,
 * without gathering whole frames first, so a 200 KB JSON line costs one join, not a quadratic series of concatenations.
 *
 * The demuxer can also carry on from a second read of the same log (restart()): it counts the bytes of each stream it
 * has passed on and drops that many from the new read, so lines are neither lost nor repeated across reads.
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from './port.ts';

type StreamName = LogLine['stream'];

/** A line longer than this many characters is cut there by default; the rest of it is dropped (counted in `dropped`). */
export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits one stream's bytes into lines, keeping a partial line until its newline arrives. A line is held to maxChars:
 * past that its text is only counted, so one endless line costs bounded memory (V8 strings end near 512 MiB).
 */
class LineSplitter {
  readonly stream: StreamName;
  private readonly decoder = new StringDecoder('utf8');
  private pieces: string[] = [];
  private held = 0;
  private dropped = 0;
  private readonly maxChars: number;
  /** Arrival order of the current partial line's first byte, so partial lines are flushed at the end in the order they began. */
  partialSince = -1;

  constructor(stream: StreamName, maxChars: number) {
    this.stream = stream;
    this.maxChars = maxChars;
  }

  write(bytes: Buffer, seq: number, out: LogLine[]): void {
    const text = this.decoder.write(bytes);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.hold(text, start, nl);
      out.push(this.take());
      start = nl + 1;
    }
    if (start < text.length) {
      if (this.pieces.length === 0 && this.dropped === 0) this.partialSince = seq;
      this.hold(text, start, text.length);
    }
  }

  end(out: LogLine[]): void {
    const rest = this.decoder.end();
    if (rest !== '') this.hold(rest, 0, rest.length);
    if (this.pieces.length > 0 || this.dropped > 0) out.push(this.take());
  }

  /** Keeps text[from, to) up to the cap; counts the rest. */
  private hold(text: string, from: number, to: number): void {
    const room = this.maxChars - this.held;
    const n = to - from;
    if (n <= room) {
      if (n > 0) this.pieces.push(text.slice(from, to));
      this.held += n;
      return;
    }
    if (room > 0) this.pieces.push(text.slice(from, from + room));
    this.held += Math.max(0, room);
    this.dropped += n - Math.max(0, room);
  }

  private take(): LogLine {
    const line = this.pieces.length === 1 ? (this.pieces[0] as string) : this.pieces.join('');
    const dropped = this.dropped;
    this.pieces = [];
    this.held = 0;
    this.dropped = 0;
    this.partialSince = -1;
    return dropped > 0 ? { stream: this.stream, line, droppedChars: dropped } : { stream: this.stream, line };
  }
}

/**
 * Incremental demultiplexer: feed() chunks as they come, end() once. Detects a stream that is not multiplexed
 * (a TTY container's raw output) from its first header and then passes everything through as stdout.
 */
export class LogDemuxer {
  private readonly stdout: LineSplitter;
  private readonly stderr: LineSplitter;
  private mode: 'detect' | 'frames' | 'raw';
  private readonly header = Buffer.alloc(8);
  private headerFill = 0;
  /** Payload bytes still due for the current frame, and whose they are. */
  private remaining = 0;
  private current: LineSplitter;
  /** Counts writes to the splitters, to order partial lines by when they began. */
  private seq = 0;
  /** Per stream: bytes passed to the line splitter over all reads, and bytes seen in the current read. */
  private readonly delivered = { stdout: 0, stderr: 0 };
  private readonly position = { stdout: 0, stderr: 0 };

  constructor(multiplexed: boolean | 'auto' = 'auto', maxLineChars = DEFAULT_MAX_LINE_CHARS) {
    this.stdout = new LineSplitter('stdout', maxLineChars);
    this.stderr = new LineSplitter('stderr', maxLineChars);
    this.current = this.stdout;
    this.mode = multiplexed === 'auto' ? 'detect' : multiplexed ? 'frames' : 'raw';
  }

  /** Returns the lines completed by this chunk, in order. */
  feed(chunk: Buffer): LogLine[] {
    const out: LogLine[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.mode === 'raw') {
        this.deliver(this.stdout, off === 0 ? chunk : chunk.subarray(off), out);
        break;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - off);
        this.deliver(this.current, chunk.subarray(off, off + n), out);
        this.remaining -= n;
        off += n;
        continue;
      }
      // Gather the 8-byte header, which may itself be split across chunks.
      const n = Math.min(8 - this.headerFill, chunk.length - off);
      chunk.copy(this.header, this.headerFill, off, off + n);
      this.headerFill += n;
      off += n;
      if (this.headerFill < 8) break;
      this.headerFill = 0;
      const type = this.header[0] as number;
      const valid = type <= 2 && this.header[1] === 0 && this.header[2] === 0 && this.header[3] === 0;
      if (this.mode === 'detect') {
        if (!valid) {
          // Not multiplexed: those 8 bytes were output. Everything from here on is raw stdout.
          this.mode = 'raw';
          this.deliver(this.stdout, Buffer.from(this.header), out);
          continue;
        }
        this.mode = 'frames';
      }
      // Type 0 (stdin) only appears for attached TTYs; it is output all the same.
      this.current = type === 2 ? this.stderr : this.stdout;
      this.remaining = this.header.readUInt32BE(4);
    }
    return out;
  }

  /** How often a read found the log shorter than what was passed on already (the engine cut it). */
  truncations = 0;

  /** Bytes passed on to the line splitters so far, over all reads. */
  get deliveredBytes(): number {
    return this.delivered.stdout + this.delivered.stderr;
  }

  /**
   * Prepares for a new read of the same log from its start: the bytes already passed on are skipped there.
   * Partial lines stay pending, so a line cut off by the end of one read is completed by the next.
   */
  restart(opts: { detectCut?: boolean } = {}): LogLine[] {
    const out: LogLine[] = [];
    // Fewer than 8 bytes in a whole read: too short to be a frame, so it was raw output.
    if (this.mode === 'detect' && this.headerFill > 0) {
      this.mode = 'raw';
      this.deliver(this.stdout, Buffer.from(this.header.subarray(0, this.headerFill)), out);
    }
    this.headerFill = 0;
    this.remaining = 0;
    // With plain reads (each a consistent prefix of the next), a read that held less than was passed on before means
    // the engine cut the log (its max size: Podman's conmon empties the file and goes on). What is there now came
    // after the cut, so the next read passes all of it on.
    if (opts.detectCut === true && this.position.stdout + this.position.stderr < this.delivered.stdout + this.delivered.stderr) {
      this.delivered.stdout = 0;
      this.delivered.stderr = 0;
      this.truncations++;
    }
    this.position.stdout = 0;
    this.position.stderr = 0;
    return out;
  }

  /** Flushes the last partial lines (output that did not end with a newline). */
  end(): LogLine[] {
    const out: LogLine[] = [];
    if (this.mode === 'detect' && this.headerFill > 0) this.deliver(this.stdout, this.header.subarray(0, this.headerFill), out);
    const order = [this.stdout, this.stderr].filter((s) => s.partialSince !== -1).sort((a, b) => a.partialSince - b.partialSince);
    for (const s of order) s.end(out);
    // A decoder may still hold bytes of an incomplete character without any partial line text.
    for (const s of [this.stdout, this.stderr]) if (!order.includes(s)) s.end(out);
    return out;
  }

  private deliver(to: LineSplitter, bytes: Buffer, out: LogLine[]): void {
    const s = to.stream;
    const skip = Math.min(bytes.length, Math.max(0, this.delivered[s] - this.position[s]));
    this.position[s] += bytes.length;
    if (skip === bytes.length) return;
    to.write(skip === 0 ? bytes : bytes.subarray(skip), ++this.seq, out);
    this.delivered[s] = this.position[s];
  }
}

/** Lines from one log byte stream; ends when the stream ends. */
export async function* demuxLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  multiplexed: boolean | 'auto' = 'auto',
  maxLineChars = DEFAULT_MAX_LINE_CHARS,
): AsyncGenerator<LogLine> {
  const demux = new LogDemuxer(multiplexed, maxLineChars);
  for await (const chunk of source) {
    yield* demux.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  yield* demux.end();
}
