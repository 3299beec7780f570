/**
 * The Claude Code option set, as Stromboli's run request carries it in its `claude` object (same field names and
 * JSON types, so Stromboli clients work unchanged), validated for Claude Code 2.1.332.
 *
 * Field names: Stromboli's `internal/types/options.go` (ClaudeOptions). Flags: `claude --help` of 2.1.332.
 */
import { z } from 'zod';
import { ErrorCode, PaddockError } from '../../errors/index.ts';

/** Permission modes `--permission-mode` accepts in 2.1.332 (`default` is a hidden alias of `manual`). */
export const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'default', 'dontAsk', 'manual', 'plan'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** Stromboli fields Paddock knowingly leaves out, with the reason shown to the caller. */
export const UNSUPPORTED_STROMBOLI_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  no_persistence: 'sessions are always persisted, so that a run can be resumed',
  tools: 'use allowed_tools / disallowed_tools instead',
  input_format: 'Paddock chooses it: stream-json input for a persistent run (keepAlive), the prompt as an argument otherwise',
  replay_user_messages: 'Paddock records the messages it sends a persistent run itself',

  strict_mcp_config: 'not yet; only mcp_configs is passed',
  agent: 'not yet; define subagents with `agents`',
  plugin_dirs: 'plugins would have to be inside the sealed container',
  files: 'file downloads need network access the container does not have',
  setting_sources: 'not yet',
  debug: 'debug output would mix with the stream-json output Paddock parses',
  disable_slash_commands: 'not yet',
  allow_dangerously_skip_permissions: 'use dangerously_skip_permissions or permission_mode',
  timeout: 'set the timeout on the run itself, not in the claude options',
  effort: 'not yet',
});

/** UUID as Claude Code accepts it: 8-4-4-4-12 hex digits, any version. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A value that follows a variadic flag (`--allowedTools a b`): one starting with '-' would end the list and be read
 * as a flag, so such values are refused.
 */
const listItem = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((s) => !s.startsWith('-'), `${what} must not start with "-" (it would be read as a command-line flag)`);

