/** Where supervisors run: in this process (the API server), or in a detached process per run (the CLI). */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunSupervisor, type Run } from '../jobs/index.ts';
import { finalizeRunCheckout } from '../workspace/index.ts';
import { agentFor } from './agents.ts';
import type { Paddock } from './context.ts';

export type SupervisionMode = 'detached' | 'in-process';

export async function makeSupervisor(p: Paddock, log?: (msg: string) => void): Promise<RunSupervisor> {
  const runtime = await p.runtime();
  return new RunSupervisor({
    runs: p.runs,
    events: p.events,
    runtime,
    agent: agentFor,
    model: { upstream: p.config.anthropicBaseUrl, credential: { apiKey: p.config.anthropicApiKey, oauthToken: p.config.claudeOauthToken } },
    stallAfterMs: p.config.stallAfter,
    stopGraceMs: p.config.stopGrace,
    upstreamFailAfterMs: p.config.upstreamFailAfter,
    finishCheckout: (run: Run) => finishCheckout(p, run),
    ...(log ? { log } : {}),
  });
}

async function finishCheckout(p: Paddock, run: Run): Promise<{ headSha: string | null; commitsAhead: number | null }> {
  const r = await finalizeRunCheckout({
    paddockHome: p.config.home,
    repo: run.repo,
    runDir: run.runDir,
    branch: run.branch,
    baseSha: run.baseSha,
    hostUid: process.getuid?.() ?? 0,
    hostGid: process.getgid?.() ?? 0,
    commitMessage: `paddock: ${run.type} run ${run.id}\n\n${run.task}`,
    bringBack: run.bringBack,
  });
  return { headSha: r.headSha, commitsAhead: r.commitsAhead };
}

/** Supervises runs in this process; resolves when the run ends. */
export async function superviseInProcess(p: Paddock, runId: string): Promise<void> {
  const supervisor = await makeSupervisor(p);
  await supervisor.supervise(runId);
}

const MAIN = fileURLToPath(new URL(`./supervise-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Starts a detached process that supervises the run and outlives the caller (the CLI can exit, or be killed). */
export function superviseDetached(p: Paddock, run: Pick<Run, 'id' | 'runDir'>): void {
  mkdirSync(run.runDir, { recursive: true });
  const out = openSync(join(run.runDir, 'supervisor.log'), 'a');
  const child = spawn(process.execPath, [MAIN, run.id], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PADDOCK_HOME: p.config.home },
  });
  child.unref();
}

/** Starts supervision and returns at once; the run goes on without the caller. */
export function supervise(p: Paddock, run: Pick<Run, 'id' | 'runDir'>, mode: SupervisionMode): void {
  if (mode === 'detached') return superviseDetached(p, run);
  superviseInProcess(p, run.id).catch((e: unknown) => console.error(`paddock: supervising run ${run.id} failed:`, e));
}
