/** Fetches the Claude Code CLI's native binary (shipped inside an npm package) into the cache, once per version. */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';

const run = promisify(execFile);
export const CLAUDE_PACKAGE = '@anthropic-ai/claude-code-linux-x64';

export async function ensureClaudeBinary(cacheDir: string, version: string, progress: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, 'claude-code', version);
  const target = join(dir, 'claude');
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  progress(`fetching ${CLAUDE_PACKAGE}@${version} from the npm registry (about 100 MB)…`);
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const { stdout } = await run('npm', ['pack', '--silent', `${CLAUDE_PACKAGE}@${version}`], { cwd: tmp, maxBuffer: 1 << 20 });
    await run('tar', ['xzf', stdout.trim().split('\n').pop() ?? '', '-C', tmp], { cwd: tmp });
    const binary = findBinary(join(tmp, 'package'));
    chmodSync(binary, 0o755);
    renameSync(binary, target); // atomic: a half-written binary is never at `target`
    return target;
  } catch (e) {
    throw new PaddockError(ErrorCode.Internal, `could not fetch the Claude Code CLI ${version}: ${(e as Error).message}`, {
      hint: 'check that the npm registry is reachable (npm ping), or set PADDOCK_CLAUDE_CODE_VERSION to a published version',
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The package ships one large native executable; find it rather than hard-code a path that moves between releases. */
function findBinary(root: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(root);
  const biggest = files.map((p) => ({ p, size: statSync(p).size })).sort((a, b) => b.size - a.size)[0];
  if (!biggest || biggest.size < 10 * 1024 * 1024) throw new Error('no native binary found in the package');
  return biggest.p;
}
