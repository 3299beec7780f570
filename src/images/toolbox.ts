/**
 * The toolbox: Paddock's agent toolchain for any image (docs/images.md "Any image is an agent environment"). A root-owned
 * host directory, prepared once per version under the cache dir and bind-mounted read-only at /opt/paddock into a run
 * whose image is not Paddock's agent image. It holds the Claude Code native binary, tini, bash, busybox (base64, seq,
 * sleep for the entry script), socat (the bridges to the relay and egress sockets), Node (the persistent runs' input
 * reader), the entry script itself, and the glibc those dynamic binaries need: nothing is installed into the image.
 *
 * Self-contained whatever the image's libc (glibc of any age, musl, none): the static binaries need none, and each
 * dynamic one names the toolbox's own loader as its ELF interpreter (patched in place: the path is no longer than
 * the one it replaces, so nothing moves; patchelf's relayout breaks the Bun-built Claude binary). That loader is the
 * host's, with its cache and preload paths pointed into the toolbox, so it resolves every library from the toolbox's
 * own ld.so cache and never reads the image's. The image's programs (python3 of the image) keep their own loader and
 * libraries: nothing here is on their library path, and the toolbox's bin/ comes last on PATH.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { IN_CONTAINER } from '../runtime/index.ts';
import { IMAGES_DIR } from './agent-image.ts';
import { ensureClaudeBinary } from './claude-binary.ts';

const run = promisify(execFile);

/** Where the toolbox appears inside a container (IN_CONTAINER.toolbox). Short: the loader's paths must fit in place. */
export const TOOLBOX_MOUNT = IN_CONTAINER.toolbox;
/** Bumped when the toolbox's layout changes: a new version is prepared, and gc removes the old one. */
const TOOLBOX_FORMAT = '1';
/** The label Paddock's agent image carries (images/agent-image.ts); images built FROM it inherit it. */
const RECIPE_LABEL = 'dev.paddock.recipe';
/** The toolbox loader's library cache: its path replaces /etc/ld.so.cache in the loader, so it must fit in 16 bytes. */
const LOADER_CACHE = `${TOOLBOX_MOUNT}/lc`;

/** The host files the toolbox is made from (Debian packages: tini, bash-static, busybox-static, socat; scripts/setup.sh). */
export const TOOLBOX_SOURCES = {
  tini: '/usr/bin/tini-static',
  bash: '/bin/bash-static',
  busybox: '/bin/busybox',
  socat: '/usr/bin/socat',
  ldconfig: '/sbin/ldconfig',
} as const;
const SOURCE_PACKAGES = 'tini bash-static busybox-static socat';

/**
 * Which images get the toolbox: every image that is not Paddock's agent image. Paddock's image (and every image built
 * FROM it, such as the stack images, since labels are inherited) carries the recipe label and its own entry script.
 */
export function needsToolbox(labels: Readonly<Record<string, string>> | undefined): boolean {
  return !labels?.[RECIPE_LABEL];
}

/** The one architecture the toolbox's binaries are built for; an image for another cannot run them. */
export function imageArchitectureProblem(image: { architecture?: string; os?: string }): string | undefined {
  if (image.os !== undefined && image.os !== 'linux') return `its OS is ${image.os}, not linux`;
  if (image.architecture !== undefined && image.architecture !== 'amd64' && image.architecture !== 'x86_64')
    return `it is built for ${image.architecture}, and Paddock's toolbox (Claude Code, tini, socat) is built for amd64 (x86-64)`;
  return undefined;
}

/** The host files the toolbox needs and that are missing (checked at spawn, so a run never fails on them later). */
export function missingToolboxSources(): string[] {
  return Object.values(TOOLBOX_SOURCES).filter((f) => !existsSync(f));
}

export interface ToolboxOptions {
  cacheDir: string;
  claudeCodeVersion: string;
}

export interface Toolbox {
  /** Host directory to bind read-only at TOOLBOX_MOUNT. */
  dir: string;
  version: string;
  /** Whether this call prepared it (false: it was there). */
  prepared: boolean;
}

