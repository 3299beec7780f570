/** camelCase ⇄ snake_case row mapping, with JSON and boolean columns declared per table. */
type Row = Record<string, unknown>;

const toSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

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
