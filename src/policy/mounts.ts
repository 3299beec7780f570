/**
 * Extra mounts (CLI --mount, REST mounts, Stromboli podman.volumes): refused unless the host path resolves (realpath:
 * symlinks and .. followed first) under a PADDOCK_MOUNT_ALLOW prefix, read-only unless asked and allowed, never onto
 * a system or credential path of the container, never Paddock's own state, never a socket or device.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { MountRule } from './config.ts';
import { stripSlash } from './config.ts';
import { refused } from './refusal.ts';

export interface MountRequest {
  host: string;
  container: string;
  /** Default true: read-write must be asked for (and allowed by a :rw rule). */
  readOnly?: boolean | undefined;
}

/** A mount as it goes into the container: the host path resolved, the container path normalised. */
export interface ResolvedMount {
  host: string;
  container: string;
  readOnly: boolean;
}

/** The most mounts one run may ask for. */
export const MAX_MOUNTS = 16;

export interface MountContext {
  rules: readonly MountRule[];
  /** Where the agent's HOME and workspace are inside (never a mount target, nor anything under them). */
  inContainer: { home: string; workspace: string };
  /** Host paths that are Paddock's own (its state directory, the secrets' tmpfs): never mounted, even when allowed. */
  ownHostPaths: readonly string[];
}

/**
 * Container paths refused as a mount target, at them and anywhere under them: the system's directories, the runtime
 * directories (Paddock's relay and secrets live in /run), root's home. HOME and /workspace are added per run.
 */
export const BLOCKED_SUBTREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var/run'] as const;
/** Refused as they are (something under them is fine, e.g. /var/data or /tmp/cache): mounting over them hides too much. */
export const BLOCKED_EXACT = ['/', '/home', '/var', '/tmp', '/var/tmp', '/var/lib', '/opt'] as const;
/** Credential and config directories of HOME, named so a refusal says what they are (all of HOME is refused anyway). */
const CREDENTIAL_DIRS = ['.ssh', '.claude', '.config/gh', '.aws', '.gnupg', '.docker', '.kube', '.netrc', '.git-credentials', '.npmrc', '.config/gcloud', '.azure'];

/** The container path normalised: `//etc`, `/etc/../etc`, `/etc/`, `/home/agent/./.ssh` become /etc and /home/agent/.ssh. */
export function normaliseContainerPath(p: string): string {
  return stripSlash(posix.normalize(p));
}

const under = (path: string, dir: string) => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

/** Why this container path may not be a mount target, or undefined. */
export function blockedTarget(path: string, ctx: Pick<MountContext, 'inContainer'>): string | undefined {
  const home = ctx.inContainer.home;
  if (under(path, home)) {
    const cred = CREDENTIAL_DIRS.find((d) => under(path, `${home}/${d}`));
    return cred ? `${path} is the agent's ${cred} (credentials)` : `${path} is the agent's HOME (its session)`;
  }
  if (under(path, ctx.inContainer.workspace)) return `${path} is the run's workspace (what comes back)`;
  if ((BLOCKED_EXACT as readonly string[]).includes(path)) return `${path} is a system directory`;
  const sub = BLOCKED_SUBTREES.find((d) => under(path, d));
  if (sub) return `${path} is ${path === sub ? '' : `under ${sub}, `}a system directory`;
  return undefined;
}

/** Checks and resolves every requested mount; throws a policy refusal naming the first that is refused, and why. */
export function resolveMounts(requests: readonly MountRequest[], ctx: MountContext): ResolvedMount[] {
  if (requests.length === 0) return [];
  if (requests.length > MAX_MOUNTS) throw refused('mount-target', `${requests.length} mounts asked for; at most ${MAX_MOUNTS}`, 'ask for fewer mounts');
  if (ctx.rules.length === 0)
    throw refused(
      'PADDOCK_MOUNT_ALLOW',
      `mount ${requests[0]!.host}: no extra mounts are allowed (PADDOCK_MOUNT_ALLOW is empty)`,
      'the daemon operator can allow host directories with PADDOCK_MOUNT_ALLOW (docs/policy.md)',
    );
  const out: ResolvedMount[] = [];
  for (const r of requests) {
    const m = resolveMount(r, ctx);
    const clash = out.find((o) => under(o.container, m.container) || under(m.container, o.container));
    if (clash) throw refused('mount-target', `${m.container} and ${clash.container}: two mounts on the same container path or one inside the other`, 'mount each on its own path');
    out.push(m);
  }
  return out;
}

function resolveMount(r: MountRequest, ctx: MountContext): ResolvedMount {
  const label = `mount ${r.host.slice(0, 200)} → ${r.container.slice(0, 200)}`;
  for (const [what, p] of [
    ['host', r.host],
    ['container', r.container],
  ] as const) {
    if (!p.startsWith('/')) throw refused('mount-target', `${label}: the ${what} path must be absolute`, 'write both paths from /');
    if (/[:,\0\n\r]/.test(p)) throw refused('mount-target', `${label}: the ${what} path holds ':', ',' or a control character`, 'use plain paths');
  }
  const container = normaliseContainerPath(r.container);
  const blocked = blockedTarget(container, ctx);
  if (blocked) throw refused('mount-blocklist', `${label}: ${blocked}`, 'mount on a path of its own, e.g. /data or /mnt/<name>', { container });

  let host: string;
  try {
    host = realpathSync(r.host);
  } catch (e) {
    throw refused('mount-source', `${label}: the host path cannot be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'mount a directory or file that exists', { host: r.host });
  }
  const own = ctx.ownHostPaths.find((o) => under(host, realOr(o)) || under(realOr(o), host));
  if (own) throw refused('mount-source', `${label}: ${host} holds Paddock's own state (${own})`, 'mount something else', { host });
  const st = statSync(host);
  if (!st.isDirectory() && !st.isFile())
    throw refused('mount-source', `${label}: ${host} is neither a directory nor a regular file (sockets and devices are never mounted)`, 'mount a directory', { host });
  const lst = lstatSync(host);
  if (lst.isSymbolicLink()) throw refused('mount-source', `${label}: ${host} changed while it was checked`, 'try again', { host });

  const readOnly = r.readOnly !== false;
  const matching = ctx.rules.filter((rule) => under(host, realOr(rule.prefix)));
  if (matching.length === 0) {
    const resolvedNote = host === stripSlash(posix.normalize(r.host)) ? '' : ` (it resolves to ${host})`;
    throw refused(
      'PADDOCK_MOUNT_ALLOW',
      `${label}: ${r.host}${resolvedNote} is under none of the allowed directories (${ctx.rules.map(ruleText).join(', ')})`,
      'mount a directory under one of them, or ask the operator to allow it',
      {
        host,
      },
    );
  }
  if (!readOnly && !matching.some((rule) => rule.rw))
    throw refused(
      'PADDOCK_MOUNT_ALLOW',
      `${label}: read-write asked for, but ${matching.map(ruleText).join(', ')} allow${matching.length === 1 ? 's' : ''} read-only mounts only`,
      'mount it read-only (the default)',
      {
        host,
      },
    );
  return { host, container, readOnly };
}

export const ruleText = (rule: MountRule): string => `${rule.prefix}${rule.rw ? ':rw' : ''}`;

/** A prefix as it really is, when it exists (a symlinked prefix matches what it points to), else as written. */
function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