const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty`);

/** A JSON object given as a JSON string or as an object; kept as the string the CLI gets. */
const jsonObjectText = (what: string) =>
  z.union([z.string(), z.record(z.string(), z.unknown())]).transform((v, ctx) => {
    if (typeof v !== 'string') return JSON.stringify(v);
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return v;
    } catch {
      // fall through
    }
    ctx.addIssue({ code: 'custom', message: `${what} must be a JSON object (as an object or a JSON string)` });
    return z.NEVER;
  });

const agentDefinition = z
  .object({
    description: nonEmpty('agent description').describe('When Claude should use this agent.'),
    prompt: nonEmpty('agent prompt').describe("The agent's system prompt."),
    tools: z.array(nonEmpty('tool name')).optional().describe('Tools the agent may use; all when omitted.'),
    model: nonEmpty('agent model').optional().describe('sonnet, opus, haiku, inherit or a full model name.'),
  })
  .loose();

export const claudeOptionsSchema = z
  .strictObject({
    session_id: z
      .string()
      .regex(UUID_RE, 'must be a UUID such as 550e8400-e29b-41d4-a716-446655440000')
      .optional()
      .describe('Session UUID. Paddock normally chooses it; with `resume` it names the session to continue.'),
    resume: z.boolean().optional().describe('Resume the session `session_id` (`--resume <uuid>`) instead of starting one (`--session-id <uuid>`).'),
    continue: z.boolean().optional().describe('Continue the most recent conversation in the workspace (`--continue`).'),
    fork_session: z.boolean().optional().describe('When resuming or continuing, fork into a new session id (`--fork-session`).'),
    model: nonEmpty('model').optional().describe('Model alias (sonnet, opus, haiku) or full name (`--model`).'),
    fallback_model: nonEmpty('fallback_model').optional().describe('Model(s) to fall back to when the main model is overloaded, comma-separated (`--fallback-model`).'),
    system_prompt: nonEmpty('system_prompt').optional().describe('Replace the default system prompt (`--system-prompt`).'),
    append_system_prompt: nonEmpty('append_system_prompt').optional().describe('Append to the default system prompt (`--append-system-prompt`).'),
    allowed_tools: z.array(listItem('a tool name')).optional().describe('Tools allowed without asking, with patterns such as "Bash(git *)" (`--allowedTools`).'),
    disallowed_tools: z.array(listItem('a tool name')).optional().describe('Tools denied (`--disallowedTools`).'),
    permission_mode: z
      .enum(PERMISSION_MODES, { error: `must be one of ${PERMISSION_MODES.join(', ')}` })
      .optional()
      .describe('Permission mode (`--permission-mode`). When set, dangerously_skip_permissions defaults to false, since it would override the mode.'),
    dangerously_skip_permissions: z
      .boolean()
      .optional()
      .describe('Bypass all permission checks (`--dangerously-skip-permissions`). Default true (the container is sealed), false when permission_mode is set.'),
    output_format: z
      .literal('stream-json', { error: 'must be "stream-json": Paddock reads the agent\'s stream-json output (text and json are not supported)' })
      .optional()
      .describe('Always stream-json (Paddock parses it); accepted for Stromboli compatibility.'),
    json_schema: jsonObjectText('json_schema').optional().describe('JSON Schema the final answer must satisfy; the result then carries structured_output (`--json-schema`).'),
    max_budget_usd: z
      .number({ error: 'must be a number of US dollars' })
      .positive('must be more than 0')
      .finite()
      .optional()
      .describe('Stop once the run has spent this many US dollars (`--max-budget-usd`).'),
    max_turns: z
      .int({ error: 'must be a whole number' })
      .positive('must be a positive integer (omit it for no limit)')
      .optional()
      .describe('Stop after this many agentic turns (`--max-turns`). Omit for no limit.'),
    mcp_configs: z.array(listItem('an MCP config')).optional().describe('MCP server configs: JSON strings, or paths inside the container (`--mcp-config`).'),
    agents: z.record(z.string().min(1), agentDefinition).optional().describe('Custom subagents by name: {"reviewer": {"description": …, "prompt": …}} (`--agents`).'),
    add_dirs: z.array(listItem('a directory')).optional().describe('More directories (inside the container) the tools may access (`--add-dir`).'),
    settings: jsonObjectText('settings').optional().describe('Extra settings as a JSON object (or JSON string) (`--settings`).'),
    betas: z
      .array(listItem('a beta name').regex(/^[A-Za-z0-9._-]+$/, 'a beta name is letters, digits, ".", "_" and "-"'))
      .optional()
      .describe('Beta headers to send with API requests (`--betas`).'),
    verbose: z.boolean().optional().describe('Always on (stream-json needs `--verbose`); accepted for Stromboli compatibility.'),
    include_partial_messages: z.boolean().optional().describe('Also emit partial message chunks as `stream_event` lines (`--include-partial-messages`).'),
  })
  .superRefine((o, ctx) => {
    if (o.resume === true && o.session_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['resume'], message: 'needs session_id: the session to resume' });
    }
    if (o.resume === true && o.continue === true) {
      ctx.addIssue({ code: 'custom', path: ['continue'], message: 'cannot be combined with resume: pick one' });
    }
    if (o.fork_session === true && o.resume !== true && o.continue !== true) {
      ctx.addIssue({ code: 'custom', path: ['fork_session'], message: 'only applies with resume or continue' });
    }
  })
  .describe('Claude Code options (Stromboli-compatible `claude` object).');

export type ClaudeOptions = z.output<typeof claudeOptionsSchema>;
/** What callers send (before defaults and transforms). */
export type ClaudeOptionsInput = z.input<typeof claudeOptionsSchema>;

/** The names of every accepted field. */
export const CLAUDE_OPTION_FIELDS: readonly string[] = Object.freeze(Object.keys(claudeOptionsSchema.shape));

/** claude.allowed_tools[0], claude.agents.reviewer.prompt */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), 'claude');
}

/** Zod's own messages ("Invalid input: expected string, received undefined") said the way the rest of Paddock does. */
function friendly(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    if (issue.message.endsWith('received undefined')) return 'is required';
    const expected = issue.expected === 'record' ? 'object' : issue.expected;
    return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
  }
  return issue.message;
}

/** Validates a `claude` options object; throws PaddockError INVALID_INPUT naming every bad or unknown field. */
export function parseClaudeOptions(input: unknown): ClaudeOptions {
  const value = input === undefined || input === null ? {} : input;
  const r = claudeOptionsSchema.safeParse(value);
  if (r.success) return r.data;
  const problems: string[] = [];
  const unknownFields: string[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        const why = UNSUPPORTED_STROMBOLI_FIELDS[k];
        if (why !== undefined) problems.push(`${formatPath([...issue.path, k])} is not supported (${why})`);
        else unknownFields.push(formatPath([...issue.path, k]));
      }
    } else if (issue.path.length === 0 && issue.code === 'invalid_type') {
      problems.push(`claude options must be a JSON object`);
    } else {
      problems.push(`${formatPath(issue.path)}: ${friendly(issue)}`);
    }
  }
  if (unknownFields.length > 0) problems.unshift(`unknown field${unknownFields.length > 1 ? 's' : ''} ${unknownFields.join(', ')}`);
  throw new PaddockError(ErrorCode.InvalidInput, `invalid claude options: ${problems.join('; ')}`, {
    hint: `accepted fields: ${CLAUDE_OPTION_FIELDS.join(', ')}`,
    details: { problems },
  });
}
