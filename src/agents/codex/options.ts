/**
 * The Codex CLI option set, as the API's `codex: {…}` block carries it (beside Stromboli's `claude: {…}`), checked
 * for @openai/codex 0.169. Snake case like the claude block. Each maps to one setting of `codex exec` (argv.ts).
 */
import { z } from 'zod';
import { ErrorCode, PaddockError } from '../../errors/index.ts';

/** `model_reasoning_effort` values 0.169 accepts. */
export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** Claude option names a caller may carry over, with why Codex takes none of them (said in the error). */
const NOT_FOR_CODEX: Readonly<Record<string, string>> = Object.freeze({
  allowed_tools: 'Codex has no tool allowlist; its tools are its shell and patch tools',
  disallowed_tools: 'Codex has no tool denylist',
  max_turns: 'Codex has no turn limit; set the run timeout or budget instead',
  max_budget_usd: "set the run's budget (budget) instead: the gateway holds it",
  permission_mode: 'the container is the sandbox: Codex always runs with approvals and its own sandbox off',
  system_prompt: 'Codex keeps its own system prompt; use append_system_prompt',
  session_id: 'Paddock keeps the session (sessionId on the run)',
});

export const codexOptionsSchema = z
  .object({
    model: z.string().trim().min(1).max(200).optional().describe('Model (codex exec -m), e.g. gpt-5.5'),
    reasoning_effort: z.enum(REASONING_EFFORTS).optional().describe('Reasoning effort (model_reasoning_effort)'),
    append_system_prompt: z.string().min(1).max(100_000).optional().describe("Extra instructions beside Codex's own (developer_instructions)"),
  })
  .strict();

export type CodexOptions = z.output<typeof codexOptionsSchema>;
export type CodexOptionsInput = z.input<typeof codexOptionsSchema>;
export const CODEX_OPTION_FIELDS: readonly string[] = Object.keys(codexOptionsSchema.shape);

export function parseCodexOptions(input: unknown): CodexOptions {
  const r = codexOptionsSchema.safeParse(input === undefined || input === null ? {} : input);
  if (r.success) return r.data;
  const problems: string[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) problems.push(NOT_FOR_CODEX[k] ? `${k} is not supported (${NOT_FOR_CODEX[k]})` : `unknown field ${k}`);
    } else if (issue.path.length === 0) problems.push('codex options must be a JSON object');
    else problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  throw new PaddockError(ErrorCode.InvalidInput, `invalid codex options: ${problems.join('; ')}`, { hint: `accepted fields: ${CODEX_OPTION_FIELDS.join(', ')}`, details: { problems } });
}
