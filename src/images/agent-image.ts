/** Builds the agent image (images/base/Containerfile) through the engine API, with the CLI binaries in the context. */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerRuntime } from '../runtime/index.ts';
import { LABEL } from '../runtime/index.ts';
import { ensureBaseImage } from './base-image.ts';
import { ensureClaudeBinary } from './claude-binary.ts';

export interface BuildAgentImageOptions {
  tag: string;
  baseImage: string;
  claudeCodeVersion: string;
  cacheDir: string;
  instance: string;
}

/** images/ at the package root, whether running from src/ (tests) or dist/ (installed). */
export const IMAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'images');

export async function buildAgentImage(runtime: ContainerRuntime, opts: BuildAgentImageOptions, progress: (line: string) => void): Promise<void> {
  await ensureBaseImage(runtime, opts.baseImage, opts.cacheDir, progress);
  const claude = await ensureClaudeBinary(opts.cacheDir, opts.claudeCodeVersion, progress);
  mkdirSync(opts.cacheDir, { recursive: true });
  const ctx = mkdtempSync(join(opts.cacheDir, 'build-'));
  try {
    for (const f of ['Containerfile', 'paddock-agent-entry']) copyFileSync(join(IMAGES_DIR, 'base', f), join(ctx, f));
    place(claude, join(ctx, 'claude'));
    // Node 24 in the image is the very binary running Paddock (checked to be ≥ 24 at start).
    place(process.execPath, join(ctx, 'node'));
    progress(`building ${opts.tag} FROM ${opts.baseImage} (Claude Code ${opts.claudeCodeVersion}, Node ${process.versions.node})`);
    await runtime.buildImage(
      {
        contextDir: ctx,
        containerfile: 'Containerfile',
        tag: opts.tag,
        buildArgs: { BASE: opts.baseImage },
        labels: { [LABEL.managed]: 'true', 'dev.paddock.claude-code': opts.claudeCodeVersion, 'dev.paddock.node': process.versions.node },
      },
      progress,
    );
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** Hard link when on the same filesystem (instant, no 400 MB copy), else copy. */
function place(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}
