/** Private per-run clones: create, finalize (neutralise + bring back), diff, merge, cleanup; one lock per repository. */
export { inspectRepo, resolveBase } from './repo.ts';
export type { RepoInfo } from './repo.ts';
export { BRANCH_PREFIX, branchExists, defaultBranchName, slugify, validateBranchName } from './branch-name.ts';
export { createRunCheckout, removeCheckout } from './checkout.ts';
export type { CreateRunCheckoutInput, RunCheckout } from './checkout.ts';
export { finalizeRunCheckout } from './finalize.ts';
export type { FinalizeRunCheckoutInput, FinalizedRun } from './finalize.ts';
export { diff as diffBranch, diffSummary } from './diff.ts';
export { LIVE_CLONE_MOUNT, liveDiffArgv, parseLiveDiffOutput } from './live-diff.ts';
export type { LiveDiffArgs, LiveDiffResult } from './live-diff.ts';
export { readCheckoutRecord } from './checkout-record.ts';

export type { DiffFileStat, DiffInput, DiffResult, DiffSummary } from './diff.ts';
export { merge as mergeBranch } from './merge.ts';
export type { MergeInput, MergeResult } from './merge.ts';
export { deleteRunBranch } from './run-branch.ts';
export type { DeleteRunBranchInput, DeleteRunBranchResult } from './run-branch.ts';
export { withRepoLock, repoLockPath } from './repo-lock.ts';
export type { RepoLockOptions } from './repo-lock.ts';
export { AGENT_IDENTITY, PADDOCK_IDENTITY } from './clone-config.ts';
export { gitVersion, setGitTimeout } from './git.ts';
export type { FinalizeReport } from './finalize.ts';
export { outsideSymlinksBetween } from './symlinks.ts';
export { hasChanges, snapshotWorkingTree, workingTreeChanges } from './working-tree.ts';
export type { WorkingTreeChanges } from './working-tree.ts';
