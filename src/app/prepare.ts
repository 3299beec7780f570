/**
 * What a run needs once it leaves the queue: its private checkout, its session's HOME volume and its hardened
 * container. Then it is `starting`, and its supervisor starts the container. If any step fails, abandon() removes
 * what was made, so a failed start leaves nothing behind but the run's record (state failed, with the reason).
 */
import { realpathSync, rmSync } from 'node:fs';
import type { RunGrants } from '../store/run-grants-repo.ts';
import { IN_CONTAINER_INPUT_SOCKET, relayDirOf, type Run, setPhase, transitionRun } from '../jobs/index.ts';

import { buildAgentContainerSpec, paddockLabels } from '../runtime/index.ts';
import { createRunCheckout, removeCheckout } from '../workspace/index.ts';
import { agentFor } from './agents.ts';
import type { Paddock } from './context.ts';
import { prepareWorkspaceDir } from './workspaces.ts';
import { prepareSessionHome, releaseWorkspace, runIdentity, sealRelayDir, sealRunDir } from './jail.ts';
import { egressEnv, networkPolicyOf } from './network.ts';
import { COORDINATOR_MCP_URL } from './coordinator.ts';
import { agentSessionIdOf } from './agent-session.ts';
import { interactiveClaudeArgv, SHELL_ARGV, TERMINAL_TYPE } from './shell-argv.ts';
import { releaseRunSecrets, runGrants, stageRunSecrets } from './secrets.ts';
import { toolboxForImage } from './toolbox.ts';
import { planHooks } from './hooks.ts';
import { abandonRunServices, startRunServices } from './services.ts';

/** The loopback port inside the container where the entrypoint bridges to the model relay socket. */
const MODEL_PORT = 4000;

export async function prepareRun(p: Paddock, run: Run): Promise<void> {
  const runtime = await p.runtime();
  const session = p.sessions.get(run.sessionId);
  if (!session) throw new Error(`session ${run.sessionId} is gone`);
  // The run's own UID and GID (no host account, no other live run's), and a run directory only Paddock can enter.
  await sealRunDir(run.runDir);
  const identity = runIdentity(p, run);
  // Its relay directory (model, input and egress sockets) is the run identity's: each socket there is 0600 and its owner's.
  await sealRelayDir(relayDirOf(run), identity);
  // A clone is mounted with the repository's objects (read-only); scratch and mount are a bare directory.
  let checkout: { dir: string; objectsDir?: string };
  if (run.workspace === 'clone') {
    checkout = await createRunCheckout({
      paddockHome: p.config.home,
      repo: run.repo,
      runDir: run.runDir,
      branch: run.branch,
      baseSha: run.baseSha,
      uid: identity.uid,
      gid: identity.gid,
      reuseBranch: run.reuseBranch,
    });
    p.runs.update(run.id, { checkoutDir: checkout.dir });
  } else {
    // No checkoutDir recorded: there is nothing to finalize or bring back.
    checkout = { dir: await prepareWorkspaceDir(p, run, identity) };
  }
  if (run.newSession) await runtime.createVolume(session.volume, paddockLabels(p.instance, 'session-home', { session: session.id }), identity);
  // Lifecycle hooks (app/hooks.ts): which of them this run runs, in a plan file the entry script reads.
  const hooks = planHooks(p, run, identity);
  // Nothing an earlier run planted in the session's HOME (hooks, settings, rc files) runs in this one; a session with
  // lifecycle hooks keeps ~/.local, where its on_create installed its environment (docs/hooks.md).
  // The CLI's own headless settings go in after the reset (Gemini's ~/.gemini/settings.json: agents/gemini).
  const homeFiles = agentFor(run.agent).homeFiles?.({ baseUrl: `http://127.0.0.1:${MODEL_PORT}`, token: run.modelToken }, run.options);
  const home = await prepareSessionHome(runtime, session.volume, identity, { keepLocal: hooks.keepLocal, ...(homeFiles ? { files: homeFiles } : {}) });
  if (!run.newSession && home.removed > 0) p.events.append(run.id, { kind: 'note', message: `session HOME reset: ${home.removed} entries besides the conversation removed` });

  setPhase(p.runs, p.events, run.id, 'creating-container');
  // An image other than Paddock's gets the toolbox (prepared once per version, on first use: app/toolbox.ts).
  const toolboxDir = await toolboxForImage(p, runtime, run.image, (message) => p.events.append(run.id, { kind: 'note', message }));
  const network = networkPolicyOf(p, run.id);
  const adapter = agentFor(run.agent);
  // The session id the CLI is given: Paddock's, or for a resume of a CLI that names its own, the one it announced.
  const cliSession = agentSessionIdOf(p, run, adapter);
  const { mounts: extraMounts } = runGrants(p).get(run.id);
  const secretsFile = stageRunSecrets(p, run, identity);
  // Its services first, healthy, in the run's own network namespace, which the agent then joins (docs/services.md).
  const netns = await startRunServices(p, run);
  const containerId = await runtime.createContainer(
    buildAgentContainerSpec({
      instance: p.instance,
      runId: run.id,
      sessionId: session.id,
      name: run.containerName ?? `paddock-${run.id}`,
      image: run.image,
      // A coordinator's CLI gets Paddock's MCP (the entry script bridges 127.0.0.1:4100 to its mcp.sock).
      // A shell run's terminal runs a login shell (app/shell.ts), under the same entry script (relay and egress bridges).
      argv:
        run.interactive === 'shell'
          ? SHELL_ARGV
          : withInteractive(
              run,
              adapter.buildArgv(run.prompt, run.options, { sessionId: cliSession, resume: run.resume, persistent: run.keepAlive, ...(run.coordinator ? { paddockMcpUrl: COORDINATOR_MCP_URL } : {}) }),
            ),
      // PADDOCK_INPUT: the entry script feeds the agent's stdin from this socket (a persistent run's turns).
      env: {
        ...adapter.buildEnv({ baseUrl: `http://127.0.0.1:${MODEL_PORT}`, token: run.modelToken }),
        ...(run.keepAlive ? { PADDOCK_INPUT: IN_CONTAINER_INPUT_SOCKET } : {}),
        ...egressEnv(network.mode),
        ...(run.interactive ? { TERM: TERMINAL_TYPE } : {}),
      },
      ...(run.interactive ? { tty: true } : {}),

      identity,
      checkoutDir: checkout.dir,
      ...(checkout.objectsDir ? { sharedObjectsDir: checkout.objectsDir } : {}),
      sessionVolume: session.volume,
      relayDir: relayDirOf(run),
      networkOpen: network.mode === 'open',
      limits: { memoryBytes: run.memoryBytes, cpus: run.cpus, pids: run.pids },
      logMaxBytes: p.config.containerLogSize,
      extraMounts: recheckMounts(extraMounts),
      engine: runtime.info.kind,
      ...(netns ? { netns } : {}),
      ...(secretsFile ? { secretsFile } : {}),
      ...(toolboxDir ? { toolboxDir } : {}),
      ...(hooks.file ? { hooksPlan: hooks.file } : {}),
    }),
  );
  transitionRun(p.runs, p.events, run.id, 'starting', { containerId });
}

