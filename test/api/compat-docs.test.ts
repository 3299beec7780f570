/**
 * docs/api.md's examples are run, as they are, against a real daemon: each ```sh block with bash -euo pipefail and
 * the real curl and jq, `localhost:8080` meaning the daemon's TCP address, `~/.paddock` its home, and `$HOME/src/app`
 * a git repository. A block that fails (a command exits non-zero, or curl cannot connect) fails the test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { git, ROOT } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';

const pexec = promisify(execFile);

/** The ```sh blocks of a markdown text. */
export function shellBlocks(md: string): string[] {
  return [...md.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('docs/api.md examples', () => {
  it('every ```sh block runs against paddock serve', async (t) => {
    const blocks = shellBlocks(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8'));
    assert.ok(blocks.length >= 5, `${blocks.length} blocks`);
    const d = await startDaemon(t);
    const home = mkdtempSync(join(tmpdir(), 'paddock-docs-home-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const app = join(home, 'src', 'app');
    mkdirSync(app, { recursive: true });
    await git(app, 'init', '-q', '-b', 'main');
    await git(app, 'config', 'user.email', 'dev@example.invalid');
    await git(app, 'config', 'user.name', 'Dev');
    writeFileSync(join(app, 'README.md'), '# app\n');
    await git(app, 'add', '-A');
    await git(app, 'commit', '-q', '-m', 'initial');
    symlinkSync(d.e.home, join(home, '.paddock'));
    const port = new URL(d.url).port;

    for (const block of blocks) {
      const script = block.replaceAll('localhost:8080', `127.0.0.1:${port}`);
      const r = await pexec('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], {
        env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
        timeout: 300_000,
        maxBuffer: 16 << 20,
      }).catch((e: { code?: number; stdout?: string; stderr?: string }) => assert.fail(`this block of docs/api.md failed (exit ${e.code}):\n${block}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`));
      assert.equal(r.stderr, '', `${block}\nstderr: ${r.stderr}`);
      // What the blocks print, checked where the docs say what it is.
      if (block.includes('/claude/status')) assert.match(r.stdout, /"configured":true/);
      if (block.includes('"workdir": "/tmp"')) assert.match(r.stdout, /not in a git repository.*PADDOCK_WORKDIR_ROOTS/);
      if (block.includes('capital of France')) assert.match(r.stdout, /^completed$/m);
      if (block.includes('Remember the number')) assert.match(r.stdout, /"success":true/);
    }
  });
});