export const toolboxRoot = (cacheDir: string): string => join(cacheDir, 'toolbox');

/** Preparations under way in this process, by directory: two runs starting at once share one. */
const pending = new Map<string, Promise<Toolbox>>();

/** The toolbox of this Paddock's versions, prepared unless it is there. Idempotent; safe to call from parallel starts. */
export async function ensureToolbox(opts: ToolboxOptions, progress: (line: string) => void = () => {}): Promise<Toolbox> {
  const missing = missingToolboxSources();
  if (missing.length > 0) {
    throw new PaddockError(ErrorCode.Internal, `Paddock's toolbox for images other than its own needs ${missing.join(', ')}, which this host lacks`, {
      hint: `run \`npm run up\` (scripts/setup.sh installs them), or \`apt-get install ${SOURCE_PACKAGES}\``,
    });
  }
  const version = toolboxVersion(opts);
  const dir = join(toolboxRoot(opts.cacheDir), version);
  if (existsSync(join(dir, 'bin', 'claude'))) {
    markUsed(dir);
    return { dir, version, prepared: false };
  }
  let p = pending.get(dir);
  if (!p) {
    p = prepare(opts, version, dir, progress).finally(() => pending.delete(dir));
    pending.set(dir, p);
  }
  const tb = await p;
  markUsed(dir);
  return tb;
}

/**
 * When a version was last handed to a run: its `<version>.used` file's mtime, beside it (the version's own directory
 * stays as prepared). gc keeps an old version until no run started with it can still be live, whichever Paddock home
 * (they share the cache dir) started it.
 */
function markUsed(dir: string): void {
  const marker = `${dir}.used`;
  try {
    const now = new Date();
    if (existsSync(marker)) utimesSync(marker, now, now);
    else writeFileSync(marker, '', { mode: 0o644 });
  } catch {
    // a read-only cache dir: gc then goes by the directory's own age
  }
}

function lastUsed(dir: string): number {
  for (const f of [`${dir}.used`, dir]) {
    try {
      return statSync(f).mtimeMs;
    } catch {
      // next
    }
  }
  return 0;
}

/**
 * Toolbox versions gc may remove: not the current one, and not used for longer than maxAgeMs (the longest a run may
 * live, so no container still has it mounted).
 */
export function staleToolboxes(opts: ToolboxOptions, maxAgeMs: number, now = Date.now()): { version: string; dir: string; bytes: number; idleMs: number }[] {
  let current: string;
  try {
    current = toolboxVersion(opts);
  } catch {
    return []; // its sources are gone: no version is known to be current, and none is removed
  }
  return listToolboxes(opts.cacheDir)
    .map((t) => ({ ...t, idleMs: now - lastUsed(t.dir) }))
    .filter((t) => t.version !== current && t.idleMs > maxAgeMs);
}