/** spawn --interactive: the agent CLI's own interface instead of its print mode (app/shell-argv.ts). */
const withInteractive = (run: Run, argv: string[]): string[] => (run.interactive === 'agent' ? interactiveClaudeArgv(argv) : argv);

/** Removes what prepareRun made for a run that will not start: container, a new session's volume, the checkout. */
export async function abandonRun(p: Paddock, run: Run): Promise<void> {
  const current = p.runs.get(run.id) ?? run;
  const runtime = await p.runtime().catch(() => undefined);
  if (current.containerId) await runtime?.removeContainer(current.containerId).catch(() => {});
  // After the agent container: a namespace holder goes once nothing joined to it is left.
  await abandonRunServices(p, current).catch(() => {});
  if (current.newSession) {
    const session = p.sessions.get(current.sessionId);
    if (session && session.lastRunId === current.id) {
      await runtime?.removeVolume(session.volume).catch(() => {});
      p.sessions.delete(session.id);
    }
  }
  releaseRunSecrets(p, current.id);
  // A mounted directory already handed to the run's identity goes back to its owner.
  await releaseWorkspace(p, current).catch(() => {});
  await removeCheckout(current.runDir).catch(() => {});
  rmSync(current.runDir, { recursive: true, force: true });
  p.runs.update(current.id, { checkoutDir: null });
}

/**
 * The mounts as checked at spawn, checked again now: a host path that no longer resolves to what was allowed (a
 * directory swapped for a symlink while the run was queued) fails the start.
 */
function recheckMounts(mounts: RunGrants['mounts']): RunGrants['mounts'] {
  for (const m of mounts) {
    let now: string;
    try {
      now = realpathSync(m.host);
    } catch {
      now = '(gone)';
    }
    if (now !== m.host) throw new Error(`mount ${m.host} → ${m.container}: the host path now resolves to ${now}, not to what was allowed at spawn`);
  }
  return mounts;
}
