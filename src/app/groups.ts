/**
 * Run groups: one task raced across several agent CLIs (`--cli claude,codex,gemini`) or one CLI several times (`--n 3`).
 * Each member is an ordinary run on its own branch, `<branch>-<label>`; `compare` ranks them by outcome, check, cost
 * and time. Spawning is the same spawnRun every surface uses, once per member.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../config/index.ts';
import { PaddockError, invalidInput, notFound } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { GroupsRepo, type GroupCheck, type RunGroup } from '../store/groups-repo.ts';
import { defaultBranchName, diffSummary } from '../workspace/index.ts';
import { agentFor } from './agents.ts';
import type { Paddock } from './context.ts';
import { runGroupCheck } from './group-check.ts';
import { spawnRun } from './spawn.ts';
import { spawnInputSchema, type SpawnInput } from './spawn-input.ts';
import { stopRun } from './stop.ts';
import { validate } from './validate.ts';

/** The most runs one group makes (members × repeats). */
export const MAX_GROUP_RUNS = 8;
const DEFAULT_CHECK_TIMEOUT_MS = 10 * 60_000;

/** What a group adds to a spawn request; everything else is the spawn request every member gets. */
export const groupFieldsSchema = z.object({
  clis: z
    .array(z.string().trim().min(1))
    .min(1)
    .max(MAX_GROUP_RUNS)
    .optional()
    .describe('Agent CLIs to race, one run each, e.g. ["claude","codex","gemini"] (default: the request\'s agent, or claude)'),
  n: z.number().int().min(1).max(MAX_GROUP_RUNS).default(1).describe('Runs per CLI (the same CLI n times, numbered)'),
  check: z.string().trim().min(1).max(2000).optional().describe('A shell command run over each finished run\'s work when compared (e.g. "npm test"): exit 0 is a pass'),
  checkTimeout: z.string().trim().min(1).optional().describe('How long a check may take, e.g. 5m (default 10m)'),
});

export const groupInputSchema = spawnInputSchema.omit({ agent: true }).extend(groupFieldsSchema.shape);
export type GroupInput = z.input<typeof groupInputSchema>;

export const groupRepo = (p: Paddock): GroupsRepo => new GroupsRepo(p.db);

export interface SpawnedGroup {
  group: RunGroup;
  runs: { label: string; run: Run }[];
}

/** The members' labels: the CLI, numbered when it runs more than once. */
export function memberLabels(clis: readonly string[], n: number): { cli: string; label: string }[] {
  const out: { cli: string; label: string }[] = [];
  for (const cli of clis) for (let i = 1; i <= n; i++) out.push({ cli, label: n === 1 ? cli : `${cli}-${i}` });
  return out;
}

