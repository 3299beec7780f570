/**
 * Fetches the Codex CLI's native binary into the cache, once per version. @openai/codex ships it in a per-platform
 * package (`@openai/codex@<version>-linux-x64`): a static musl executable at vendor/x86_64-unknown-linux-musl/bin/codex
 * (about 290 MB in 0.169.0), which runs on any Linux image. Only that one file is taken (not its voice host, bwrap or rg).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';

const run = promisify(execFile);
export const CODEX_PACKAGE = '@openai/codex';
const IN_PACKAGE = 'package/vendor/x86_64-unknown-linux-musl/bin/codex';

export async function ensureCodexBinary(cacheDir: string, version: string, progress: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, 'codex', version);
  const target = join(dir, 'codex');
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const spec = `${CODEX_PACKAGE}@${version}-linux-x64`;
  progress(`fetching ${spec} from the npm registry (about 120 MB compressed)…`);
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const { stdout } = await run('npm', ['pack', '--silent', spec], { cwd: tmp, maxBuffer: 1 << 20 });
    const tarball = stdout.trim().split('\n').pop() ?? '';
    await run('tar', ['xzf', tarball, '-C', tmp, IN_PACKAGE], { cwd: tmp });
    const binary = join(tmp, IN_PACKAGE);
    if (statSync(binary).size < 10 * 1024 * 1024) throw new Error(`${IN_PACKAGE} in ${spec} is too small to be the CLI`);
    chmodSync(binary, 0o755);
    renameSync(binary, target); // atomic: a half-written binary is never at `target`
    return target;
  } catch (e) {
    throw new PaddockError(ErrorCode.Internal, `could not fetch the Codex CLI ${version}: ${(e as Error).message}`, {
      hint: 'check that the npm registry is reachable (npm ping), or set PADDOCK_CODEX_VERSION to a published version',
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
