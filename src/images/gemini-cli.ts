/**
 * Fetches the Gemini CLI (@google/gemini-cli) into the cache, once per version. It is JavaScript: 0.61.0 ships one
 * self-contained bundle (bundle/gemini.js and its chunks, about 96 MB unpacked) with no runtime dependencies (only
 * optional native ones: keytar, node-pty, which headless runs do without), so `npm pack` and an unpack are the whole
 * install; it runs on the image's Node 24 (it needs Node ≥ 20).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';

const run = promisify(execFile);
export const GEMINI_PACKAGE = '@google/gemini-cli';
/** The entry point inside the package (its `bin.gemini`). */
export const GEMINI_ENTRY = 'bundle/gemini.js';

/** The unpacked package directory (package.json, bundle/), fetched on first use. */
export async function ensureGeminiCli(cacheDir: string, version: string, progress: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, 'gemini-cli', version);
  const target = join(dir, 'package');
  if (existsSync(join(target, GEMINI_ENTRY))) return target;
  mkdirSync(dir, { recursive: true });
  const spec = `${GEMINI_PACKAGE}@${version}`;
  progress(`fetching ${spec} from the npm registry (about 20 MB compressed)…`);
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const { stdout } = await run('npm', ['pack', '--silent', spec], { cwd: tmp, maxBuffer: 1 << 20 });
    const tarball = stdout.trim().split('\n').pop() ?? '';
    await run('tar', ['xzf', tarball, '-C', tmp, '--no-same-owner', '--no-same-permissions'], { cwd: tmp });
    const unpacked = join(tmp, 'package');
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as { version?: string; bin?: Record<string, string> };
    if (pkg.version !== version) throw new Error(`the package says version ${String(pkg.version)}, not ${version}`);
    if (!existsSync(join(unpacked, GEMINI_ENTRY))) throw new Error(`${GEMINI_ENTRY} is missing from ${spec}`);
    rmSync(target, { recursive: true, force: true });
    renameSync(unpacked, target); // atomic: a half-unpacked package is never at `target`
    return target;
  } catch (e) {
    throw new PaddockError(ErrorCode.Internal, `could not fetch the Gemini CLI ${version}: ${(e as Error).message}`, {
      hint: 'check that the npm registry is reachable (npm ping), or set PADDOCK_GEMINI_CLI_VERSION to a published version',
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The `gemini` launcher on the image's PATH: the image's Node running the bundle. */
export function geminiLauncher(installDir: string): string {
  return `#!/bin/sh\nexec /usr/local/bin/node ${installDir}/${GEMINI_ENTRY} "$@"\n`;
}
