/** Mount, image and repository policy (docs/policy.md): what a run may see of the host, and which images and repos it may use. */
export { checkImage, checkRepo } from './allowlists.ts';
export { type GlobRule, type MountRule, parseImageAllow, parseMountAllow, parseRepoAllow } from './config.ts';
export { compileGlob, globProblem } from './glob.ts';
export { BLOCKED_EXACT, BLOCKED_SUBTREES, blockedTarget, MAX_MOUNTS, type MountContext, type MountRequest, normaliseContainerPath, type ResolvedMount, resolveMounts, ruleText } from './mounts.ts';
export { type PolicyRule, refusalRule, refused } from './refusal.ts';
