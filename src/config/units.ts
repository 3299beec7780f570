/** Parsing of the human units Paddock accepts on every surface: sizes ("512m", "1g"), durations ("30m", "90s"). */
import { invalidInput } from '../errors/index.ts';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "512m" → bytes. Accepts b/k/m/g (optionally with a trailing b), case-insensitive. */
export function parseBytes(value: string | number, what = 'size'): number {
  if (typeof value === 'number') return positiveInteger(value, what, String(value));
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const factor = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw invalidInput(`invalid ${what} "${value}"`, `use a positive size such as 512m, 1g or 2048k`);
  }
  return positiveInteger(Math.round(Number(m[1]) * factor), what, value);
}

/** "30m" → milliseconds. Accepts ms/s/m/h/d, combinations like "1h30m", or a bare number of seconds. */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') return positiveInteger(value * 1000, what, String(value));
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return positiveInteger(Number(text) * 1000, what, value);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw invalidInput(`invalid ${what} "${value}"`, 'use a positive duration such as 90s, 30m, 1h30m or 7d');
  }
  return positiveInteger(
    parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? 's'] ?? 0), 0),
    what,
    value,
  );
}

/** "1.5" → 1.5 CPUs; must be > 0 and at most 1024. */
export function parseCpus(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1024) throw invalidInput(`invalid cpus "${value}"`, 'use a positive number of CPUs such as 1 or 0.5');
  return n;
}

export function parsePids(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 16) throw invalidInput(`invalid pids limit "${value}"`, 'use a whole number of at least 16, such as 512');
  return n;
}

function positiveInteger(n: number, what: string, raw: string): number {
  if (!Number.isFinite(n) || n <= 0) throw invalidInput(`invalid ${what} "${raw}"`, `the ${what} must be greater than zero`);
  return Math.round(n);
}

export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return `${n}b`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}
