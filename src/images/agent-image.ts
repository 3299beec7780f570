/** Builds the agent image (images/base/Containerfile) through the engine API, with the CLI binaries in the context. */
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerRuntime } from '../runtime/index.ts';
import { LABEL } from '../runtime/index.ts';
import { ensureBaseImage } from './base-image.ts';
import { ensureClaudeBinary } from './claude-binary.ts';
import { ensureGeminiCli, geminiLauncher } from './gemini-cli.ts';
import { ensureCodexBinary } from './codex-binary.ts';

export interface BuildAgentImageOptions {
  tag: string;
  baseImage: string;
  claudeCodeVersion: string;
  /** The Gemini CLI (@google/gemini-cli) version put in, run by the image's Node. */
  geminiCliVersion: string;
  /** The Codex CLI (@openai/codex) version put in beside Claude Code. */
  codexVersion: string;
  cacheDir: string;
  /** Rebuild even when the image's recipe is unchanged. */
  force?: boolean;
}

/** images/ at the package root, whether running from src/ (tests) or dist/ (installed). */
export const IMAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'images');

const RECIPE_LABEL = 'dev.paddock.recipe';

/** The files of images/base/ that go into the build context (and into the recipe). */
const IMAGE_FILES = ['Containerfile', 'paddock-agent-entry', 'paddock-input-reader'];

/**
 * What the image is made of: the Containerfile and entry script, the base image (by id), the Claude Code version and
 * the Node version. An image carrying the same recipe label is up to date, and is not rebuilt (the build would resend a
 * ~600 MB context only to hit the layer cache).
 */
function recipe(baseId: string, opts: BuildAgentImageOptions): string {
  const h = createHash('sha256');
  for (const f of IMAGE_FILES) h.update(readFileSync(join(IMAGES_DIR, 'base', f)));
  h.update(`${baseId}\n${opts.baseImage}\n${opts.claudeCodeVersion}\n${process.versions.node}`);
  h.update(`\ngemini ${opts.geminiCliVersion}\n${geminiLauncher(GEMINI_DIR)}`);
  h.update(`\ncodex ${opts.codexVersion}`);
  return h.digest('hex').slice(0, 32);
}

/** Builds the agent image unless it is up to date (or force). Returns whether it built. */
export async function buildAgentImage(runtime: ContainerRuntime, opts: BuildAgentImageOptions, progress: (line: string) => void): Promise<boolean> {
  await ensureBaseImage(runtime, opts.baseImage, opts.cacheDir, progress);
  const base = await runtime.inspectImage(opts.baseImage);
  const want = recipe(base?.id ?? opts.baseImage, opts);
  if (!opts.force && (await runtime.inspectImage(opts.tag))?.labels[RECIPE_LABEL] === want) {
    progress(`${opts.tag} is up to date (recipe ${want.slice(0, 12)}); --force rebuilds it`);
    return false;
  }
  const claude = await ensureClaudeBinary(opts.cacheDir, opts.claudeCodeVersion, progress);
  const gemini = await ensureGeminiCli(opts.cacheDir, opts.geminiCliVersion, progress);
  const codex = await ensureCodexBinary(opts.cacheDir, opts.codexVersion, progress);
  mkdirSync(opts.cacheDir, { recursive: true });
  const ctx = mkdtempSync(join(opts.cacheDir, 'build-'));
  try {
    for (const f of IMAGE_FILES) copyFileSync(join(IMAGES_DIR, 'base', f), join(ctx, f));
    place(claude, join(ctx, 'claude'));
    // The Gemini CLI's package tree (COPY'd to GEMINI_DIR) and its launcher, an executable in the context.
    placeTree(gemini, join(ctx, 'gemini-cli'));
    writeFileSync(join(ctx, 'gemini'), geminiLauncher(GEMINI_DIR), { mode: 0o755 });
    place(codex, join(ctx, 'codex'));
    // Node 24 in the image is the very binary running Paddock (checked to be ≥ 24 at start).
    place(process.execPath, join(ctx, 'node'));
    progress(`building ${opts.tag} FROM ${opts.baseImage} (Claude Code ${opts.claudeCodeVersion}, Node ${process.versions.node})`);
    await runtime.buildImage(
      {
        contextDir: ctx,
        containerfile: 'Containerfile',
        tag: opts.tag,
        buildArgs: { BASE: opts.baseImage },
        labels: {
          [LABEL.managed]: 'true',
          [RECIPE_LABEL]: want,
          'dev.paddock.claude-code': opts.claudeCodeVersion,
          'dev.paddock.codex': opts.codexVersion,
          'dev.paddock.gemini-cli': opts.geminiCliVersion,
          'dev.paddock.node': process.versions.node,
        },
      },
      progress,
    );
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return true;
}

/** Where the Gemini CLI's package goes in the image (the Containerfile's COPY target). */
const GEMINI_DIR = '/opt/gemini-cli';

/** A directory tree into the context: directories made, every file placed (hard links when it can). */
function placeTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) placeTree(join(from, e.name), join(to, e.name));
    else if (e.isFile()) place(join(from, e.name), join(to, e.name));
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
