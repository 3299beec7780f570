/**
 * What a run can be started with, for surfaces that offer a choice (MCP's list_agents and list_images, the board's
 * new-run form): the agent CLIs Paddock drives, and the agent images it knows of (the default, and those runs used).
 */
import { spawnInputSchema } from './spawn-input.ts';
import type { Paddock } from './context.ts';

export interface AgentInfo {
  name: string;
  /** The agent a run gets when it names none. */
  default: boolean;
}

/** The agent CLIs a run can ask for (spawn's `agent`). */
export function listAgents(): AgentInfo[] {
  const agent = spawnInputSchema.shape.agent;
  const fallback = agent.parse(undefined);
  return agent.unwrap().options.map((name) => ({ name, default: name === fallback }));
}

export interface ImageInfoView {
  /** The image reference a run names (spawn's `image`). */
  ref: string;
  /** PADDOCK_IMAGE: what a run gets when it names none. */
  default: boolean;
  /** The engine has it now (false: a run naming it is refused; `paddock image build` makes the default one). */
  present: boolean;
  /** The engine's image id, when present. */
  id: string | null;
  /** Built by Paddock's agent-image recipe (labelled dev.paddock.recipe). */
  paddockBuilt: boolean;
  /** How many recorded runs used it. */
  runs: number;
}

/** The default agent image and every image a recorded run used, with whether the engine has each. */
export async function listImages(p: Paddock): Promise<ImageInfoView[]> {
  const counts = new Map<string, number>([[p.config.image, 0]]);
  for (const r of p.runs.list({})) counts.set(r.image, (counts.get(r.image) ?? 0) + 1);
  const runtime = await p.runtime();
  return Promise.all(
    [...counts].map(async ([ref, runs]) => {
      const info = await runtime.inspectImage(ref).catch(() => undefined);
      return { ref, default: ref === p.config.image, present: info !== undefined, id: info?.id ?? null, paddockBuilt: info?.labels['dev.paddock.recipe'] !== undefined, runs };
    }),
  );
}
