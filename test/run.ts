/**
 * Runs the whole suite with node's test runner: spec output as it goes, then one closing line
 * `tests: N passed, N failed[, N skipped]` that CI reads. Files run in parallel processes (bounded: 2 cores here).
 */
import { globSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2).length ? process.argv.slice(2) : globSync('test/**/*.test.ts').sort();
let passed = 0;
let failed = 0;
let skipped = 0;
const stream = run({ files, concurrency: Number(process.env.PADDOCK_TEST_CONCURRENCY ?? 3), timeout: 15 * 60_000 });
stream.on('test:pass', (d) => {
  if (d.details.type === 'suite') return;
  if (d.skip || d.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (d) => {
  if (d.details.type === 'suite' && !isFileFailure(d)) return;
  failed++;
});
// A whole file that fails to load (syntax error, crash) is reported as a failing "test" at nesting 0.
function isFileFailure(d: { nesting: number; details: { error?: unknown } }): boolean {
  return d.nesting === 0 && (d.details.error as { failureType?: string } | undefined)?.failureType === 'testCodeFailure';
}
const reporter = stream.compose(spec);
reporter.pipe(process.stdout, { end: false });
await finished(reporter);
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
