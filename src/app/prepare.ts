/**
 * What a run needs once it leaves the queue: its private checkout, its session's HOME volume and its hardened
 * container. Then it is `starting`, and its supervisor starts the container. If any step fails, abandon() removes
 * what was made, so a failed start leaves nothing behind but the run's record (state failed, with the reason).
 */
import { rmSync } from 'node:fs';
import { IN_CONTAINER_INPUT_SOCKET, relayDirOf, type Run, setPhase, transitionRun } from '../jobs/index.ts';

import { buildAgentContainerSpec, IN_CONTAINER, paddockLabels } from '../runtime/index.ts';
import { createRunCheckout, removeCheckout } from '../workspace/index.ts';
import { agentFor } from './agents.ts';
import type { Paddock } from './context.ts';
import { prepareWorkspaceDir } from './workspaces.ts';

/** The loopback port inside the container where the entrypoint bridges to the model relay socket. */
const MODEL_PORT = 4000;

export async function prepareRun(p: Paddock, run: Run): Promise<void> {
  const runtime = await p.runtime();
  const session = p.sessions.get(run.sessionId);
  if (!session) throw new Error(`session ${run.sessionId} is gone`);
  // A clone is mounted with the repository's objects (read-only); scratch and mount are a bare directory.
  let checkout: { dir: string; objectsDir?: string };
  if (run.workspace === 'clone') {
    checkout = await createRunCheckout({
      paddockHome: p.config.home,
      repo: run.repo,
      runDir: run.runDir,
      branch: run.branch,
      baseSha: run.baseSha,
      uid: IN_CONTAINER.uid,
      gid: IN_CONTAINER.uid,
      reuseBranch: run.reuseBranch,
    });
    p.runs.update(run.id, { checkoutDir: checkout.dir });
  } else {
    // No checkoutDir recorded: there is nothing to finalize or bring back.
    checkout = { dir: await prepareWorkspaceDir(p, run) };
  }
  if (run.newSession) await runtime.createVolume(session.volume, paddockLabels(p.instance, 'session-home', { session: session.id }));

  setPhase(p.runs, p.events, run.id, 'creating-container');
  const adapter = agentFor(run.agent);
  const containerId = await runtime.createContainer(
    buildAgentContainerSpec({
      instance: p.instance,
      runId: run.id,
      sessionId: session.id,
      name: run.containerName ?? `paddock-${run.id}`,
      image: run.image,
      argv: adapter.buildArgv(run.prompt, run.options, { sessionId: session.id, resume: run.resume, persistent: run.keepAlive }),
      // PADDOCK_INPUT: the entry script feeds the agent's stdin from this socket (a persistent run's turns).
      env: { ...adapter.buildEnv({ baseUrl: `http://127.0.0.1:${MODEL_PORT}`, token: run.modelToken }), ...(run.keepAlive ? { PADDOCK_INPUT: IN_CONTAINER_INPUT_SOCKET } : {}) },

      checkoutDir: checkout.dir,
      ...(checkout.objectsDir ? { sharedObjectsDir: checkout.objectsDir } : {}),
      sessionVolume: session.volume,
      relayDir: relayDirOf(run),
      limits: { memoryBytes: run.memoryBytes, cpus: run.cpus, pids: run.pids },
    }),
  );
  transitionRun(p.runs, p.events, run.id, 'starting', { containerId });
}

/** Removes what prepareRun made for a run that will not start: container, a new session's volume, the checkout. */
export async function abandonRun(p: Paddock, run: Run): Promise<void> {
  const current = p.runs.get(run.id) ?? run;
  const runtime = await p.runtime().catch(() => undefined);
  if (current.containerId) await runtime?.removeContainer(current.containerId).catch(() => {});
  if (current.newSession) {
    const session = p.sessions.get(current.sessionId);
    if (session && session.lastRunId === current.id) {
      await runtime?.removeVolume(session.volume).catch(() => {});
      p.sessions.delete(session.id);
    }
  }
  await removeCheckout(current.runDir).catch(() => {});
  rmSync(current.runDir, { recursive: true, force: true });
  p.runs.update(current.id, { checkoutDir: null });
}
