/** Human output: tables, ages, and the readable transcript of a run's events. */
import { styleText } from 'node:util';
import { formatDuration, type RunView as Run, type StoredEvent } from '../app/light.ts';

type Style = Parameters<typeof styleText>[0];
export const paint = (style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string => styleText(style, text, { validateStream: true, stream });

/**
 * Makes text from outside Paddock (anything an agent wrote: its messages, tool calls and output, branch names, task
 * text) harmless to a terminal before it is printed in human mode. Escape sequences (CSI such as colours and cursor
 * moves, OSC such as the window title or hyperlinks, DCS/APC/PM/SOS strings, two-byte ESC sequences, and their C1
 * forms) are removed; any other control character, a carriage return not followed by a newline, and Unicode
 * direction overrides are shown escaped (`\x07`, `\u202e`). Newlines and tabs are kept.
 */
export function safe(text: unknown): string {
  return String(text)
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n/g, '\n')
    .replace(UNSAFE_CHAR, (c) => {
      const code = c.codePointAt(0) ?? 0;
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}
// CSI (ESC [ or 0x9b) params/intermediates then a final byte; OSC (ESC ] or 0x9d) to BEL or ST; DCS, SOS, PM, APC
// (ESC P/X/^/_ or 0x90/0x98/0x9e/0x9f) to ST; ESC with intermediates and a final byte; ESC and the character after
// it. An unterminated string loses only its introducer; the rest is shown (its C1 form is escaped).
const ESCAPE_SEQUENCE = new RegExp(
  [
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?',
    '(?:\\x1b\\]|\\x9d)[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)',
    '(?:\\x1b[PX^_]|[\\x90\\x98\\x9e\\x9f])[^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)',
    '\\x1b[\\x20-\\x2f]+[\\x30-\\x7e]?',
    '\\x1b[\\x30-\\x7e]?',
  ].join('|'),
  'g',
);
const UNSAFE_CHAR = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of at most max characters (first line of text, safe, with … when cut). */
export function shorten(text: string, max: number): string {
  const first = safe((text.split('\n')[0] ?? '').replace(/\t/g, ' ')).trim();
  const more = first.length > max || text.trim().includes('\n');
  if (!more) return first;
  return max <= 1 ? '…' : `${first.slice(0, max - 1).trimEnd()}…`;
}

/** At most max characters, cut in the middle (keeps a branch's prefix and its unique tail). */
export function shortenMiddle(text: string, max: number): string {
  const s = safe(text).replace(/\s/g, ' ');
  if (s.length <= max) return s;
  if (max <= 1) return '…';
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/** A moment as local date and time, e.g. 2025-03-01 14:05:09. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
/** Local time of day, e.g. 14:05:09. */
export const clock = (ms: number): string => dateTime(ms).slice(11);

/** How long a run took (or has taken so far): started → finished (or now); '-' before it started. */
export function runDuration(r: Pick<Run, 'createdAt' | 'startedAt' | 'finishedAt'>, now = Date.now()): string {
  const from = r.startedAt ?? (r.finishedAt !== null ? r.createdAt : null);
  if (from === null) return '-';
  const s = Math.max(0, Math.round(((r.finishedAt ?? now) - from) / 1000));
  return s === 0 ? '0s' : formatDuration(s * 1000);
}

/** Bytes for people: 0 B, 12 KiB, 3.4 MiB, 1.2 GiB. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => stripAnsi(r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - stripAnsi(c).length))).join('  ')).join('\n');
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

export function stateColor(state: string): Style {
  switch (state) {
    case 'completed':
      return 'green';
    case 'running':
    case 'starting':
      return 'cyan';
    case 'stalled':
    case 'pending':
    case 'queued':
      return 'yellow';
    case 'idle':
      return 'blue';
    default:
      return 'red';
  }
}

export const tokens = (r: Run) => (r.inputTokens === null ? '-' : `${r.inputTokens + (r.cacheReadTokens ?? 0) + (r.cacheCreationTokens ?? 0)}/${r.outputTokens ?? 0}`);
export const cost = (r: Run) => (r.costUsd === null ? '-' : `$${r.costUsd.toFixed(4)}`);

function summarizeInput(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const pick = i.command ?? i.file_path ?? i.path ?? i.pattern ?? i.url ?? i.description;
  const text = typeof pick === 'string' ? pick : (JSON.stringify(input) ?? '');
  return `${safe(name)}(${safe(text.length > 200 ? `${text.slice(0, 200)}…` : text)})`;
}

function clip(text: string, lines: number): string {
  const all = text.split('\n');
  return all.slice(0, lines).join('\n') + (all.length > lines ? `\n… (${all.length - lines} more lines)` : '');
}

/** Text of an event field, made safe for the terminal (every field of an event may come from the agent). */
const f = (v: unknown): string => safe(v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * One event as a readable transcript line (or several), or undefined for events not worth showing. With timestamps,
 * the first line starts with the event's local time and the others are indented to match.
 */
export function renderEvent(e: StoredEvent, opts: { timestamps?: boolean } = {}): string | undefined {
  const line = renderBody(e);
  if (line === undefined || !opts.timestamps) return line;
  return `${paint('dim', clock(e.ts))} ${line.replace(/\n/g, `\n${' '.repeat(9)}`)}`;
}

function renderBody(e: StoredEvent): string | undefined {
  const d = e.data;
  switch (e.kind) {
    case 'init':
      return paint('dim', `▸ session ${f(d.sessionId)} · model ${f(d.model)} · ${f(d.cwd)}`);
    case 'text':
      return `${paint('bold', '●')} ${f(d.text)}`;
    case 'thinking':
      return paint('dim', `✻ ${f(d.text)}`);
    case 'tool_use':
      return `${paint('cyan', '⏺')} ${summarizeInput(String(d.name), d.input)}`;
    case 'tool_result': {
      const body = clip(f(d.content), 6).replace(/\n/g, '\n    ');
      return d.isError ? paint('red', `  ⎿ ${body}`) : paint('dim', `  ⎿ ${body}`);
    }
    case 'result': {
      // Any tool can print a result line: its figures are the agent's say, not Paddock's count (status has that).
      const u = (d.usage ?? {}) as Record<string, number>;
      const summary = `agent-reported: ${f(d.numTurns)} turns · $${Number(d.costUsd ?? 0).toFixed(4)} · ${Number(u.inputTokens ?? 0)} in / ${Number(u.outputTokens ?? 0)} out tokens`;
      return `${d.isError ? paint('red', '✘ result') : paint('green', '✔ result')} ${paint('dim', summary)}${d.result ? `\n${f(d.result)}` : ''}`;
    }
    case 'refused':
      return paint('yellow', `⊘ gateway refused ${f(d.method)} ${f(d.target)} (${f(d.status)}): ${f(d.why)}`);
    case 'error':
      return paint('red', `✘ ${f(d.message)}`);
    case 'stderr': {
      // A lifecycle hook's output, or Paddock's word on a hook (docs/hooks.md).
      const hook = d.hook as { name?: unknown; stream?: unknown } | undefined;
      if (hook) return hook.stream === 'paddock' ? paint('dim', `— ${f(d.text)}`) : paint('dim', `${f(hook.name)}: ${f(d.text)}`);
      return paint('dim', `stderr: ${f(d.text)}`);
    }
    case 'state':
      return paint(stateColor(String(d.to)), `— ${f(d.from)} → ${f(d.to)}${d.reason ? ` (${f(d.reason)})` : ''}`);
    case 'phase':
      return paint('dim', `— ${f(d.phase)}`);
    case 'note':
      return paint('dim', `— ${f(d.message)}`);
    default:
      return undefined;
  }
}

/** What finalize found in a run's tree, as the API gives it (status and diff). */
export interface FinalizeFindings {
  removed: { path: string; kind: string }[];
  leftOut: { path: string; size: number; allocated: number; why: string }[];
  outsideSymlinks: { path: string; target: string; why: string }[];
  authorFlags: { sha: string; subject: string; author: string; authorDate: number; flags: string[] }[];
  maxFileBytes: number;
}

/** One line per finding, made safe (every path and name came from the agent); none for a clean run. */
export function findingLines(f: FinalizeFindings | null | undefined): string[] {
  if (!f) return [];
  const lines: string[] = [];
  for (const x of f.removed) lines.push(`removed before git ran: ${safe(x.path)} (${x.kind})`);
  for (const x of f.leftOut)
    lines.push(
      `left out of the commit: ${safe(x.path)} (${x.why === 'sparse' ? `sparse, ${humanBytes(x.size)} with ${humanBytes(x.allocated)} on disk` : `${humanBytes(x.size)}, above ${humanBytes(f.maxFileBytes)}`})`,
    );
  for (const x of f.outsideSymlinks) lines.push(`symlink pointing outside the worktree: ${safe(x.path)} -> ${safe(x.target)}${x.why === 'git' ? ' (into .git: never merged)' : ''}`);
  for (const c of f.authorFlags) {
    const why = c.flags.map((k) => (k === 'author' ? 'author is not the agent' : `dated ${dateTime(c.authorDate)}, far from the run`)).join(', ');
    lines.push(`commit ${c.sha.slice(0, 10)} claims author ${safe(c.author)}: ${why}`);
  }
  return lines;
}
