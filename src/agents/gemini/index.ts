/** The Gemini CLI adapter: options → argv, env and settings for the sealed container, stream-json output → AgentEvent. */
import type { AgentAdapter, ModelAccess } from '../types.ts';
import { buildGeminiArgv } from './argv.ts';
import { type GeminiOptions, parseGeminiOptions } from './options.ts';
import { createGeminiParser, parseGeminiLine } from './parse.ts';

export { buildGeminiArgv, GEMINI_BINARY } from './argv.ts';
export {
  DEFAULT_GEMINI_MODEL,
  GEMINI_APPROVAL_MODES,
  GEMINI_OPTION_FIELDS,
  type GeminiApprovalMode,
  type GeminiOptions,
  type GeminiOptionsInput,
  geminiOptionsSchema,
  parseGeminiOptions,
} from './options.ts';
export { createGeminiParser, parseGeminiLine } from './parse.ts';

/** The @google/gemini-cli version this adapter was checked against (golden tests are recorded from it). */
export const GEMINI_CLI_VERSION = '0.61.0';

/**
 * Environment besides the model access. Checked with 0.61.0: without GEMINI_CLI_TRUST_WORKSPACE=true a headless run
 * in an untrusted folder exits 55; GEMINI_CLI_NO_RELAUNCH=true stops it re-spawning itself under a bigger heap (~1.2 s).
 */
export const GEMINI_HEADLESS_ENV: Readonly<Record<string, string>> = Object.freeze({
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  GEMINI_CLI_NO_RELAUNCH: 'true',
  NO_BROWSER: 'true',
});

/**
 * Where Paddock's settings go: the user's settings. A trusted workspace's own .gemini/settings.json overrides them
 * (checked with 0.61.0: a repository's `general.maxAttempts: 3` made it retry); system settings would win over it,
 * but 0.61 reads them only from a root-owned file in a root-owned directory, which the session HOME is not.
 */
export const GEMINI_SETTINGS_FILES: readonly string[] = Object.freeze(['.gemini/settings.json']);

export function buildGeminiEnv(model: ModelAccess): Record<string, string> {
  return {
    GOOGLE_GEMINI_BASE_URL: model.baseUrl,
    // The per-run capability token, sent as x-goog-api-key; never a real credential.
    GEMINI_API_KEY: model.token,
    ...GEMINI_HEADLESS_ENV,
  };
}

/**
 * ~/.gemini/settings.json, written by Paddock at every run start (what the agent left there is gone by then).
 * selectedType gemini-api-key: with a base URL set and no auth type, 0.61 infers "gateway" auth and exits 41.
 * Telemetry, usage statistics (Clearcut) and auto-update off: nothing but model calls leaves the CLI.
 * maxAttempts 1: a failing upstream ends the run at once (the gateway already bounds its own waits), never 10 retries.
 */
export function geminiSettings(options: GeminiOptions): Record<string, unknown> {
  return {
    security: { auth: { selectedType: 'gemini-api-key' } },
    telemetry: { enabled: false },
    privacy: { usageStatisticsEnabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 1 },
    ...(options.max_session_turns !== undefined ? { model: { maxSessionTurns: options.max_session_turns } } : {}),
  };
}

/** Exit codes of 0.61.0 (packages/core FatalError subclasses; an API error it gave up on exits with the HTTP status). */
const EXIT_REASONS: Readonly<Record<number, string>> = Object.freeze({
  1: 'general error',
  41: 'authentication failed (auth type or API key)',
  42: 'bad input (e.g. the session id exists already, or the session to resume is missing)',
  44: 'sandbox error',
  52: 'bad configuration (settings.json)',
  53: 'session turn limit reached (max_session_turns)',
  54: 'a tool failed fatally',
  55: 'workspace not trusted',
  130: 'cancelled',
});

export function geminiExitReason(code: number): string | undefined {
  const known = EXIT_REASONS[code];
  if (known !== undefined) return known;
  // process.exit(status) of an HTTP error: 500 → 244, 429 → 173, 503 → 247, 400 → 144, 401 → 145, 403 → 147, 404 → 148.
  for (const status of [400, 401, 403, 404, 408, 429, 500, 502, 503, 504]) if (status % 256 === code) return `the model API answered HTTP ${status}`;
  return undefined;
}

/** The conversation a `-r <uuid>` reads: ~/.gemini/tmp/<project>/chats/session-*.jsonl. */
export const GEMINI_SESSION_KEEP: readonly string[] = Object.freeze(['.gemini/tmp/*/chats']);

/**
 * The least memory a Gemini run gets: measured with 0.61.0 on the host, a compound shell command (`ls; env | grep x`)
 * takes the CLI to 777 MB resident (a plain `echo hi`: 253 MB); under the 512m default the kernel killed it.
 */
export const GEMINI_MIN_MEMORY = 1024 ** 3;

export const geminiAdapter: AgentAdapter<GeminiOptions> = {
  name: 'gemini',
  vendor: 'gemini',
  parseOptions: parseGeminiOptions,
  buildArgv: (prompt, options, ctx) => buildGeminiArgv(prompt, options, ctx),
  buildEnv: buildGeminiEnv,
  parseLine: parseGeminiLine,
  lineParser: createGeminiParser,
  homeFiles: (_model, options) => {
    const text = `${JSON.stringify(geminiSettings(options), null, 2)}\n`;
    return Object.fromEntries(GEMINI_SETTINGS_FILES.map((f) => [f, text]));
  },
  keepInHome: GEMINI_SESSION_KEEP,
  exitReason: geminiExitReason,
  minMemoryBytes: GEMINI_MIN_MEMORY,
};
