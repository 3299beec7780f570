/**
 * Claude Code options → the container's argv. Never goes through a shell: every value is its own argv element.
 *
 * Shape: claude -p --output-format stream-json --verbose <session> <options…> -- <prompt>
 * Persistent: claude -p --input-format stream-json --output-format stream-json --verbose <session> <options…>
 * (no prompt: every turn, the first one too, comes on stdin as one stream-json user message per line; the CLI stays
 * alive between turns and exits at end of input).
 *

 * The prompt comes last, after `--`. Claude Code's `-p` is a boolean flag and the prompt a positional argument, so
 * `-p "<prompt>"` breaks on a prompt that starts with "-" (2.1.332: `error: unknown option '--x …'`), and a prompt
 * after a variadic flag (`--allowedTools a b <prompt>`) would be taken as one more tool name. After `--` it is always
 * the prompt.
 */
import type { ClaudeOptions } from './options.ts';

export interface ArgvContext {
  /** The session: created with --session-id, or continued with --resume when `resume` is true. */
  sessionId: string;
  resume: boolean;
  /** A persistent run: turns come on stdin (--input-format stream-json), and there is no prompt argument. */
  persistent?: boolean;
  /** A coordinator run: Paddock's MCP endpoint inside the container, given to the CLI as MCP server "paddock". */
  paddockMcpUrl?: string;
}

/** The CLI binary inside the agent image (on PATH). */
export const CLAUDE_BINARY = 'claude';

export function buildClaudeArgv(prompt: string, options: ClaudeOptions, ctx: ArgvContext): string[] {
  const argv: string[] = [CLAUDE_BINARY, '-p', ...(ctx.persistent ? ['--input-format', 'stream-json'] : []), '--output-format', 'stream-json', '--verbose'];

  // Session. 2.1.332 refuses --session-id next to --resume/--continue unless --fork-session is given.
  if (ctx.resume) {
    argv.push('--resume', ctx.sessionId);
    if (options.fork_session === true) argv.push('--fork-session');
  } else if (options.continue === true) {
    argv.push('--continue');
    if (options.fork_session === true) argv.push('--fork-session', '--session-id', ctx.sessionId);
  } else {
    argv.push('--session-id', ctx.sessionId);
  }

  if (options.model !== undefined) argv.push('--model', options.model);
  if (options.fallback_model !== undefined) argv.push('--fallback-model', options.fallback_model);
  if (options.system_prompt !== undefined) argv.push('--system-prompt', options.system_prompt);
  if (options.append_system_prompt !== undefined) argv.push('--append-system-prompt', options.append_system_prompt);
  if (options.allowed_tools !== undefined && options.allowed_tools.length > 0) argv.push('--allowedTools', ...options.allowed_tools);
  if (options.disallowed_tools !== undefined && options.disallowed_tools.length > 0) argv.push('--disallowedTools', ...options.disallowed_tools);

  // Permissions. The container is sealed, so bypass is the default; an explicit mode turns the default off,
  // because --dangerously-skip-permissions would override it (checked with 2.1.332: the init line then says
  // permissionMode "bypassPermissions" whatever --permission-mode says).
  if (options.permission_mode !== undefined) argv.push('--permission-mode', options.permission_mode);
  if (options.dangerously_skip_permissions ?? options.permission_mode === undefined) argv.push('--dangerously-skip-permissions');

  if (options.json_schema !== undefined) argv.push('--json-schema', options.json_schema);
  if (options.max_budget_usd !== undefined) argv.push('--max-budget-usd', String(options.max_budget_usd));
  if (options.max_turns !== undefined) argv.push('--max-turns', String(options.max_turns));
  // One --mcp-config (variadic in 2.1.332: `--mcp-config <configs...>`, JSON strings or files), Paddock's server last.
  const mcpConfigs = [...(options.mcp_configs ?? []), ...(ctx.paddockMcpUrl ? [JSON.stringify({ mcpServers: { paddock: { type: 'http', url: ctx.paddockMcpUrl } } })] : [])];
  if (mcpConfigs.length > 0) argv.push('--mcp-config', ...mcpConfigs);
  if (options.agents !== undefined) argv.push('--agents', JSON.stringify(options.agents));
  if (options.add_dirs !== undefined && options.add_dirs.length > 0) argv.push('--add-dir', ...options.add_dirs);
  if (options.settings !== undefined) argv.push('--settings', options.settings);
  if (options.betas !== undefined && options.betas.length > 0) argv.push('--betas', ...options.betas);
  if (options.include_partial_messages === true) argv.push('--include-partial-messages');
  // output_format and verbose: always stream-json and --verbose, above.

  if (!ctx.persistent) argv.push('--', prompt);
  return argv;
}

/**
 * One turn for a persistent CLI's stdin: a stream-json user message (checked with 2.1.332: one JSON object per line,
 * content a string or text blocks; each turn ends in one `result` line, and Paddock sends the next message only
 * after it). JSON.stringify escapes newlines, so the message is one line whatever the text holds.

 */
export function encodeClaudeMessage(text: string): string {
  return JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } });
}
