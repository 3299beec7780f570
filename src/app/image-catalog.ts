/**
 * Images as every surface sees them (CLI `paddock image …`, /api/v1/images…, Stromboli's /images…, MCP): the local
 * images with which are agent-ready, one image's detail, removal (never one a live run uses), stack builds, custom
 * agent images (`image create`), and registry pull and search through the engine (no registry is reachable on these
 * machines: both then fail with the engine's words, said plainly).
 */
import { buildCustomImage, buildStackImage, checkPackages, IMAGE_LABELS, isStack, STACKS, type Stack, type StackOrBase, stackTag } from '../images/index.ts';
import { LIVE_STATES } from '../jobs/index.ts';
import { type ImageInfo, LABEL } from '../runtime/index.ts';
import { ErrorCode, invalidInput, PaddockError } from '../errors/index.ts';
import type { Paddock } from './context.ts';
import { buildImage } from './images.ts';
import { checkImagePolicy } from './policy.ts';

export { STACKS } from '../images/index.ts';
export type { Stack, StackOrBase } from '../images/index.ts';

/** An image name as engines take it: optional registry host[:port]/, lower-case path, optional :tag, optional @digest. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,252})(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** An engine's image id, full or short. */
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/;

/** Checks an image name given by a user (it goes into engine URLs); `what` names the field in the error. */
export function checkImageRef(ref: string, what = 'image'): string {
  if (typeof ref !== 'string' || ref.length > 512 || !(IMAGE_REF.test(ref) || IMAGE_ID.test(ref))) {
    throw invalidInput(`${what}: ${JSON.stringify(String(ref).slice(0, 80))} is not an image name`, 'give a name such as localhost/paddock-python:latest or python:3.12 (lower case, optional :tag)');
  }
  return ref;
}

/** Stromboli's compatibility ranks: 1 an agent image (the CLI is in it), 3 a glibc image, 4 Alpine/musl. */
export type CompatibilityRank = 1 | 2 | 3 | 4;

export interface ImageView {
  /** The name a run gives (spawn --image): repo:tag, or the short id of an untagged image. */
  ref: string;
  repository: string;
  tag: string;
  id: string;
  size: number;
  /** Epoch ms. */
  created: number;
  /** Built by Paddock (labelled dev.paddock.managed). */
  paddock: boolean;
  /** Carries the agent CLI (the agent image, a stack, or an `image create` image): spawn --image runs it as it is. */
  agentReady: boolean;
  /** The stack it is (node, python, …) or was made from (base: the agent image), when Paddock built it. */
  stack: string | null;
  /** Tools it was built with (stack images and `image create` images). */
  tools: string[];
  /** PADDOCK_IMAGE: what a run gets when it names none. */
  default: boolean;
  compatibilityRank: CompatibilityRank;
  compatible: boolean;
  /** Live runs using it now (it cannot be removed while any is). */
  liveRuns: number;
}

export interface ImageDetailView extends ImageView {
  labels: Record<string, string>;
  rankDescription: string;
  /** What `image create` installed, when it made this image. */
  packages: { apt: string[]; npm: string[]; pip: string[] } | null;
}

export const RANK_DESCRIPTIONS: Record<CompatibilityRank, string> = {
  1: 'Paddock agent image (the agent CLI is in it)',
  2: 'Verified compatible',
  3: 'Standard glibc-based (compatible)',
  4: 'Alpine/musl-based (incompatible)',
};

function rankOf(labels: Record<string, string>, names: readonly string[]): CompatibilityRank {
  if (labels[IMAGE_LABELS.claudeCode] !== undefined) return 1;
  if (names.some((n) => /alpine|musl/i.test(n))) return 4;
  return 3;
}

function splitTag(ref: string): [string, string] {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = noDigest.lastIndexOf(':');
  if (colon > noDigest.lastIndexOf('/')) return [noDigest.slice(0, colon), noDigest.slice(colon + 1)];
  return [noDigest, at >= 0 ? ref.slice(at + 1) : 'latest'];
}

/** Image id → how many live runs use it. */
async function liveUse(p: Paddock): Promise<Map<string, string[]>> {
  const runtime = await p.runtime();
  const byRef = new Map<string, Promise<ImageInfo | undefined>>();
  const out = new Map<string, string[]>();
  for (const r of p.runs.list({ states: LIVE_STATES })) {
    if (!byRef.has(r.image))
      byRef.set(
        r.image,
        runtime.inspectImage(r.image).catch(() => undefined),
      );
    const id = (await byRef.get(r.image))?.id;
    if (!id) continue;
    out.set(id, [...(out.get(id) ?? []), r.id]);
  }
  return out;
}

