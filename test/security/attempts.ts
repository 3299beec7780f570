/**
 * The escape suite's record: every attempt a test makes from inside a real run is checked and written down, so
 * docs/security.md (scripts/gen-security-doc.ts) lists what was tried and what happened, from the suite's own results.
 *
 * Use: `await attempt(t, { id: 'keyctl-show', finding: 1, area: 'jail', what: 'list the host user\'s keyring' },
 *   () => { assert.match(out, /Operation not permitted/); return 'keyctl: EPERM (seccomp)'; })`
 * The check throws to fail the test; what it returns is the recorded result ("denied: …", "neutralised: …").
 * Results go to test/security/results/<test file>.json when the file's tests end.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export type Area = 'jail' | 'gateway' | 'egress' | 'finalize' | 'supervision' | 'policy' | 'secrets' | 'credential' | 'surfaces';

export interface AttemptSpec {
  /** Stable, unique across the suite (kebab-case): the doc's row key. */
  id: string;
  area: Area;
  /** The escape-test finding it covers (issue 14's list, 1–11), or 0 for an attempt beyond them. */
  finding: number;
  /** What the agent (or another local user) tried, in words. */
  what: string;
}

export interface AttemptRecord extends AttemptSpec {
  outcome: 'denied' | 'neutralised' | 'FAILED';
  result: string;
  file: string;
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');
const records = new Map<string, AttemptRecord[]>();
let hooked = false;

/**
 * Runs one attempt's check and records its result. The check returns how the attempt was stopped; it should start
 * with "denied" or "neutralised" (anything else is recorded as denied). A throwing check is recorded as FAILED and
 * rethrown, so the test fails.
 */
export async function attempt(t: TestContext, spec: AttemptSpec, check: () => string | Promise<string>): Promise<void> {
  const file = basename(t.filePath ?? 'unknown');
  const list = records.get(file) ?? [];
  records.set(file, list);
  if (!hooked) {
    hooked = true;
    process.on('exit', flush);
  }
  try {
    const result = await check();
    list.push({ ...spec, outcome: /^neutralised/i.test(result) ? 'neutralised' : 'denied', result, file });
  } catch (e) {
    list.push({ ...spec, outcome: 'FAILED', result: e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e), file });
    throw e;
  }
}

function flush(): void {
  for (const [file, list] of records) {
    const sorted = [...list].sort((a, b) => a.id.localeCompare(b.id));
    writeFileSync(join(RESULTS_DIR, `${file.replace(/\.test\.ts$/, '')}.json`), `${JSON.stringify(sorted, null, 2)}\n`);
  }
}
