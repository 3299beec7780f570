/**
 * Reads token usage out of Messages API responses as they stream through the relay, without changing a byte:
 * `message_start` carries the input and cache tokens (and a first output count), `message_delta` the running
 * output total (and, on newer servers, running input/cache totals). A plain JSON reply carries one `usage` object.
 * Each message's usage is reported as increments, so a caller can add them up live and a cut-off stream still
 * counts what was billed so far.
 */
import type { Usage } from '../agents/types.ts';

export interface UsageIncrement extends Usage {
  /** The model that answered, as the response names it. */
  model: string;
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
/** A response line longer than this is not usage (those are short); it is passed through and not parsed. */
const MAX_LINE = 1 << 20;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function usageOf(u: unknown, prev: Usage): Usage {
  if (!isObject(u)) return prev;
  return {
    inputTokens: count(u.input_tokens) ?? prev.inputTokens,
    outputTokens: count(u.output_tokens) ?? prev.outputTokens,
    cacheReadTokens: count(u.cache_read_input_tokens) ?? prev.cacheReadTokens,
    cacheCreationTokens: count(u.cache_creation_input_tokens) ?? prev.cacheCreationTokens,
  };
}

const minus = (a: Usage, b: Usage): Usage => ({
  inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
  outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
  cacheReadTokens: Math.max(0, a.cacheReadTokens - b.cacheReadTokens),
  cacheCreationTokens: Math.max(0, a.cacheCreationTokens - b.cacheCreationTokens),
});
const isZero = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheCreationTokens === 0;

/** A tap for one response. Feed it the body's chunks; it calls onUsage with each increment. */
export class UsageTap {
  private readonly sse: boolean;
  private readonly onUsage: (u: UsageIncrement) => void;
  private buffer = '';
  private skipping = false;
  private model = '';
  /** What this message has reported so far (the running totals). */
  private seen: Usage = { ...ZERO };

  constructor(contentType: string, onUsage: (u: UsageIncrement) => void) {
    this.sse = contentType.includes('text/event-stream');
    this.onUsage = onUsage;
  }

  write(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    if (!this.sse) {
      // A JSON reply is parsed whole at the end; a huge one is not a Messages reply worth counting.
      if (this.buffer.length + text.length <= 8 * MAX_LINE) this.buffer += text;
      else this.skipping = true;
      return;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.append(text.slice(start));
  }

  end(): void {
    if (this.sse) {
      if (this.buffer) this.line('');
      return;
    }
    if (this.skipping || !this.buffer) return;
    try {
      const body: unknown = JSON.parse(this.buffer);
      if (isObject(body) && body.type === 'message') {
        this.model = typeof body.model === 'string' ? body.model : '';
        this.report(usageOf(body.usage, ZERO));
      }
    } catch {
      // not JSON: nothing to count
    }
  }

  private append(rest: string): void {
    if (this.skipping) return;
    if (this.buffer.length + rest.length > MAX_LINE) {
      this.buffer = '';
      this.skipping = true;
    } else this.buffer += rest;
  }

  private line(tail: string): void {
    const whole = this.skipping ? '' : this.buffer + tail;
    this.buffer = '';
    this.skipping = false;
    if (!whole.startsWith('data:')) return;
    let data: unknown;
    try {
      data = JSON.parse(whole.slice(5));
    } catch {
      return;
    }
    if (!isObject(data)) return;
    if (data.type === 'message_start' && isObject(data.message)) {
      this.model = typeof data.message.model === 'string' ? data.message.model : '';
      this.seen = { ...ZERO };
      this.report(usageOf(data.message.usage, ZERO));
    } else if (data.type === 'message_delta') {
      this.report(usageOf(data.usage, this.seen));
    }
  }

  /** Reports what the running totals grew by since the last report. */
  private report(total: Usage): void {
    const inc = minus(total, this.seen);
    this.seen = {
      inputTokens: Math.max(total.inputTokens, this.seen.inputTokens),
      outputTokens: Math.max(total.outputTokens, this.seen.outputTokens),
      cacheReadTokens: Math.max(total.cacheReadTokens, this.seen.cacheReadTokens),
      cacheCreationTokens: Math.max(total.cacheCreationTokens, this.seen.cacheCreationTokens),
    };
    if (!isZero(inc)) this.onUsage({ ...inc, model: this.model });
  }
}
