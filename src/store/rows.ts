/** camelCase ⇄ snake_case row mapping, with JSON and boolean columns declared per table. */
type Row = Record<string, unknown>;

// Memoised: a list of runs maps thousands of column names, and the regex with a callback per name was most of the
// cost of GET /api/v1/runs (3 ms of its 4 for 50 runs, measured by bench/api.bench.ts).
const memo = (fn: (k: string) => string) => {
  const seen = new Map<string, string>();
  return (k: string) => {
    let v = seen.get(k);
    if (v === undefined) seen.set(k, (v = fn(k)));
    return v;
  };
};
const toSnake = memo((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
const toCamel = memo((k) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));

export interface Columns {
  json?: readonly string[];
  bool?: readonly string[];
}

export function toRow(obj: Record<string, unknown>, cols: Columns): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    row[toSnake(k)] = cols.json?.includes(k) ? JSON.stringify(v) : cols.bool?.includes(k) ? (v ? 1 : 0) : v;
  }
  return row;
}

export function fromRow<T>(row: Row, cols: Columns): T {
  const obj: Row = {};
  for (const [k, v] of Object.entries(row)) {
    const key = toCamel(k);
    obj[key] = cols.json?.includes(key) && typeof v === 'string' ? JSON.parse(v) : cols.bool?.includes(key) ? v === 1 || v === 1n : v;
  }
  return obj as T;
}
