/**
 * Redaction of a run's secret values in what Paddock stores and shows: the agent can print what it was given, and
 * that text must not reach the event log, transcripts, the API or the logs. Each value is replaced by
 * `[secret NAME]`, as it is and as it reads inside a JSON string (the agent's stream-json lines). Values shorter than
 * MIN_REDACTED are not looked for (they would match ordinary text); an encoded value (base64, hex) is not recognised.
 */
export const MIN_REDACTED = 6;

export type Redact = (text: string) => string;

/** A redactor for these values (variable → value); the identity when there is nothing to look for. */
export function redactorFor(values: Record<string, string>): Redact {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value.length < MIN_REDACTED) continue;
    const mark = `[secret ${name}]`;
    pairs.push([value, mark]);
    const inJson = JSON.stringify(value).slice(1, -1);
    if (inJson !== value) pairs.push([inJson, mark]);
    const trimmed = value.trim();
    if (trimmed !== value && trimmed.length >= MIN_REDACTED) pairs.push([trimmed, mark]);
  }
  if (pairs.length === 0) return (t) => t;
  // Longest first, so a value that contains another is replaced whole.
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text;
    for (const [value, mark] of pairs) if (out.includes(value)) out = out.split(value).join(mark);
    return out;
  };
}

/** Every string in a JSON-like value redacted (keys kept). */
export function redactDeep<T>(v: T, redact: Redact): T {
  if (typeof v === 'string') return redact(v) as T;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, redact)) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactDeep(x, redact);
    return out as T;
  }
  return v;
}
