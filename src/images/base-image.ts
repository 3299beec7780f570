/** The local base image: Debian bookworm bootstrapped with mmdebstrap (no registry needed), imported into the engine. */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { ContainerRuntime } from '../runtime/index.ts';

const run = promisify(execFile);
export const LOCAL_BASE_PACKAGES = ['ca-certificates', 'git', 'ripgrep', 'tini', 'curl', 'socat', 'procps', 'jq', 'less'];

export function isLocalBase(ref: string): boolean {
  return ref.startsWith('localhost/paddock-base:');
}

export async function ensureBaseImage(runtime: ContainerRuntime, ref: string, cacheDir: string, progress: (line: string) => void): Promise<void> {
  if (await runtime.imageExists(ref)) return;
  if (!isLocalBase(ref)) return; // a public base: the build pulls it
  const tarball = join(cacheDir, 'base', `${ref.split(':')[1] ?? 'bookworm'}.tar`);
  if (!existsSync(tarball)) {
    if (process.getuid?.() !== 0) {
      throw new PaddockError(ErrorCode.ImageNotFound, `the base image ${ref} is missing and bootstrapping it needs root (mmdebstrap)`, {
        hint: 'run `sudo paddock image build` once, or set PADDOCK_BASE_IMAGE to a public image such as docker.io/library/debian:bookworm',
      });
    }
    mkdirSync(join(cacheDir, 'base'), { recursive: true });
    progress(`bootstrapping Debian bookworm with mmdebstrap (about 30 s): ${LOCAL_BASE_PACKAGES.join(', ')}`);
    // mmdebstrap picks its output format from the extension: the temporary name must still end in .tar.
    const partial = tarball.replace(/\.tar$/, '.partial.tar');
    try {
      await run('mmdebstrap', ['--variant=minbase', `--include=${LOCAL_BASE_PACKAGES.join(',')}`, 'bookworm', partial], { maxBuffer: 64 << 20 });
      renameSync(partial, tarball);
    } catch (e) {
      rmSync(partial, { force: true });
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new PaddockError(ErrorCode.Internal, missing ? 'mmdebstrap is not installed' : `mmdebstrap failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, {
        hint: missing ? 'run `npm run up` (it installs mmdebstrap), or `apt-get install mmdebstrap`' : "check that Debian's package mirror is reachable",
      });
    }
  }
  progress(`importing ${tarball} as ${ref}`);
  await runtime.importImage(createReadStream(tarball), ref, progress);
}