export async function spawnGroup(p: Paddock, input: GroupInput): Promise<SpawnedGroup> {
  const req = validate(groupInputSchema, input);
  const { clis: asked, n, check, checkTimeout, cli, codex, gemini, agentOptions, ...spawn } = req;
  if (cli !== undefined) throw invalidInput(`cli ${cli}: a group names its CLIs in clis`, `pass clis: ["${cli}", …]`);
  const clis = asked ?? ['claude'];
  const dup = clis.find((c, i) => clis.indexOf(c) !== i);
  if (dup) throw invalidInput(`clis: ${dup} is listed twice`, `list each CLI once, and pass n for several runs of one CLI`);
  for (const c of clis) agentFor(c);
  const members = memberLabels(clis, n);
  if (members.length > MAX_GROUP_RUNS) throw invalidInput(`a group of ${members.length} runs is more than ${MAX_GROUP_RUNS}`, 'list fewer CLIs, or ask for a smaller n');
  if (members.length < 2) throw invalidInput('a group needs at least two runs', 'list two CLIs or more (clis), or ask for n of 2 or more; a single run is a plain spawn');
  if (spawn.sessionId !== undefined || spawn.newSessionId !== undefined) throw invalidInput('a group starts a new conversation per run: it takes no session id', 'leave sessionId/newSessionId out');
  if (spawn.reuseBranch) throw invalidInput('the runs of a group each make their own branch: reuseBranch does not apply', 'leave reuseBranch out');
  if (spawn.workspace !== 'clone') throw invalidInput(`a group compares work on branches: workspace ${spawn.workspace} has none`, 'use workspace clone (the default)');
  const checkTimeoutMs = checkTimeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : parseDuration(checkTimeout, 'check timeout');

  const id = randomBytes(6).toString('hex');
  const base = spawn.branch ?? defaultBranchName(spawn.task, id);
  const group: RunGroup = { id, createdAt: Date.now(), task: spawn.task, checkCommand: check ?? null, checkTimeoutMs };
  const repo = groupRepo(p);
  repo.insert(group);
  const runs: { label: string; run: Run }[] = [];
  try {
    for (const [position, m] of members.entries()) {
      // Each CLI gets its own options: agentOptions are Claude's, the codex and gemini blocks their CLI's.
      const options = m.cli === 'claude' ? { agentOptions } : m.cli === 'codex' && codex ? { codex } : m.cli === 'gemini' && gemini ? { gemini } : {};
      const run = await spawnRun(p, { ...spawn, ...options, agent: m.cli, branch: `${base}-${m.label}` } as SpawnInput);
      repo.addMember(id, { runId: run.id, label: m.label, position });
      runs.push({ label: m.label, run });
    }
  } catch (e) {
    // All or nothing: the members made so far are stopped (their branches never get work), and the error says why.
    for (const r of runs) await stopRun(p, r.run.id, { wait: false }).catch(() => {});
    if (runs.length === 0) repo.delete(id);
    if (runs.length && e instanceof PaddockError) {
      throw new PaddockError(e.code, `${e.message} (run ${runs.length + 1} of the group; the ${runs.length} made before it were stopped)`, e.hint ? { hint: e.hint } : {});
    }
    throw e;
  }
  return { group, runs };
}

/** A group by its id or a unique prefix of it. */
export function findGroup(p: Paddock, ref: string): RunGroup {
  const key = ref.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(key)) throw invalidInput(`group "${ref}" is not a group id`, 'pass the id `spawn --cli a,b` printed (or `paddock groups` lists)');
  const found = groupRepo(p).byPrefix(key);
  if (found.length === 0) throw notFound(`no group ${ref}`, 'see `paddock groups` for the groups there are');
  if (found.length > 1 && found[0]!.id !== key) throw invalidInput(`group prefix ${ref} is ambiguous: ${found.map((g) => g.id).join(', ')}`, 'give more of its id');
  return found[0]!;
}

export interface CompareEntry {
  rank: number;
  label: string;
  cli: string;
  runId: string;
  branch: string;
  state: Run['state'];
  reason: string | null;
  ended: boolean;
  filesChanged: number | null;
  insertions: number | null;
  deletions: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  durationMs: number | null;
  check: Omit<GroupCheck, 'runId'> | null;
}

export interface GroupComparison {
  group: RunGroup;
  /** Every member has ended. */
  ended: boolean;
  runs: CompareEntry[];
}

/**
 * The group's runs side by side, best first: completed before anything else, then a passed check before none before
 * a failed one, then the cheaper, then the quicker. With runChecks, every ended run whose head has no check result
 * yet is checked first (a helper container over its branch; see group-check.ts), in order, with progress.
 */
export async function compareGroup(p: Paddock, ref: string, opts: { runChecks?: boolean; onProgress?: (line: string) => void } = {}): Promise<GroupComparison> {
  const group = findGroup(p, ref);
  const repo = groupRepo(p);
  const entries: CompareEntry[] = [];
  for (const m of repo.members(group.id)) {
    const run = p.runs.get(m.runId);
    if (!run) continue; // removed (paddock rm): it drops out of the group
    const ended = isTerminal(run.state);
    if (opts.runChecks !== false && group.checkCommand && ended && run.headSha && run.bringBack && repo.check(run.id)?.headSha !== run.headSha) {
      opts.onProgress?.(`checking ${m.label} (run ${run.id}): ${group.checkCommand}`);
      repo.setCheck(await runGroupCheck(p, run, group));
    }
    const stored = repo.check(run.id);
    const diff = ended && run.headSha && run.bringBack ? await diffSummary({ repo: run.repo, base: run.baseSha, branch: run.branch }).catch(() => undefined) : undefined;
    entries.push({
      rank: 0,
      label: m.label,
      cli: run.agent,
      runId: run.id,
      branch: run.branch,
      state: run.state,
      reason: run.reason,
      ended,
      filesChanged: diff?.filesChanged ?? null,
      insertions: diff?.insertions ?? null,
      deletions: diff?.deletions ?? null,
      inputTokens: run.inputTokens === null ? null : run.inputTokens + (run.cacheReadTokens ?? 0) + (run.cacheCreationTokens ?? 0),
      outputTokens: run.outputTokens,
      costUsd: run.costUsd,
      durationMs: run.startedAt && run.finishedAt ? run.finishedAt - run.startedAt : null,
      check: stored && stored.headSha === run.headSha ? (({ runId: _, ...c }) => c)(stored) : null,
    });
  }
  const ranked = rankEntries(entries);
  return { group, ended: ranked.every((e) => e.ended), runs: ranked };
}

