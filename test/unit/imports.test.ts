/**
 * The house rule that keeps one feature in one place: surfaces (cli/, api/, mcp/, web/) import app/ only — its public
 * face (app/index.ts, or app/light.ts for thin clients) — besides their own files, libraries and Node. The daemon is
 * the composition root: it may wire surfaces to app/, and `paddock serve` starts it. Nothing in the domain imports a
 * surface.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { it } from 'node:test';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');
const SURFACES = ['cli', 'api', 'mcp', 'web'];
const APP_FACES = ['app/index.ts', 'app/light.ts'];
/** Allowed crossings, each with why. */
const EXCEPTIONS: Record<string, string[]> = {
  'cli/commands/serve.ts': ['daemon/index.ts'], // `paddock serve` starts the composition root
};

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
}

it('surfaces import app/ only (its index or light face), besides their own files and libraries', () => {
  const bad: string[] = [];
  for (const surface of SURFACES) {
    for (const file of files(join(SRC, surface))) {
      const rel = relative(SRC, file);
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue; // a library or node:
        const target = relative(SRC, resolve(dirname(file), spec));
        if (target.startsWith(`${surface}/`)) continue;
        if (APP_FACES.includes(target)) continue;
        if (EXCEPTIONS[rel]?.includes(target)) continue;
        bad.push(`${rel} imports ${target}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

it('the web board (web/, a browser app) imports none of src/: it reaches Paddock only over the HTTP API', () => {
  const WEB = resolve(SRC, '..', 'web');
  const bad: string[] = [];
  for (const file of files(join(WEB, 'src'))) {
    for (const spec of imports(file)) {
      if (spec.startsWith('.') && relative(WEB, resolve(dirname(file), spec)).startsWith('..')) bad.push(`${relative(WEB, file)} imports ${spec}`);
    }
  }
  assert.ok(files(join(WEB, 'src')).length > 0, 'web/src has the app');
  assert.deepEqual(bad, []);
});

it('the domain never imports a surface or the daemon', () => {
  const bad: string[] = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    const top = rel.split('/')[0] ?? '';
    if (SURFACES.includes(top) || top === 'daemon') continue;
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0] ?? '';
      if (SURFACES.includes(target) || target === 'daemon') bad.push(`${rel} imports ${target}/`);
    }
  }
  assert.deepEqual(bad, []);
});
