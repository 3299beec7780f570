/** Text from a service (its log, a health check's output) made safe to store and print: no control characters, bounded. */
export function cleanText(text: string, maxChars = 2000): string {
  // ESC, other C0 controls (but tab and newline) and C1 controls become '?': a terminal or a log reader acts on none.
  const cleaned = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return cleaned.length > maxChars ? `…${cleaned.slice(cleaned.length - maxChars)}` : cleaned;
}

/** The last n lines of a text, each cleaned and cut at 300 characters. */
export function lastLines(lines: readonly string[], n: number): string[] {
  return lines.slice(-n).map((l) => {
    const c = cleanText(l, 10_000).replace(/\n/g, ' ');
    return c.length > 300 ? `${c.slice(0, 300)}…` : c;
  });
}
