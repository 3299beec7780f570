/**
 * The policy at spawn (docs/policy.md): the image, the repository and every extra mount checked against the
 * operator's allowlists before anything is made. A refusal is INVALID_INPUT (400, CLI exit 2) naming the rule, and is
 * logged (the daemon's structured log: the rule and the refused path or image, nothing else).
 */
import { type EngineKind, IN_CONTAINER } from '../runtime/index.ts';
import { checkImage, checkRepo, compileGlob, type MountRequest, parseRepoAllow, refusalRule, refused, type ResolvedMount, resolveMounts } from '../policy/index.ts';
import { secretsBaseDir } from '../secrets/index.ts';
import { loggerFor } from '../telemetry/index.ts';
import type { Paddock } from './context.ts';

const log = loggerFor('policy');

/** Runs fn; a policy refusal it throws is logged (rule, what was asked) on its way out. */
export function enforced<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const rule = refusalRule(e);
    if (rule) log.warn({ event: 'policy.refused', rule, what, details: (e as { details?: unknown }).details }, `refused by policy (${rule}): ${what}`);
    throw e;
  }
}

export function checkImagePolicy(p: Paddock, image: string): void {
  enforced(`image ${image}`, () =>
    checkImage(
      image,
      p.config.imageAllow.map((pattern) => ({ pattern, re: compileGlob(pattern) })),
    ),
  );
}

export function checkRepoPolicy(p: Paddock, repo: string): void {
  enforced(`repository ${repo}`, () => checkRepo(repo, parseRepoAllow(p.config.repoAllow)));
}

/** The requested extra mounts, checked and resolved (host paths real, container paths normalised). */
export function checkMountPolicy(p: Paddock, requests: readonly MountRequest[], engine: EngineKind): ResolvedMount[] {
  return enforced(`mounts ${requests.map((r) => `${r.host}:${r.container}`).join(' ')}`, () => {
    const mounts = resolveMounts(requests, {
      rules: p.config.mountAllow,
      inContainer: { home: IN_CONTAINER.home, workspace: IN_CONTAINER.workspace },
      ownHostPaths: [p.config.home, secretsBaseDir(p.config.secretsTmpfs, p.instance)],
    });
    // Docker's binds take no nosuid/nodev: a writable mount there could carry a setuid file back to the host.
    const rw = mounts.find((m) => !m.readOnly);
    if (rw && engine === 'docker')
      throw refused(
        'PADDOCK_MOUNT_ALLOW',
        `mount ${rw.host} → ${rw.container} read-write: on Docker a bind mount cannot be made nosuid,nodev, so writable extra mounts are Podman-only`,
        'mount it read-only, or use Podman',
      );
    return mounts;
  });
}
