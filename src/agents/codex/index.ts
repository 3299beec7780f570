/**
 * The Codex CLI adapter (@openai/codex, pinned): options → argv, env and the config.toml it reads, `exec --json`
 * output → AgentEvent. It speaks OpenAI's Responses API, so its runs' gateway fronts the openai vendor.
 */
import type { AgentAdapter, ModelAccess } from '../types.ts';
import { buildCodexArgv } from './argv.ts';
import { CODEX_HOME, CODEX_TOKEN_ENV, codexConfigToml } from './config.ts';
import { type CodexOptions, parseCodexOptions } from './options.ts';
import { codexLineParser, parseCodexLine } from './parse.ts';

export { buildCodexArgv, CODEX_BINARY } from './argv.ts';
export { CODEX_HOME, CODEX_TOKEN_ENV, codexConfigToml } from './config.ts';
export { CODEX_OPTION_FIELDS, codexOptionsSchema, type CodexOptions, type CodexOptionsInput, parseCodexOptions, REASONING_EFFORTS } from './options.ts';
export { CODEX_PATCH_TOOL, CODEX_SHELL_TOOL, codexLineParser, codexUsage, parseCodexLine } from './parse.ts';

/** The @openai/codex version this adapter was checked against (golden tests are recorded from it). */
export const CODEX_VERSION = '0.169.0';

export function buildCodexEnv(model: ModelAccess): Record<string, string> {
  return {
    // The per-run capability token (the provider's env_key, sent as a Bearer); never a real credential.
    [CODEX_TOKEN_ENV]: model.token,
    CODEX_HOME,
  };
}

export const codexAdapter: AgentAdapter<CodexOptions> = {
  name: 'codex',
  vendor: 'openai',
  parseOptions: parseCodexOptions,
  buildArgv(prompt, options, ctx) {
    if (ctx.persistent) throw new Error('Codex runs cannot be persistent (codex exec takes one prompt)');
    if (ctx.paddockMcpUrl) throw new Error('Codex runs cannot be coordinators yet');
    return buildCodexArgv(prompt, options, ctx);
  },
  buildEnv: buildCodexEnv,
  parseLine: parseCodexLine,
  lineParser: codexLineParser,
  // The conversation (rollout files, all `exec resume` needs) survives; config.toml is Paddock's, fresh at each start.
  keepInHome: ['.codex/sessions'],
  homeFiles: (model) => ({ '.codex/config.toml': codexConfigToml(model.baseUrl) }),
  namesItsSession: true,
};
