/** The Claude Code adapter: options → argv and env for the sealed container, stream-json output → AgentEvent. */
import type { AgentAdapter, ModelAccess } from '../types.ts';
import { buildClaudeArgv, encodeClaudeMessage } from './argv.ts';

import { type ClaudeOptions, parseClaudeOptions } from './options.ts';
import { parseClaudeLine } from './parse.ts';

export { buildClaudeArgv, CLAUDE_BINARY, encodeClaudeMessage, type ArgvContext } from './argv.ts';

export {
  CLAUDE_OPTION_FIELDS,
  claudeOptionsSchema,
  type ClaudeOptions,
  type ClaudeOptionsInput,
  PERMISSION_MODES,
  type PermissionMode,
  parseClaudeOptions,
  UNSUPPORTED_STROMBOLI_FIELDS,
} from './options.ts';
export { parseClaudeLine, toolResultText } from './parse.ts';
export { buildPrompt, type PromptContext, PROMPT_TYPES, type PromptType } from './prompts.ts';

/** The Claude Code version this adapter was checked against (golden tests are recorded from it). */
export const CLAUDE_CODE_VERSION = '2.1.332';

/**
 * Environment that keeps Claude Code offline and quiet, besides the model access. Checked with 2.1.332 in a private
 * network namespace with a logging DNS server: without CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC it looks up
 * api.anthropic.com (telemetry, feature flags) and sends `HEAD /api/hello` to the base URL; with it, the only
 * traffic is POST /v1/messages to the base URL. The others are belts to those braces.
 */
export const CLAUDE_OFFLINE_ENV: Readonly<Record<string, string>> = Object.freeze({
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
});

export function buildClaudeEnv(model: ModelAccess): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: model.baseUrl,
    // The per-run capability token, sent as x-api-key; never a real credential.
    ANTHROPIC_API_KEY: model.token,
    ...CLAUDE_OFFLINE_ENV,
  };
}

export const claudeAdapter: AgentAdapter<ClaudeOptions> = {
  name: 'claude',
  parseOptions: parseClaudeOptions,
  buildArgv: buildClaudeArgv,
  buildEnv: buildClaudeEnv,
  parseLine: parseClaudeLine,
  encodeMessage: encodeClaudeMessage,
};
