/** Human output: tables, ages, and the readable transcript of a run's events. */
import { styleText } from 'node:util';
import type { StoredEvent } from '../events/index.ts';
import type { Run } from '../jobs/index.ts';

type Style = Parameters<typeof styleText>[0];
export const paint = (style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string =>
  styleText(style, text, { validateStream: true, stream });

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
    case 'completed': return 'green';
    case 'running': case 'starting': return 'cyan';
    case 'stalled': case 'pending': return 'yellow';
    default: return 'red';
  }
}

export const tokens = (r: Run) => (r.inputTokens === null ? '-' : `${r.inputTokens + (r.cacheReadTokens ?? 0) + (r.cacheCreationTokens ?? 0)}/${r.outputTokens ?? 0}`);
export const cost = (r: Run) => (r.costUsd === null ? '-' : `$${r.costUsd.toFixed(4)}`);

function summarizeInput(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const pick = i.command ?? i.file_path ?? i.path ?? i.pattern ?? i.url ?? i.description;
  const text = typeof pick === 'string' ? pick : JSON.stringify(input);
  return `${name}(${text.length > 200 ? `${text.slice(0, 200)}…` : text})`;
}

function clip(text: string, lines: number): string {
  const all = text.split('\n');
  return all.slice(0, lines).join('\n') + (all.length > lines ? `\n… (${all.length - lines} more lines)` : '');
}

/** One event as a readable transcript line (or several), or undefined for events not worth showing. */
export function renderEvent(e: StoredEvent): string | undefined {
  const d = e.data;
  switch (e.kind) {
    case 'init': return paint('dim', `▸ session ${String(d.sessionId)} · model ${String(d.model)} · ${String(d.cwd)}`);
    case 'text': return `${paint('bold', '●')} ${String(d.text)}`;
    case 'thinking': return paint('dim', `✻ ${String(d.text)}`);
    case 'tool_use': return `${paint('cyan', '⏺')} ${summarizeInput(String(d.name), d.input)}`;
    case 'tool_result': {
      const body = clip(String(d.content ?? ''), 6).replace(/\n/g, '\n    ');
      return d.isError ? paint('red', `  ⎿ ${body}`) : paint('dim', `  ⎿ ${body}`);
    }
    case 'result': {
      const u = (d.usage ?? {}) as Record<string, number>;
      const summary = `${String(d.numTurns)} turns · $${Number(d.costUsd ?? 0).toFixed(4)} · ${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens`;
      return `${d.isError ? paint('red', '✘ result') : paint('green', '✔ result')} ${paint('dim', summary)}${d.result ? `\n${String(d.result)}` : ''}`;
    }
    case 'error': return paint('red', `✘ ${String(d.message)}`);
    case 'stderr': return paint('dim', `stderr: ${String(d.text)}`);
    case 'state': return paint(stateColor(String(d.to)), `— ${String(d.from)} → ${String(d.to)}${d.reason ? ` (${String(d.reason)})` : ''}`);
    case 'phase': return paint('dim', `— ${String(d.phase)}`);
    case 'note': return paint('dim', `— ${String(d.message)}`);
    default: return undefined;
  }
}