function view(p: Paddock, ref: string, img: { id: string; labels: Record<string, string>; tags: string[]; size: number; created: number }, live: Map<string, string[]>): ImageView {
  const [repository, tag] = splitTag(ref);
  const rank = rankOf(img.labels, img.tags.length ? img.tags : [ref]);
  const stack = img.labels[IMAGE_LABELS.stack] ?? (img.labels[IMAGE_LABELS.claudeCode] !== undefined && img.labels[LABEL.managed] === 'true' ? 'base' : null);
  return {
    ref,
    repository,
    tag,
    id: img.id,
    size: img.size,
    created: img.created,
    paddock: img.labels[LABEL.managed] === 'true',
    agentReady: img.labels[IMAGE_LABELS.claudeCode] !== undefined,
    stack,
    tools: (img.labels[IMAGE_LABELS.tools] ?? '').split(',').filter(Boolean),
    default: img.tags.includes(p.config.image) || ref === p.config.image,
    compatibilityRank: rank,
    compatible: rank !== 4,
    liveRuns: live.get(img.id)?.length ?? 0,
  };
}

/** Every tagged local image, one entry per name, agent-ready ones first (then by name). Untagged layers are left out. */
export async function listLocalImages(p: Paddock): Promise<ImageView[]> {
  const runtime = await p.runtime();
  const [images, live] = await Promise.all([runtime.listImages(), liveUse(p)]);
  const out: ImageView[] = [];
  for (const img of images) for (const t of img.tags) out.push(view(p, t, img, live));
  return out.sort((a, b) => a.compatibilityRank - b.compatibilityRank || a.ref.localeCompare(b.ref));
}

/** One image by name or id; NOT_FOUND when the engine has none. */
export async function imageDetail(p: Paddock, name: string): Promise<ImageDetailView> {
  checkImageRef(name, 'name');
  const runtime = await p.runtime();
  const info = await runtime.inspectImage(name);
  if (!info) throw new PaddockError(ErrorCode.NotFound, `no image ${name} in the engine`, { hint: 'paddock image ls lists the local images; paddock image build makes the stacks' });
  const tags = info.tags ?? [];
  const ref = tags.includes(name) ? name : (tags.find((t) => t.startsWith(`${name}:`) || t.endsWith(`/${name}`)) ?? tags[0] ?? name);
  const v = view(p, ref, { id: info.id, labels: info.labels, tags, size: info.size ?? 0, created: info.created ?? 0 }, await liveUse(p));
  return { ...v, labels: info.labels, rankDescription: RANK_DESCRIPTIONS[v.compatibilityRank], packages: parsePackages(info.labels[IMAGE_LABELS.packages]) };
}

function parsePackages(raw: string | undefined): ImageDetailView['packages'] {
  if (!raw) return null;
  try {
    const j = JSON.parse(raw) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { apt: list(j.apt), npm: list(j.npm), pip: list(j.pip) };
  } catch {
    return null;
  }
}

/**
 * Removes an image name. Refused (CONFLICT) while a live run uses the image, and for PADDOCK_IMAGE unless force (runs
 * that name no image would then fail). Another name for the same image keeps the image; the engine refuses one a
 * stopped container still uses (CONFLICT too: `paddock gc` removes those containers).
 */
export async function removeLocalImage(p: Paddock, name: string, opts: { force?: boolean } = {}): Promise<{ removed: string; id: string }> {
  checkImageRef(name, 'name');
  const runtime = await p.runtime();
  const info = await runtime.inspectImage(name);
  if (!info) throw new PaddockError(ErrorCode.NotFound, `no image ${name} in the engine`, { hint: 'paddock image ls lists the local images' });
  const users = (await liveUse(p)).get(info.id) ?? [];
  if (users.length > 0) {
    throw new PaddockError(ErrorCode.Conflict, `image ${name} is in use by ${users.length} live run${users.length === 1 ? '' : 's'}: ${users.slice(0, 5).join(', ')}`, {
      hint: 'wait for them to end or stop them (paddock stop <id>), then remove it',
      details: { runs: users },
    });
  }
  if (!opts.force && (name === p.config.image || (info.tags ?? []).includes(p.config.image))) {
    throw new PaddockError(ErrorCode.Conflict, `image ${name} is the default agent image (PADDOCK_IMAGE): runs that name no image would fail`, {
      hint: 'pass --force to remove it anyway (paddock image build makes it again)',
    });
  }
  await runtime.removeImage(name);
  return { removed: name, id: info.id };
}

export interface StackBuildResult {
  tag: string;
  stack: Stack | 'base';
  built: boolean;
  ms: number;
}

/**
 * Builds the agent image (when out of date) and then each stack asked for, in order; each skipped when its recipe is
 * unchanged (force rebuilds the stacks). An empty list builds only the agent image.
 */
export async function buildStacks(p: Paddock, stacks: readonly string[], onProgress: (line: string) => void, opts: { force?: boolean } = {}): Promise<StackBuildResult[]> {
  const want: Stack[] = [];
  for (const s of stacks) {
    if (!isStack(s)) throw invalidInput(`stack: ${JSON.stringify(s.slice(0, 40))} is not a stack`, `the stacks are ${STACKS.join(', ')} (or --all)`);
    if (!want.includes(s)) want.push(s);
  }
  const out: StackBuildResult[] = [];
  let t = Date.now();
  const agent = await buildImage(p, onProgress, want.length ? {} : { force: opts.force ?? false });
  out.push({ tag: agent.tag, stack: 'base', built: agent.built, ms: Date.now() - t });
  const runtime = await p.runtime();
  for (const stack of want) {
    t = Date.now();
    onProgress(`— stack ${stack}`);
    const r = await buildStackImage(runtime, stack, { agentImage: p.config.image, cacheDir: p.config.cacheDir, force: opts.force ?? false }, onProgress);
    out.push({ ...r, stack, ms: Date.now() - t });
  }
  return out;
}