/** Best first (see compareGroup); ranks are 1-based and ties keep the group's order. */
export function rankEntries(entries: readonly CompareEntry[]): CompareEntry[] {
  const outcome = (e: CompareEntry) => (e.state === 'completed' ? 0 : e.ended ? 2 : 1);
  const check = (e: CompareEntry) => (e.check === null ? 1 : e.check.passed ? 0 : 2);
  const num = (v: number | null) => (v === null ? Number.POSITIVE_INFINITY : v);
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => outcome(a.e) - outcome(b.e) || check(a.e) - check(b.e) || num(a.e.costUsd) - num(b.e.costUsd) || num(a.e.durationMs) - num(b.e.durationMs) || a.i - b.i);
  return sorted.map(({ e }, i) => ({ ...e, rank: i + 1 }));
}

/** Groups, newest first, with their members' states (for `paddock groups`). */
export function listGroups(p: Paddock, limit = 50): { group: RunGroup; members: { label: string; runId: string; state: Run['state'] | 'removed' }[] }[] {
  const repo = groupRepo(p);
  return repo.list(limit).map((group) => ({
    group,
    members: repo.members(group.id).map((m) => ({ label: m.label, runId: m.runId, state: p.runs.get(m.runId)?.state ?? 'removed' })),
  }));
}

const groupSchema = z
  .object({
    id: z.string(),
    createdAt: z.number().describe('Epoch milliseconds'),
    task: z.string(),
    checkCommand: z.string().nullable().describe('The --check command, if the group has one'),
    checkTimeoutMs: z.number().int(),
  })
  .meta({ id: 'RunGroup' });

export const compareEntrySchema = z
  .object({
    rank: z.number().int().describe('1 is best: completed first, then a passed check, then the cheaper, then the quicker'),
    label: z.string().describe('The member: its CLI, numbered when the same CLI runs several times'),
    cli: z.string(),
    runId: z.string(),
    branch: z.string(),
    state: z.string(),
    reason: z.string().nullable(),
    ended: z.boolean(),
    filesChanged: z.number().int().nullable(),
    insertions: z.number().int().nullable(),
    deletions: z.number().int().nullable(),
    inputTokens: z.number().int().nullable().describe('Input tokens, cache reads and writes included'),
    outputTokens: z.number().int().nullable(),
    costUsd: z.number().nullable(),
    durationMs: z.number().int().nullable().describe('From the agent start to the end'),
    check: z
      .object({
        headSha: z.string(),
        exitCode: z.number().int().nullable(),
        passed: z.boolean(),
        error: z.string().nullable().describe('Why it did not run to an exit code (timed out, image gone)'),
        outputTail: z.string().describe('Its last output lines (what the check printed: untrusted text)'),
        durationMs: z.number().int(),
        checkedAt: z.number(),
      })
      .nullable()
      .describe("The check's result on the run's head; null: no check, or not run yet"),
  })
  .meta({ id: 'GroupCompareEntry' });

export const groupComparisonSchema = z.object({ group: groupSchema, ended: z.boolean(), runs: z.array(compareEntrySchema) }).meta({ id: 'GroupComparison' });

export const groupListSchema = z
  .array(
    z.object({
      group: groupSchema,
      members: z.array(z.object({ label: z.string(), runId: z.string(), state: z.string() })),
    }),
  )
  .meta({ id: 'RunGroupList' });
