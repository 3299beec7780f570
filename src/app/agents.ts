import { claudeAdapter } from '../agents/claude/index.ts';
import { geminiAdapter } from '../agents/gemini/index.ts';
import { codexAdapter } from '../agents/codex/index.ts';
import type { AgentAdapter } from '../agents/types.ts';
import { invalidInput } from '../errors/index.ts';

const AGENTS: Record<string, AgentAdapter<unknown>> = { claude: claudeAdapter as AgentAdapter<unknown>, gemini: geminiAdapter as AgentAdapter<unknown>, codex: codexAdapter as AgentAdapter<unknown> };

export function agentFor(name: string): AgentAdapter<unknown> {
  const a = AGENTS[name];
  if (!a) throw invalidInput(`unknown agent "${name}"`, `known agents: ${Object.keys(AGENTS).join(', ')}`);
  return a;
}

/**
 * What survives in a session's HOME from run to run, for every CLI (a session's conversation is kept whichever CLI
 * ran in it last): Claude's ~/.claude/projects, and each adapter's keepInHome.
 */
export function sessionHomeKeep(): string[] {
  return [...new Set(['.claude/projects', ...Object.values(AGENTS).flatMap((a) => a.keepInHome ?? [])])];
}
