import { ErrorCode, PaddockError } from '../errors/index.ts';

/** Which rule refused a request: a setting (PADDOCK_…), or one of Paddock's fixed rules. */
export type PolicyRule = 'PADDOCK_MOUNT_ALLOW' | 'PADDOCK_IMAGE_ALLOW' | 'PADDOCK_REPO_ALLOW' | 'mount-blocklist' | 'mount-target' | 'mount-source' | 'secrets-env';

/** A request the policy refuses: FORBIDDEN (HTTP 403, CLI exit 2), the rule named in its message and details. */
export function refused(rule: PolicyRule, message: string, hint: string, details: Record<string, unknown> = {}): PaddockError {
  return new PaddockError(ErrorCode.Forbidden, `refused by policy (${rule}): ${message}`, { hint, details: { policy: rule, ...details } });
}

/** The rule that refused, when the error is a policy refusal. */
export function refusalRule(e: unknown): PolicyRule | undefined {
  const d = (e as PaddockError | undefined)?.details;
  return typeof d?.policy === 'string' ? (d.policy as PolicyRule) : undefined;
}
