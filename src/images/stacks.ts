/**
 * Stack images (images/<stack>/Containerfile, FROM the agent image) and custom agent images (`image create`: a stack
 * or the agent image plus apt, npm and pip packages). Both are built through the engine API from a small context:
 * the Containerfile and paddock-build/ (images/stack-kit/paddock-install, npm's tarball when npm is needed, the build
 * machine's CA bundle when it has one). An image whose recipe label matches is up to date and is not rebuilt.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { ContainerRuntime } from '../runtime/index.ts';
import { LABEL } from '../runtime/index.ts';
import { IMAGES_DIR } from './agent-image.ts';
import { checkPackages } from './packages.ts';

const run = promisify(execFile);

import { STACKS, type Stack, type StackOrBase } from './stack-names.ts';

export { STACKS } from './stack-names.ts';
export type { Stack, StackOrBase } from './stack-names.ts';

/** Stacks that need npm in their build (the agent image has Node but no npm). */
const NEEDS_NPM: ReadonlySet<Stack> = new Set(['node', 'browser']);

/** The npm put into images that need one (fetched once with `npm pack`, cached). */
export const NPM_VERSION = '11.6.2';

export const LABELS = {
  recipe: 'dev.paddock.recipe',
  stack: 'dev.paddock.stack',
  tools: 'dev.paddock.tools',
  /** JSON {apt, npm, pip} of an image made by `image create`. */
  packages: 'dev.paddock.packages',
  /** The agent CLI's version: present on the agent image and everything built FROM it. */
  claudeCode: 'dev.paddock.claude-code',
} as const;

/** The tag of a stack's image. */
export function stackTag(stack: Stack): string {
  return `localhost/paddock-${stack}:latest`;
}

export function isStack(s: string): s is Stack {
  return (STACKS as readonly string[]).includes(s);
}

export interface StackBuildOptions {
  /** The agent image the stack is built FROM (it must exist). */
  agentImage: string;
  cacheDir: string;
  force?: boolean;
}

/** Builds one stack image unless it is up to date (or force). */
export async function buildStackImage(runtime: ContainerRuntime, stack: Stack, opts: StackBuildOptions, progress: (line: string) => void): Promise<{ tag: string; built: boolean }> {
  const tag = stackTag(stack);
  const containerfile = readFileSync(join(IMAGES_DIR, stack, 'Containerfile'), 'utf8');
  const built = await buildFromKit(
    runtime,
    { tag, from: opts.agentImage, containerfile, npm: NEEDS_NPM.has(stack), cacheDir: opts.cacheDir, force: opts.force ?? false, labels: { [LABELS.stack]: stack } },
    progress,
  );
  return { tag, built };
}

export interface CustomImageRequest {
  /** The new image's name (repo[:tag]), exactly as `spawn --image` will name it. */
  name: string;
  /** The image it is built FROM (a stack's tag or the agent image), which must exist. */
  from: string;
  /** What `from` is, for the labels. */
  fromStack: StackOrBase;
  apt: readonly string[];
  npm: readonly string[];
  pip: readonly string[];
  cacheDir: string;
  force?: boolean;
}

/** The Containerfile of a custom image: one exec-form install step per kind, so no shell ever reads a package name. */
export function customContainerfile(req: Pick<CustomImageRequest, 'name' | 'apt' | 'npm' | 'pip'>): string {
  const step = (kind: string, names: readonly string[]) => `RUN ${JSON.stringify(['/bin/sh', '/tmp/paddock-build/paddock-install', kind, ...names])}`;
  return [
    `# Made by paddock image create (${req.name}): the packages below on top of the image in BASE.`,
    'ARG BASE',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Containerfile's build-arg reference, not JS
    'FROM ${BASE}',
    'USER root',
    'COPY paddock-build /tmp/paddock-build',
    ...(req.apt.length ? [step('apt', req.apt)] : []),
    ...(req.npm.length ? [step('npm', req.npm)] : []),
    ...(req.pip.length ? [step('pip', req.pip)] : []),
    'RUN rm -rf /tmp/paddock-build',
    'USER agent',
    '',
  ].join('\n');
}

