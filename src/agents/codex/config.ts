/**
 * The settings Paddock writes into the session HOME as $CODEX_HOME/config.toml, fresh at every start (whatever an
 * earlier run left there is gone: app/jail.ts keeps only ~/.codex/sessions). Checked with 0.169.0 (`--strict-config`
 * accepts every key):
 * - a custom provider pointing at the gateway (`base_url`; OPENAI_BASE_URL is ignored), its token from `env_key`,
 *   `wire_api = "responses"` (the only one left: "chat" was removed);
 * - `features.plugins = false`, `analytics.enabled = false`, `check_for_update_on_startup = false`: else it looks up
 *   outside hosts; `web_search = "disabled"`: no hosted search tool offered to the model;
 * - finite retries (`request_max_retries`, `stream_max_retries`, `features.unbounded_connection_retries = false`): else
 *   a dead upstream makes it wait forever; with one retry each, a dead gateway upstream ends it in about 2 s;
 * - `features.enable_request_compression = false`: request bodies stay JSON the gateway can check.
 */
/** Where the token is in the container's environment (the provider's env_key). */
export const CODEX_TOKEN_ENV = 'PADDOCK_MODEL_TOKEN';
/** $CODEX_HOME inside the container: in the session HOME, so the conversation (sessions/) survives for resume. */
export const CODEX_HOME = '/home/agent/.codex';

/** A TOML basic string (JSON's escapes are TOML's for what a URL holds). */
const tomlString = (s: string) => JSON.stringify(s);

/** The model relay inside the container (the entry script bridges 127.0.0.1:4000 to the gateway's socket). */
export const IN_CONTAINER_MODEL_URL = 'http://127.0.0.1:4000';

export function codexConfigToml(baseUrl: string = IN_CONTAINER_MODEL_URL): string {
  return [
    '# Written by Paddock at every start; changes here do not last.',
    'model_provider = "paddock"',
    'check_for_update_on_startup = false',
    'web_search = "disabled"',
    '',
    '[model_providers.paddock]',
    'name = "Paddock gateway"',
    `base_url = ${tomlString(`${baseUrl.replace(/\/$/, '')}/v1`)}`,
    `env_key = ${tomlString(CODEX_TOKEN_ENV)}`,
    'wire_api = "responses"',
    'request_max_retries = 1',
    'stream_max_retries = 1',
    '',
    '[features]',
    'plugins = false',
    'unbounded_connection_retries = false',
    'enable_request_compression = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
  ].join('\n');
}
