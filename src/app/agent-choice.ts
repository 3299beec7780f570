/**
 * Which agent CLI a spawn request asks for, and its options: `agent`, or its user-facing name `cli` (the CLI's --cli,
 * the API's `cli` field); the `codex: {…}` and `gemini: {…}` blocks (beside Stromboli's `claude: {…}`) join
 * agentOptions, each for a run of its CLI only. Decided once, before anything else reads the request.
 */
import { invalidInput } from '../errors/index.ts';
import type { ParsedSpawnInput } from './spawn-input.ts';

export function withAgentChoice(req: ParsedSpawnInput): ParsedSpawnInput {
  const { cli, codex, gemini, ...rest } = req;
  // agent defaults to claude: a cli that says otherwise is the choice; two different explicit names cannot both be.
  if (cli !== undefined && rest.agent !== 'claude' && rest.agent !== cli) throw invalidInput(`agent ${rest.agent} and cli ${cli}: they name the same thing, give one`);
  const agent = cli ?? rest.agent;
  if (codex !== undefined && agent !== 'codex') throw invalidInput(`codex options given for a ${agent} run`, 'pass cli: "codex" (--cli codex) with them, or leave them out');
  if (gemini !== undefined && agent !== 'gemini') throw invalidInput(`gemini options given for a ${agent} run`, 'pass cli: "gemini" (--cli gemini) with them, or leave them out');
  return { ...rest, agent, agentOptions: { ...rest.agentOptions, ...(codex ?? {}), ...(gemini ?? {}) } };
}