export interface CreateImageInput {
  name: string;
  from?: StackOrBase;
  apt?: readonly string[];
  npm?: readonly string[];
  pip?: readonly string[];
  force?: boolean;
}

/**
 * A new agent image: a stack (or the agent image, `base`) plus packages, built now (the stack first when missing), and
 * usable at once as `spawn --image NAME`. The name must pass the image policy (PADDOCK_IMAGE_ALLOW), since a run could
 * not use it otherwise, and may not be a stack's or the default image's name.
 */
export async function createAgentImage(p: Paddock, input: CreateImageInput, onProgress: (line: string) => void): Promise<{ tag: string; from: string; built: boolean; ms: number }> {
  const started = Date.now();
  const { name, fromStack, from } = checkCreateImageInput(p, input);
  const runtime = await p.runtime();
  if (!(await runtime.imageExists(from))) {
    onProgress(`${from} is not built yet: building it first`);
    await buildStacks(p, fromStack === 'base' ? [] : [fromStack], onProgress);
  }
  const r = await buildCustomImage(
    runtime,
    { name, from, fromStack, apt: input.apt ?? [], npm: input.npm ?? [], pip: input.pip ?? [], cacheDir: p.config.cacheDir, force: input.force ?? false },
    onProgress,
  );
  return { tag: r.tag, from, built: r.built, ms: Date.now() - started };
}

/** Everything about an `image create` request that can be checked before building (surfaces call it to answer 400 up front). */
export function checkCreateImageInput(p: Paddock, input: CreateImageInput): { name: string; fromStack: StackOrBase; from: string } {
  const name = checkImageRef(input.name, 'name');
  if (name.includes('@')) throw invalidInput(`name: ${name} has a digest; a built image gets a name and a tag`, 'give repo[:tag], e.g. localhost/paddock-team:1');
  const fromStack = input.from ?? 'base';
  if (fromStack !== 'base' && !isStack(fromStack)) throw invalidInput(`from: ${JSON.stringify(String(fromStack).slice(0, 40))} is not a stack`, `give one of base, ${STACKS.join(', ')}`);
  const reserved = [p.config.image, ...STACKS.map(stackTag)];
  const full = name.includes(':', name.lastIndexOf('/') + 1) ? name : `${name}:latest`;
  if (reserved.includes(name) || reserved.includes(full)) {
    throw invalidInput(`name: ${name} is one of Paddock's own images`, 'pick another name, e.g. localhost/paddock-team:1; paddock image build rebuilds the stacks');
  }
  try {
    checkImagePolicy(p, name);
  } catch (e) {
    throw new PaddockError(ErrorCode.InvalidInput, `name: a run could not use ${name}: ${(e as Error).message}`, {
      hint: 'name it localhost/paddock-<something>, or add it to PADDOCK_IMAGE_ALLOW',
    });
  }
  checkPackages('apt', input.apt ?? []);
  checkPackages('npm', input.npm ?? []);
  checkPackages('pip', input.pip ?? []);
  if ((input.apt?.length ?? 0) + (input.npm?.length ?? 0) + (input.pip?.length ?? 0) === 0) {
    throw invalidInput('image create needs at least one package (apt, npm or pip)', `a stack as it is needs no new image: paddock image build ${fromStack === 'base' ? '' : fromStack}`.trimEnd());
  }
  return { name, fromStack, from: fromStack === 'base' ? p.config.image : stackTag(fromStack) };
}

/** Pulls an image through the engine (its registry must be reachable: on these machines none is, and this says so). */
export async function pullImage(p: Paddock, ref: string, opts: { platform?: string } = {}, onProgress: (line: string) => void = () => {}): Promise<{ image: string; id: string }> {
  checkImageRef(ref, 'image');
  if (opts.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9]+)?$/.test(opts.platform)) {
    throw invalidInput(`platform: ${JSON.stringify(opts.platform.slice(0, 40))} is not a platform`, 'give os/arch, e.g. linux/amd64');
  }
  const runtime = await p.runtime();
  const r = await runtime.pullImage(ref, opts.platform ? { platform: opts.platform } : {}, onProgress);
  return { image: ref, id: r.id };
}

export interface ImageSearchView {
  name: string;
  description: string;
  stars: number;
  official: boolean;
  automated: boolean;
}

/** Searches a registry through the engine (`q` may name one: "registry:port/name"). */
export async function searchImages(p: Paddock, q: string, limit = 25): Promise<ImageSearchView[]> {
  if (typeof q !== 'string' || q.trim() === '' || q.length > 255 || /[\s\u0000-\u001f]/.test(q)) {
    throw invalidInput('q: give a search term (one word, or registry:port/name)', 'e.g. q=python');
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidInput('limit: must be an integer from 1 to 100', 'e.g. limit=10');
  const runtime = await p.runtime();
  return runtime.searchImages(q, limit);
}
