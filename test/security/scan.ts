/** Where a value turns up on the host side: every regular file under a directory, read as raw bytes. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files under dir (the database, its WAL, logs, run dirs …) whose bytes contain needle; symlinks are not followed. */
export function filesWith(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

/**
 * A shell step an agent runs to look for a canary inside its container (every process's environment and command
 * line, every file), printing procenv:N, cmdline:N and files:N. Its pattern does not contain the canary itself, so
 * the search adds nothing to find; it pipes counts to sed, as the Gemini CLI refuses command substitution.
 */
export function canarySearch(canary: string, word = 'canary'): string {
  const pattern = canary.replace(word, `${word.slice(0, -1)}[${word.slice(-1)}]`);
  return [
    `P='${pattern}'`,
    'cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c -e "$P" | sed "s/^/procenv:/"',
    'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" "\\n" | grep -c -e "$P" | sed "s/^/cmdline:/"',
    'grep -rsl -e "$P" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | wc -l | sed "s/^/files:/"',
  ].join('; ');
}
