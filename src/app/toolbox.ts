/**
 * Any image as the agent's environment (docs/images.md): which images get Paddock's toolbox, the check at spawn, the
 * toolbox for a run's container, and what doctor and gc know about it. The toolbox itself is images/toolbox.ts.
 */
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { formatDuration } from '../config/index.ts';
import { ensureToolbox, imageArchitectureProblem, listToolboxes, missingToolboxSources, needsToolbox, removeToolbox, staleToolboxes, type Toolbox, toolboxVersion } from '../images/toolbox.ts';
import type { ContainerRuntime } from '../runtime/index.ts';
import type { Paddock } from './context.ts';

const toolboxOptions = (p: Paddock) => ({ cacheDir: p.config.cacheDir, claudeCodeVersion: p.config.claudeCodeVersion });

/**
 * At spawn, before anything is made: an image Paddock can run the agent in. Its own images as they are; any other
 * image with the toolbox, so it must be a linux/amd64 image (the toolbox's binaries), and the host must have what the
 * toolbox is made of. The image's libc does not matter (the toolbox brings its own), nor whether it has a shell.
 */
export async function checkAgentImage(runtime: ContainerRuntime, image: string): Promise<{ toolbox: boolean }> {
  const info = await runtime.inspectImage(image);
  if (!info) return { toolbox: false }; // the caller's existence check names the missing image
  if (!needsToolbox(info.labels)) return { toolbox: false };
  const problem = imageArchitectureProblem(info);
  if (problem) {
    throw new PaddockError(ErrorCode.InvalidInput, `image ${image} cannot run the agent: ${problem}`, {
      hint: 'use a linux/amd64 variant of the image (the engine on this machine runs amd64), or leave --image out for Paddock’s agent image',
    });
  }
  const missing = missingToolboxSources();
  if (missing.length > 0) {
    throw new PaddockError(ErrorCode.Internal, `image ${image} needs Paddock's toolbox, and this host lacks ${missing.join(', ')} to make it`, {
      hint: 'run `npm run up` (scripts/setup.sh installs tini, bash-static, busybox-static and socat), then spawn again',
    });
  }
  return { toolbox: true };
}

/** The toolbox directory for a run's container, or undefined when the image is Paddock's own (it has the tools). */
export async function toolboxForImage(p: Paddock, runtime: ContainerRuntime, image: string, note: (line: string) => void): Promise<string | undefined> {
  const info = await runtime.inspectImage(image);
  if (!needsToolbox(info?.labels)) return undefined;
  const tb = await ensureToolbox(toolboxOptions(p), note);
  return tb.dir;
}

/** Prepares the toolbox (image build, npm run up), with progress; idempotent. */
export async function prepareToolbox(p: Paddock, progress: (line: string) => void): Promise<Toolbox> {
  const tb = await ensureToolbox(toolboxOptions(p), progress);
  if (!tb.prepared) progress(`toolbox ${tb.version} is up to date (${tb.dir})`);
  return tb;
}

/** doctor's line: whether the toolbox is ready, can be made on first use, or cannot be made here. */
export function toolboxCheck(p: Paddock): { status: 'ok' | 'warn'; detail: string; fix?: string } {
  const missing = missingToolboxSources();
  if (missing.length > 0)
    return {
      status: 'warn',
      detail: `images other than Paddock's cannot run: ${missing.join(', ')} missing`,
      fix: 'run `npm run up` (apt-get install tini bash-static busybox-static socat)',
    };
  const version = toolboxVersion(toolboxOptions(p));
  const here = listToolboxes(p.config.cacheDir).find((t) => t.version === version);
  return here
    ? { status: 'ok', detail: `${version} in ${here.dir} (${Math.round(here.bytes / 1024 ** 2)} MB), for images other than Paddock's` }
    : { status: 'ok', detail: `${version} not prepared yet: made on first use of another image, or by \`paddock image build\`` };
}

/**
 * gc: toolbox versions other than the current one (a changed Claude Code or Node version, a changed entry script),
 * once unused for longer than the longest a run may live (PADDOCK_MAX_TIMEOUT): no container still has them mounted.
 */
export function staleToolboxItems(p: Paddock): { name: string; dir: string; bytes: number; why: string }[] {
  return staleToolboxes(toolboxOptions(p), p.config.maxTimeout).map((t) => ({
    name: `toolbox ${t.version}`,
    dir: t.dir,
    bytes: t.bytes,
    why: `an old version, unused for ${formatDuration(t.idleMs)}`,
  }));
}

export { removeToolbox };
