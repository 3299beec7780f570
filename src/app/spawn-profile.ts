/**
 * A spawn request with its project and persona applied: every setting the request leaves out is taken from the
 * persona, then the project, then the server default (explicit request > persona > project > server default). The
 * image is chosen by the chain in image-chain.ts, so a missing one can name the level it came from.
 */
import type { Paddock } from './context.ts';
import type { ImageChainInput } from './image-chain.ts';
import { getPersona, type PersonaSettings } from './personas.ts';
import { getProject, runProfiles, type ProjectSettings } from './projects.ts';
import type { ParsedSpawnInput } from './spawn-input.ts';

export interface AppliedProfile {
  req: ParsedSpawnInput;
  project: { name: string; spec: ProjectSettings } | undefined;
  persona: { name: string; spec: PersonaSettings } | undefined;
  /** The image chain's levels (chooseImage picks). */
  imageChain: (serverDefault: string) => ImageChainInput;
}

const LIMITS = ['memory', 'cpus', 'pids', 'timeout'] as const;

export function applyProfile(p: Paddock, input: ParsedSpawnInput): AppliedProfile {
  const project = input.project === undefined ? undefined : getProject(p, input.project);
  const persona = input.persona === undefined ? undefined : getPersona(p, input.persona);
  const req: ParsedSpawnInput = { ...input };
  const imageChain = (serverDefault: string): ImageChainInput => ({
    request: input.image,
    persona: persona && { name: persona.name, image: persona.spec.image },
    project: project && { name: project.name, image: project.spec.image },
    serverDefault,
  });
  if (!project && !persona) return { req, project, persona, imageChain };

  for (const k of LIMITS) if (req[k] === undefined) req[k] = persona?.spec[k] ?? project?.spec[k];
  // Hooks: the request's, else the persona's, else the project's (a whole lifecycle each, not merged).
  if (req.lifecycle === undefined) req.lifecycle = persona?.spec.lifecycle ?? project?.spec.lifecycle;
  // Services: the project's when the request names none and runs no Compose environment.
  if (req.services === undefined && (req as { compose?: unknown }).compose === undefined && project?.spec.services?.length) req.services = project.spec.services;

  if (project) {
    const s = project.spec;
    // The project is the repository unless the request names one (a scratch workspace takes none).
    if (req.repo === undefined && req.workspace !== 'scratch') req.repo = s.path;
    // Its base branch, where a base can apply: a new branch of a clone, not from the working tree.
    if (req.base === undefined && s.base !== undefined && req.workspace === 'clone' && !req.reuseBranch && !req.withChanges && req.repo === s.path) req.base = s.base;
    // Egress additions join the request's (network none and open have no allow list: nothing to add there).
    if (s.allow?.length && req.network?.mode !== 'none' && req.network?.mode !== 'open') req.network = { ...req.network, allow: [...new Set([...(req.network?.allow ?? []), ...s.allow])] };
    const webhookUrl = s.notifications?.webhookUrl;
    if (req.webhookUrl === undefined && webhookUrl !== undefined) req.webhookUrl = webhookUrl;
  }

  if (persona) {
    const s = persona.spec;
    const opts: Record<string, unknown> = { ...req.agentOptions };
    if (req.model === undefined && opts.model === undefined && s.model !== undefined) req.model = s.model;
    if (opts.append_system_prompt === undefined) opts.append_system_prompt = s.rolePrompt;
    if (opts.allowed_tools === undefined && s.allowedTools?.length) opts.allowed_tools = s.allowedTools;
    if (opts.disallowed_tools === undefined && s.disallowedTools?.length) opts.disallowed_tools = s.disallowedTools;
    req.agentOptions = opts;
  }
  return { req, project, persona, imageChain };
}

/** Records which project and persona the run was spawned with, and says so in its events. */
export function recordProfile(p: Paddock, runId: string, a: AppliedProfile, imageFrom: string): void {
  if (!a.project && !a.persona) return;
  runProfiles(p).set(runId, { project: a.project?.name ?? null, persona: a.persona?.name ?? null });
  const parts = [a.project ? `project ${a.project.name}` : '', a.persona ? `persona ${a.persona.name}` : ''].filter(Boolean);
  p.events.append(runId, { kind: 'note', message: `spawned with ${parts.join(' and ')} (image from ${imageFrom})` });
}

/**
 * The project and persona a run was spawned with, for its resume (the ones still stored): the resumed run belongs to
 * the same project (its notifications and webhook) and persona. What the earlier run had is passed explicitly by
 * resume, so it wins over their current defaults.
 */
export function profileOfRun(p: Paddock, runId: string): { project?: string; persona?: string } {
  const r = runProfiles(p).get(runId);
  const exists = (get: () => unknown) => {
    try {
      get();
      return true;
    } catch {
      return false;
    }
  };
  return {
    ...(r.project !== null && exists(() => getProject(p, r.project!)) ? { project: r.project } : {}),
    ...(r.persona !== null && exists(() => getPersona(p, r.persona!)) ? { persona: r.persona } : {}),
  };
}
