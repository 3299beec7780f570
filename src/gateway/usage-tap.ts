/**
 * Reads token usage out of model answers as they stream through the relay, without changing a byte: each vendor's
 * row (vendors.ts) says where its usage is (Anthropic: `message_start` and `message_delta`; OpenAI:
 * `response.completed`; a plain JSON reply: its one usage object). Each message's usage is reported as increments, so a caller can add them up live and a cut-off stream still
 * counts what was billed so far.
 */
import type { Usage } from '../agents/types.ts';
import { type UsageReading, VENDORS, type Vendor } from './vendors.ts';

export interface UsageIncrement extends Usage {
  /** The model that answered, as the response names it. */
  model: string;
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
/** A response line longer than this is not usage (those are short); it is passed through and not parsed. */
const MAX_LINE = 1 << 20;

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

  private readonly vendor: Vendor;

  /** vendor: whose answers these are (how usage is named in them); Anthropic's by default. */
  constructor(contentType: string, onUsage: (u: UsageIncrement) => void, vendor: Vendor = VENDORS.anthropic) {
    this.sse = contentType.includes('text/event-stream');
    this.onUsage = onUsage;
    this.vendor = vendor;
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
      this.take(this.vendor.readUsage(JSON.parse(this.buffer), false));
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
    this.take(this.vendor.readUsage(data, true));
  }

  /** A reading: a new message restarts the running totals; totals it does not name keep their value. */
  private take(r: UsageReading | undefined): void {
    if (!r) return;
    if (r.start) {
      this.model = r.model ?? '';
      this.seen = { ...ZERO };
    } else if (r.model !== undefined) this.model = r.model;
    if (r.total) this.report({ ...this.seen, ...r.total });
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