/** Builds a custom agent image (packages checked here, whoever calls). */
export async function buildCustomImage(runtime: ContainerRuntime, req: CustomImageRequest, progress: (line: string) => void): Promise<{ tag: string; built: boolean }> {
  const apt = checkPackages('apt', req.apt);
  const npm = checkPackages('npm', req.npm);
  const pip = checkPackages('pip', req.pip);
  if (apt.length + npm.length + pip.length === 0) {
    throw new PaddockError(ErrorCode.InvalidInput, 'image create needs at least one package (--apt, --npm or --pip)', {
      hint: `a stack image as it is needs no new image: paddock image build ${req.fromStack === 'base' ? '' : req.fromStack}`.trimEnd(),
    });
  }
  const containerfile = customContainerfile({ name: req.name, apt, npm, pip });
  const tools = [...apt, ...npm.map((n) => n.replace(/(.)@.*$/, '$1')), ...pip.map((n) => n.replace(/[[=<>!~].*$/, ''))];
  const built = await buildFromKit(
    runtime,
    {
      tag: req.name,
      from: req.from,
      containerfile,
      npm: npm.length > 0,
      cacheDir: req.cacheDir,
      force: req.force ?? false,
      labels: { [LABELS.stack]: req.fromStack, [LABELS.packages]: JSON.stringify({ apt, npm, pip }), [LABELS.tools]: tools.join(',') },
      mergeTools: true,
    },
    progress,
  );
  return { tag: req.name, built };
}

interface KitBuild {
  tag: string;
  from: string;
  containerfile: string;
  npm: boolean;
  cacheDir: string;
  force: boolean;
  labels: Record<string, string>;
  /** Add the labels' tools to the FROM image's (a custom image has its stack's tools too). */
  mergeTools?: boolean;
}

const KIT_SCRIPT = join(IMAGES_DIR, 'stack-kit', 'paddock-install');

async function buildFromKit(runtime: ContainerRuntime, b: KitBuild, progress: (line: string) => void): Promise<boolean> {
  const from = await runtime.inspectImage(b.from);
  if (!from) {
    throw new PaddockError(ErrorCode.ImageNotFound, `image ${b.from} (what ${b.tag} is built FROM) is not in the engine`, { hint: 'build it first: paddock image build' });
  }
  const ca = buildCaBundle();
  const h = createHash('sha256');
  // What it is built FROM, by that image's own recipe when it has one (a forced rebuild of the same agent image leaves
  // the stacks up to date), else by its id.
  const fromKey = from.labels[LABELS.recipe] ?? from.id;
  h.update(b.containerfile).update('\0').update(readFileSync(KIT_SCRIPT)).update('\0').update(fromKey).update('\0').update(b.from);
  h.update(b.npm ? `npm ${NPM_VERSION}` : 'no npm').update('\0');
  if (ca) h.update(readFileSync(ca));
  h.update(JSON.stringify(b.labels));
  const want = h.digest('hex').slice(0, 32);
  if (!b.force && (await runtime.inspectImage(b.tag))?.labels[LABELS.recipe] === want) {
    progress(`${b.tag} is up to date (recipe ${want.slice(0, 12)}); --force rebuilds it`);
    return false;
  }
  const npmTarball = b.npm ? await ensureNpmTarball(b.cacheDir, progress) : undefined;
  mkdirSync(b.cacheDir, { recursive: true });
  const ctx = mkdtempSync(join(b.cacheDir, 'build-'));
  try {
    writeFileSync(join(ctx, 'Containerfile'), b.containerfile);
    const kit = join(ctx, 'paddock-build');
    mkdirSync(kit);
    copyFileSync(KIT_SCRIPT, join(kit, 'paddock-install'));
    if (npmTarball) copyFileSync(npmTarball, join(kit, 'npm.tgz'));
    if (ca) copyFileSync(ca, join(kit, 'build-ca.crt'));
    const labels: Record<string, string> = { ...b.labels };
    if (b.mergeTools) {
      const have = (from.labels[LABELS.tools] ?? '').split(',').filter(Boolean);
      labels[LABELS.tools] = [...new Set([...have, ...(b.labels[LABELS.tools] ?? '').split(',').filter(Boolean)])].join(',');
    }
    progress(`building ${b.tag} FROM ${b.from}`);
    await runtime.buildImage(
      { contextDir: ctx, containerfile: 'Containerfile', tag: b.tag, buildArgs: { BASE: b.from }, labels: { ...labels, [LABEL.managed]: 'true', [LABELS.recipe]: want } },
      progress,
    );
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return true;
}

/**
 * The CA bundle this machine trusts, for the build's npm and pip steps (registries here sit behind a TLS-inspecting
 * proxy whose CA only the host's bundle has). It holds public certificates only; it is left in a build layer under
 * /tmp/paddock-build, which the run's tmpfs /tmp hides.
 */
function buildCaBundle(): string | undefined {
  for (const f of [process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE, '/etc/ssl/certs/ca-certificates.crt']) {
    if (f && existsSync(f)) return f;
  }
  return undefined;
}

/** npm's own tarball (it bundles its dependencies), fetched once with the host's npm client. */
async function ensureNpmTarball(cacheDir: string, progress: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, 'npm', NPM_VERSION);
  const target = join(dir, 'npm.tgz');
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  progress(`fetching npm@${NPM_VERSION} from the npm registry…`);
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    const { stdout } = await run('npm', ['pack', '--silent', `npm@${NPM_VERSION}`], { cwd: tmp, maxBuffer: 1 << 20 });
    renameSync(join(tmp, stdout.trim().split('\n').pop() ?? ''), target);
    return target;
  } catch (e) {
    throw new PaddockError(ErrorCode.Internal, `could not fetch npm ${NPM_VERSION}: ${(e as Error).message.slice(0, 300)}`, { hint: 'check that the npm registry is reachable (npm ping)' });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