export function removeToolbox(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.used`, { force: true });
}

/**
 * The version: a hash of what goes in (the format, the entry scripts, the host's static binaries and socat by content,
 * Claude Code and Node by version). A changed input makes a new directory; the old one stays until gc removes it.
 */
export function toolboxVersion(opts: ToolboxOptions): string {
  const h = createHash('sha256');
  h.update(`${TOOLBOX_FORMAT}\n${opts.claudeCodeVersion}\n${process.versions.node}\n`);
  for (const f of ['paddock-agent-entry', 'paddock-input-reader']) h.update(readFileSync(join(IMAGES_DIR, 'base', f)));
  for (const f of [TOOLBOX_SOURCES.tini, TOOLBOX_SOURCES.bash, TOOLBOX_SOURCES.busybox, TOOLBOX_SOURCES.socat]) h.update(readFileSync(f));
  return `${opts.claudeCodeVersion}-${h.digest('hex').slice(0, 12)}`;
}

async function prepare(opts: ToolboxOptions, version: string, dir: string, progress: (line: string) => void): Promise<Toolbox> {
  const claude = await ensureClaudeBinary(opts.cacheDir, opts.claudeCodeVersion, progress);
  progress(`preparing Paddock's toolbox ${version} (Claude Code ${opts.claudeCodeVersion}, Node ${process.versions.node}, tini, bash, busybox, socat) for images other than Paddock's`);
  const root = toolboxRoot(opts.cacheDir);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  // Built where it will be seen (…/opt/paddock under a scratch root), so ldconfig -r writes the container's paths.
  const scratch = mkdtempSync(join(root, '.prepare-'));
  try {
    const tb = join(scratch, TOOLBOX_MOUNT.slice(1));
    for (const d of ['bin', 'libexec', 'lib']) mkdirSync(join(tb, d), { recursive: true });
    const put = (from: string, to: string, mode: number) => {
      copyFileSync(from, join(tb, to));
      chmodSync(join(tb, to), mode);
    };
    // These run with no loader at all: a dynamic build (Debian's plain busybox package) would need the image's.
    for (const f of [TOOLBOX_SOURCES.tini, TOOLBOX_SOURCES.bash, TOOLBOX_SOURCES.busybox]) if (!isStatic(f)) throw new Error(`${f} is not statically linked (install ${SOURCE_PACKAGES})`);
    put(TOOLBOX_SOURCES.tini, 'libexec/tini', 0o755);
    put(TOOLBOX_SOURCES.bash, 'libexec/bash', 0o755);
    put(TOOLBOX_SOURCES.busybox, 'libexec/busybox', 0o755);
    put(join(IMAGES_DIR, 'base', 'paddock-agent-entry'), 'libexec/paddock-agent-entry', 0o755);
    put(join(IMAGES_DIR, 'base', 'paddock-input-reader'), 'libexec/paddock-input-reader', 0o644);
    const dynamic: [string, string][] = [
      [TOOLBOX_SOURCES.socat, 'libexec/socat'],
      [process.execPath, 'libexec/node'],
      [claude, 'bin/claude'],
    ];
    const libs = new Map<string, string>();
    let loader: string | undefined;
    for (const [from, to] of dynamic) {
      const deps = await sharedLibraries(from);
      loader ??= deps.loader;
      for (const [name, path] of deps.libs) libs.set(name, path);
      put(from, to, 0o755);
      setInterpreter(join(tb, to), `${TOOLBOX_MOUNT}/ld.so`);
    }
    if (!loader) throw new Error('no ELF loader found for the toolbox binaries');
    // glibc loads libgcc_s at run time (thread cancellation); the toolbox's glibc must find its own.
    for (const extra of ['/lib/x86_64-linux-gnu/libgcc_s.so.1']) if (existsSync(extra)) libs.set(basename(extra), extra);
    for (const [name, path] of libs) put(path, `lib/${name}`, 0o644);
    put(loader, 'ld.so', 0o755);
    patchLoader(join(tb, 'ld.so'));
    writeFileSync(join(tb, 'ld.so.conf'), `${TOOLBOX_MOUNT}/lib\n`, { mode: 0o644 });
    try {
      await run(TOOLBOX_SOURCES.ldconfig, ['-r', scratch, '-C', LOADER_CACHE, '-f', `${TOOLBOX_MOUNT}/ld.so.conf`], { maxBuffer: 1 << 20 });
    } catch (e) {
      throw new Error(`ldconfig for the toolbox failed (it needs root): ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
    }
    writeFileSync(join(tb, 'VERSION'), `${version}\n`, { mode: 0o644 });
    for (const d of ['', 'bin', 'libexec', 'lib']) chmodSync(join(tb, d), 0o755);
    try {
      renameSync(tb, dir); // atomic: a half-prepared toolbox is never at `dir`
    } catch (e) {
      // Another Paddock (a second home sharing the cache dir) prepared the same version meanwhile: its copy may already
      // be mounted into a run, so it stays, and ours goes with the scratch.
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(join(dir, 'bin', 'claude'))) throw e;
      return { dir, version, prepared: false };
    }
    progress(`toolbox ${version} ready in ${dir}`);
    return { dir, version, prepared: true };
  } catch (e) {
    throw new PaddockError(ErrorCode.Internal, `could not prepare Paddock's toolbox ${version}: ${(e as Error).message}`, {
      hint: 'run `paddock image build` as root to see its progress; `paddock doctor` checks what it needs',
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The loader and libraries a dynamic binary loads, as the host's ldd resolves them. */
async function sharedLibraries(binary: string): Promise<{ loader: string | undefined; libs: Map<string, string> }> {
  const { stdout } = await run('ldd', [binary], { maxBuffer: 1 << 20 });
  return parseLdd(stdout);
}

/** Parses ldd's output: `name => /path (0x…)` lines are libraries; a bare `/path (0x…)` line is the loader. */
export function parseLdd(out: string): { loader: string | undefined; libs: Map<string, string> } {
  const libs = new Map<string, string>();
  let loader: string | undefined;
  for (const line of out.split('\n')) {
    const dep = /^\s*(\S+)\s+=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    if (dep?.[1] && dep[2]) {
      libs.set(dep[1], dep[2]);
      continue;
    }
    const ld = /^\s*(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    if (ld?.[1]) loader = ld[1];
  }
  return { loader, libs };
}

/** Rewrites an ELF executable's PT_INTERP path in place (the new path must fit in the old one's bytes). */
export function setInterpreter(file: string, interpreter: string): void {
  const fd = openSync(file, 'r+');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const at = interpOffset(head.subarray(0, n));
    const want = Buffer.from(`${interpreter}\0`);
    if (want.length > at.size) throw new Error(`${file}: interpreter path ${interpreter} is longer than the ${at.size - 1} bytes there`);
    const bytes = Buffer.alloc(at.size);
    want.copy(bytes);
    writeSync(fd, bytes, 0, bytes.length, at.offset);
  } finally {
    closeSync(fd);
  }
}

function isStatic(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    interpOffset(head.subarray(0, n));
    return false;
  } catch (e) {
    return /no PT_INTERP/.test((e as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Where a 64-bit little-endian ELF file keeps its interpreter path (its PT_INTERP segment). */
export function interpOffset(head: Buffer): { offset: number; size: number } {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const phoff = Number(head.readBigUInt64LE(0x20));
  const phentsize = head.readUInt16LE(0x36);
  const phnum = head.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > head.length) break;
    if (head.readUInt32LE(ph) === 3 /* PT_INTERP */) return { offset: Number(head.readBigUInt64LE(ph + 8)), size: Number(head.readBigUInt64LE(ph + 32)) };
  }
  throw new Error('no PT_INTERP segment (a static binary?)');
}

/**
 * The loader reads /etc/ld.so.cache and /etc/ld.so.preload of whatever root it runs in: the image's. Pointed at the
 * toolbox's own cache (and at a preload file that does not exist), it loads only the toolbox's libraries.
 */
export function patchLoader(file: string): void {
  const b = readFileSync(file);
  const swaps: [string, string][] = [
    ['/etc/ld.so.cache', LOADER_CACHE],
    ['/etc/ld.so.preload', `${TOOLBOX_MOUNT}/nopl`],
  ];
  for (const [from, to] of swaps) {
    const old = Buffer.from(`${from}\0`);
    const at = b.indexOf(old);
    if (at < 0 || b.indexOf(old, at + 1) >= 0) throw new Error(`the loader does not hold "${from}" exactly once`);
    if (to.length > from.length) throw new Error(`${to} does not fit where ${from} is`);
    b.fill(0, at, at + old.length);
    b.write(to, at, 'latin1');
  }
  writeFileSync(file, b);
}

/** Toolbox versions prepared under the cache dir, with their size (doctor and gc). */
export function listToolboxes(cacheDir: string): { version: string; dir: string; bytes: number }[] {
  const root = toolboxRoot(cacheDir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => {
      const dir = join(root, e.name);
      let bytes = 0;
      for (const sub of ['', 'bin', 'libexec', 'lib']) {
        const d = join(dir, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d, { withFileTypes: true })) if (f.isFile()) bytes += statSync(join(d, f.name)).size;
      }
      return { version: e.name, dir, bytes };
    });
}
