import { claudeAdapter } from '../agents/claude/index.ts';
import type { AgentAdapter } from '../agents/types.ts';
import { invalidInput } from '../errors/index.ts';

const AGENTS: Record<string, AgentAdapter<unknown>> = { claude: claudeAdapter as AgentAdapter<unknown> };

export function agentFor(name: string): AgentAdapter<unknown> {
  const a = AGENTS[name];
  if (!a) throw invalidInput(`unknown agent "${name}"`, `known agents: ${Object.keys(AGENTS).join(', ')}`);
  return a;
}
