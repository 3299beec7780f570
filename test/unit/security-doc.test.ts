import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { it } from 'node:test';
import { currentRegion, loadResults, renderAttempts, SECURITY_DOC } from '../../scripts/gen-security-doc.ts';

// The "how" column carries the suite's own words (timings, sizes); the rows, findings and outcomes must match exactly.
const rows = (region: string): string[] =>
  region
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| attempt '))
    .map((l) => {
      const c = l.split(/(?<!\\)\|/).map((s) => s.trim());
      return [c[1], c[2], c[3], c[5]].join(' | ');
    })
    .sort();

it('docs/security.md lists every attempt the escape suite recorded, with its outcome (regenerate: node scripts/gen-security-doc.ts)', () => {
  const results = loadResults();
  assert.deepEqual(rows(currentRegion(readFileSync(SECURITY_DOC, 'utf8'))), rows(renderAttempts(results)));
});

it('every attempt in test/security/*.test.ts has a recorded result, none failed, and there are at least 40', () => {
  // Literal ids (`id: 'keyctl-show'`) and generated ones (`id: \`mount-${target}\``, matched by their prefix).
  const declared = new Set<string>();
  const prefixes = new Set<string>();
  for (const f of globSync('test/security/*.test.ts')) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bid:\s*[`'"]([a-z0-9][a-z0-9-]*)[`'"]/g)) declared.add(m[1] as string);
    for (const m of src.matchAll(/\bid:\s*`([a-z0-9][a-z0-9-]*)\$\{/g)) prefixes.add(m[1] as string);
  }
  const results = loadResults();
  const recorded = new Set(results.map((r) => r.id));
  assert.deepEqual([...declared].filter((id) => !recorded.has(id)).sort(), [], 'attempts declared in the suite but not recorded: run it');
  assert.deepEqual([...prefixes].filter((p) => ![...recorded].some((id) => id.startsWith(p))).sort(), [], 'generated attempts with no recorded result: run the suite');
  // Ids built from tables (id: name) are not visible here; a results file must at least belong to a test file.
  const files = new Set(globSync('test/security/*.test.ts').map((f) => basename(f)));
  assert.deepEqual(
    [...new Set(results.map((r) => r.file))].filter((f) => !files.has(f)),
    [],
    'results of a test file that no longer exists',
  );
  assert.equal(results.length, recorded.size, 'attempt ids are unique');
  assert.deepEqual(
    results.filter((r) => r.outcome === 'FAILED').map((r) => `${r.id}: ${r.result}`),
    [],
    'every attempt is denied or neutralised',
  );
  assert.ok(results.length >= 40, `the escape suite makes at least 40 attempts (has ${results.length})`);
});
