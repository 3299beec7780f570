/**
 * The one configuration schema: environment variables (PADDOCK_*) over an optional JSON config file
 * ($PADDOCK_CONFIG, or <PADDOCK_HOME>/config.json), over defaults. Bad config fails at start, naming the key.
 */
import { totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseAllowList } from '../egress/rules.ts';
import { parseUpstream } from '../egress/upstream-url.ts';
import { DEFAULT_EGRESS_ALLOW } from '../egress/defaults.ts';
import { z } from 'zod';
import { invalidInput } from '../errors/index.ts';
import { parseBytes, parseCpus, parseDuration, parsePids } from './units.ts';
import { parseAddressList, parseFlag, parseList, parsePositiveNumber } from './flags.ts';
import { parseImageAllow, parseMountAllow, parseRepoAllow } from '../policy/config.ts';

const size = (d: string) =>
  z
    .union([z.string(), z.number()])
    .default(d)
    .transform((v, ctx) => tryParse(() => parseBytes(v), ctx));
const duration = (d: string) =>
  z
    .union([z.string(), z.number()])
    .default(d)
    .transform((v, ctx) => tryParse(() => parseDuration(v), ctx));

function positiveInt(v: string | number, what: string): number {
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1) throw invalidInput(`invalid ${what} "${v}"`, 'use a whole number of at least 1');
  return n;
}

/** A switch: true/false (1/0, yes/no, on/off) or a JSON boolean. */
function onOff(v: string | boolean, what: string): boolean {
  if (typeof v === 'boolean') return v;
  const t = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw invalidInput(`invalid ${what} "${v}"`, 'use true or false');
}

/** host:port on loopback: what listens there unauthenticated must not be reachable from the network. */
function loopbackAddress(v: string, what: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(v.trim());
  const host = m?.[1] ?? '';
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw invalidInput(`invalid ${what} "${v}"`, 'use host:port, e.g. 127.0.0.1:9090');
  if (!(host === 'localhost' || host === '::1' || /^127\./.test(host)))
    throw invalidInput(
      `${what} "${v}" is not a loopback address: metrics there would be open to the network without authentication`,
      'use 127.0.0.1:<port>, or scrape GET /metrics on the API (behind its authentication)',
    );
  return { host, port };
}

/** Allowed workdir roots: absolute paths, normalised; a relative one is refused (it would depend on the daemon's cwd). */
function parseRoots(v: string | string[]): string[] {
  const roots = (Array.isArray(v) ? v : v.split(',')).map((r) => r.trim()).filter(Boolean);
  const relative = roots.find((r) => !isAbsolute(r));
  if (relative !== undefined) throw invalidInput(`workdir root "${relative}" is not an absolute path`, 'list absolute paths, comma-separated');
  return roots.map((r) => resolve(r));
}

/** PADDOCK_MODEL_PRICES: {"glob": {"input": USD/M, "output": USD/M}}, as JSON text (env) or an object (config file). */
function parsePrices(v: string | Record<string, unknown>): Record<string, { input: number; output: number }> {
  let obj: unknown = v;
  if (typeof v === 'string') {
    try {
      obj = v.trim() === '' ? {} : JSON.parse(v);
    } catch {
      throw invalidInput('PADDOCK_MODEL_PRICES is not JSON', 'e.g. {"claude-sonnet-*": {"input": 3, "output": 15}}');
    }
  }
  const price = z.object({ input: z.number().nonnegative().finite(), output: z.number().nonnegative().finite() }).strict();
  const r = z.record(z.string().regex(/^[A-Za-z0-9*._:@-]+$/), price).safeParse(obj);
  if (!r.success) throw invalidInput(`${r.error.issues[0]?.message ?? 'invalid'}`, 'a JSON object of model globs to {"input": dollars per million, "output": dollars per million}');
  return r.data;
}

function tryParse<T>(fn: () => T, ctx: z.RefinementCtx): T {
  try {
    return fn();
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
}

/** The settings, field by field (their descriptions are the docs). */
export const configFields = z.object({
  home: z.string().min(1).describe('PADDOCK_HOME: state directory (database, run checkouts, logs). Default ~/.paddock'),
  anthropicBaseUrl: z.url().default('https://api.anthropic.com').describe("PADDOCK_ANTHROPIC_BASE_URL: the model endpoint agents talk to (through Paddock's relay; a loopback URL works)"),
  anthropicApiKey: z.string().optional().describe('PADDOCK_ANTHROPIC_API_KEY or ANTHROPIC_API_KEY: the real key, kept on the host; containers never see it'),
  claudeOauthToken: z.string().optional().describe('CLAUDE_CODE_OAUTH_TOKEN: the real OAuth token, kept on the host'),
  openaiBaseUrl: z.url().default('https://api.openai.com').describe("PADDOCK_OPENAI_BASE_URL: the OpenAI endpoint Codex runs talk to (through Paddock's gateway; a loopback URL works)"),
  openaiApiKey: z.string().optional().describe('PADDOCK_OPENAI_API_KEY or OPENAI_API_KEY: the real OpenAI key, kept on the host; containers never see it'),
  geminiBaseUrl: z
    .url()
    .default('https://generativelanguage.googleapis.com')
    .describe("PADDOCK_GEMINI_BASE_URL: the Gemini endpoint Gemini CLI runs talk to (through Paddock's gateway; a loopback URL works)"),
  geminiApiKey: z.string().optional().describe('PADDOCK_GEMINI_API_KEY or GEMINI_API_KEY: the real Gemini key, kept on the host; containers never see it'),
  engineSocket: z.string().optional().describe('PADDOCK_ENGINE_SOCKET: the Docker Engine API socket to use (else DOCKER_HOST, CONTAINER_HOST, then the usual Podman and Docker paths)'),
  image: z.string().default('localhost/paddock-agent:latest').describe('PADDOCK_IMAGE: the default agent image'),
  baseImage: z.string().default('localhost/paddock-base:bookworm').describe('PADDOCK_BASE_IMAGE: the image the agent image is built FROM (bootstrapped locally with mmdebstrap when missing)'),
  claudeCodeVersion: z.string().default('2.1.332').describe('PADDOCK_CLAUDE_CODE_VERSION: the Claude Code CLI version put into the agent image'),
  geminiCliVersion: z.string().default('0.61.0').describe('PADDOCK_GEMINI_CLI_VERSION: the Gemini CLI (@google/gemini-cli) version put into the agent image'),
  codexVersion: z.string().default('0.169.0').describe('PADDOCK_CODEX_VERSION: the Codex CLI (@openai/codex) version put into the agent image'),
  cacheDir: z.string().min(1).describe('PADDOCK_CACHE_DIR: downloads (CLI binaries, base rootfs). Default /var/cache/paddock as root, else ~/.cache/paddock'),
  memory: size('512m').describe('PADDOCK_MEMORY: default memory limit per run'),
  cpus: z
    .union([z.string(), z.number()])
    .default(1)
    .transform((v, ctx) => tryParse(() => parseCpus(v), ctx))
    .describe('PADDOCK_CPUS: default CPU limit per run'),
  pids: z
    .union([z.string(), z.number()])
    .default(512)
    .transform((v, ctx) => tryParse(() => parsePids(v), ctx))
    .describe('PADDOCK_PIDS: default process limit per run'),
  timeout: duration('30m').describe('PADDOCK_TIMEOUT: default wall-clock limit per run'),
  stallAfter: duration('10m').describe('PADDOCK_STALL_AFTER: a running agent with no output for this long is marked stalled'),
  stopGrace: duration('3s').describe('PADDOCK_STOP_GRACE: time between SIGTERM and SIGKILL when a run is stopped'),
  maxRunning: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => positiveInt(v, 'PADDOCK_MAX_RUNNING'), ctx)))
    .describe("PADDOCK_MAX_RUNNING: how many runs may hold a container at once; more wait in state queued (default: 3/4 of the host's memory over the default run memory)"),
  maxTimeout: duration('7d').describe('PADDOCK_MAX_TIMEOUT: the longest wall-clock limit a run may ask for'),
  upstreamFailAfter: duration('30s').describe('PADDOCK_UPSTREAM_FAIL_AFTER: a run whose model endpoint keeps failing (no connection) this long ends failed'),
  // The model gateway (docs/gateway.md): what runs may ask the model for, and how long the upstream may take.
  upstreamConnectTimeout: duration('10s').describe('PADDOCK_UPSTREAM_CONNECT_TIMEOUT: the gateway gives up connecting to the model endpoint after this long (the call fails with 502)'),
  upstreamIdleTimeout: duration('5m').describe('PADDOCK_UPSTREAM_IDLE_TIMEOUT: a model call with no bytes from the endpoint for this long (before or during its answer) is cut'),
  gatewayModels: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v) => parseList(v))
    .describe("PADDOCK_GATEWAY_MODELS: model globs runs may use, comma-separated (e.g. claude-sonnet-*); a run's own list must fit inside it; empty: any model"),
  gatewayMaxTokens: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => positiveInt(v, 'PADDOCK_GATEWAY_MAX_TOKENS'), ctx)))
    .describe('PADDOCK_GATEWAY_MAX_TOKENS: the largest max_tokens a model call may ask for (a run may ask for less); unset: no cap'),
  oauthTokenUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://console.anthropic.com/v1/oauth/token')
    .describe('PADDOCK_OAUTH_TOKEN_URL: where an imported Claude Code login (paddock auth import) is refreshed'),
  oauthClientId: z.string().min(1).default('9d1c250a-e61b-44d9-88ed-5944d1962f5e').describe("PADDOCK_OAUTH_CLIENT_ID: the OAuth client id sent with a refresh (Claude Code's own)"),
  modelPrices: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .default({})
    .transform((v, ctx) => tryParse(() => parsePrices(v), ctx))
    .describe(
      'PADDOCK_MODEL_PRICES: model prices in US dollars per million tokens, a JSON object of model globs, e.g. {"claude-sonnet-*": {"input": 3, "output": 15}}; tried before the built-in table (cache writes 1.25x input, reads 0.1x)',
    ),
  gatewayMaxBody: size('32m').describe('PADDOCK_GATEWAY_MAX_BODY: the largest model request body the gateway takes (a larger one is refused with 413)'),
  idleTimeout: duration('30m').describe(
    'PADDOCK_IDLE_TIMEOUT: a persistent run (keepAlive) waiting this long for a message has its input closed and ends completed (a run may ask for another, or for none)',
  ),
  // Finalize and supervision against hostile output (docs/workspace.md).
  gitTimeout: duration('5m').describe('PADDOCK_GIT_TIMEOUT: every git command Paddock runs on the host is killed after this long'),
  maxFileSize: size('100m').describe("PADDOCK_MAX_FILE_SIZE: files in a run's tree larger than this are left out of its commit and reported (sparse files always are)"),
  maxLineSize: size('1m').describe("PADDOCK_MAX_LINE_SIZE: a line of a container's output longer than this (in characters) is cut there; the rest is dropped with a note"),
  maxRunOutput: size('32m').describe('PADDOCK_MAX_RUN_OUTPUT: output stored per run (characters of its lines); past it, lines are counted and dropped with one note'),
  maxRunLines: z
    .union([z.string(), z.number()])
    .default(200_000)
    .transform((v, ctx) => tryParse(() => positiveInt(v, 'PADDOCK_MAX_RUN_LINES'), ctx))
    .describe('PADDOCK_MAX_RUN_LINES: output lines stored per run; past it, lines are counted and dropped with one note'),
  containerLogSize: size('128m').describe("PADDOCK_CONTAINER_LOG_SIZE: the engine keeps at most this much of a container's log (LogConfig max-size)"),
  diskBudget: size('10g').describe(
    "PADDOCK_DISK_BUDGET: what a run's /workspace and HOME may take on disk together (blocks allocated, checked every few seconds); a run past it is stopped, failed with reason `disk budget exceeded`, its work before that brought back",
  ),

  workdirRoots: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v, ctx) => tryParse(() => parseRoots(v), ctx))
    .describe("PADDOCK_WORKDIR_ROOTS: comma-separated absolute paths; a plain directory (not in a git repository) under one of them may be mounted as a run's workspace as it is"),
  // Mount, image and repository policy, and secrets (docs/policy.md, docs/secrets.md).
  mountAllow: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v, ctx) => tryParse(() => parseMountAllow(v), ctx))
    .describe(
      'PADDOCK_MOUNT_ALLOW: host directories a run may have mounted (--mount, mounts, podman.volumes), comma-separated absolute paths, each read-only unless it ends in :rw; checked after resolving symlinks and ..; empty (the default): no extra mount at all',
    ),
  imageAllow: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => parseImageAllow(v).map((r) => r.pattern), ctx)))
    .describe('PADDOCK_IMAGE_ALLOW: images a run may use, comma-separated globs (* within a path segment, ** across); default: PADDOCK_IMAGE and localhost/paddock-*'),
  repoAllow: z
    .union([z.string(), z.array(z.string())])
    .default(['/'])
    .transform((v, ctx) => tryParse(() => parseRepoAllow(v).map((r) => r.pattern), ctx))
    .describe('PADDOCK_REPO_ALLOW: repositories (and mounted workspaces) a run may work on, comma-separated absolute directories (globs allowed), each with everything under it; default / (any)'),
  secretsTmpfs: z
    .string()
    .default('/dev/shm')
    .refine((v) => isAbsolute(v), 'must be an absolute path')
    .describe("PADDOCK_SECRETS_TMPFS: the tmpfs where a run's secrets file lives while it runs (never on disk)"),
  jobTtl: duration('7d').describe("PADDOCK_JOB_TTL: a finished run's container is removed this long after the run ended (its record, output and branch stay)"),
  logLevel: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe("PADDOCK_LOG_LEVEL: the daemon's log level (JSON lines on stdout); debug adds every engine and git call"),
  metricsEnabled: z
    .union([z.boolean(), z.string()])
    .default(true)
    .transform((v, ctx) => tryParse(() => onOff(v, 'PADDOCK_METRICS_ENABLED'), ctx))
    .describe('PADDOCK_METRICS_ENABLED: serve Prometheus metrics at GET /metrics'),
  metricsAddress: z
    .string()
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => loopbackAddress(v, 'PADDOCK_METRICS_ADDRESS'), ctx)))
    .describe("PADDOCK_METRICS_ADDRESS: also serve /metrics alone on this loopback host:port, without authentication (Stromboli's separate listener)"),
  tracingEndpoint: z
    .url({ protocol: /^https?$/, error: 'use an http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318' })
    .optional()
    .describe('PADDOCK_TRACING_ENDPOINT: send OTLP/HTTP traces to this collector URL (e.g. http://127.0.0.1:4318); unset, nothing of OpenTelemetry is loaded'),
  tracingServiceName: z.string().min(1).default('paddock').describe('PADDOCK_TRACING_SERVICE_NAME: service.name of the traces'),
  // The daemon's API over TCP: who may call it, how often, and where runs report their end (docs/auth.md).
  authEnabled: z
    .union([z.string(), z.boolean()])
    .default(false)
    .transform((v, ctx) => tryParse(() => parseFlag(v, 'PADDOCK_AUTH_ENABLED'), ctx))
    .describe('PADDOCK_AUTH_ENABLED or STROMBOLI_AUTH_ENABLED: TCP requests need a bearer token (the unix socket never does)'),
  apiTokens: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v) => parseList(v))
    .describe('PADDOCK_API_TOKENS or STROMBOLI_API_TOKENS: static bearer tokens, comma-separated'),
  jwtSecret: z
    .string()
    .min(32, 'the JWT secret must be at least 32 characters (e.g. openssl rand -base64 32)')
    .optional()
    .describe('PADDOCK_JWT_SECRET or STROMBOLI_JWT_SECRET: HS256 key for the tokens /auth/token issues (enables JWT auth)'),
  jwtExpiry: duration('24h').describe('PADDOCK_JWT_EXPIRY or STROMBOLI_JWT_EXPIRY: how long an access token lasts'),
  jwtRefreshExpiry: duration('168h').describe('PADDOCK_JWT_REFRESH_EXPIRY or STROMBOLI_JWT_REFRESH_EXPIRY: how long a refresh token lasts'),
  rateLimitEnabled: z
    .union([z.string(), z.boolean()])
    .default(false)
    .transform((v, ctx) => tryParse(() => parseFlag(v, 'PADDOCK_RATE_LIMIT_ENABLED'), ctx))
    .describe('PADDOCK_RATE_LIMIT_ENABLED or STROMBOLI_RATE_LIMIT_ENABLED: a token bucket per client on TCP'),
  rateLimitRps: z
    .union([z.string(), z.number()])
    .default(10)
    .transform((v, ctx) => tryParse(() => parsePositiveNumber(v, 'PADDOCK_RATE_LIMIT_RPS'), ctx))
    .describe('PADDOCK_RATE_LIMIT_RPS or STROMBOLI_RATE_LIMIT_RPS: requests per second a client earns'),
  rateLimitBurst: z
    .union([z.string(), z.number()])
    .default(20)
    .transform((v, ctx) => tryParse(() => positiveInt(v, 'PADDOCK_RATE_LIMIT_BURST'), ctx))
    .describe('PADDOCK_RATE_LIMIT_BURST or STROMBOLI_RATE_LIMIT_BURST: requests a client may make at once'),
  rateLimitTrustedProxies: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((v, ctx) => tryParse(() => parseAddressList(v, 'PADDOCK_RATE_LIMIT_TRUSTED_PROXIES'), ctx))
    .describe('PADDOCK_RATE_LIMIT_TRUSTED_PROXIES or STROMBOLI_RATE_LIMIT_TRUSTED_PROXIES: peers (IPs, CIDRs) whose X-Forwarded-For / X-Real-IP names the client'),
  webhookSecret: z.string().min(1).optional().describe('PADDOCK_WEBHOOK_SECRET or STROMBOLI_WEBHOOK_SIGNING_SECRET: HMAC-SHA256 key that signs webhook deliveries'),
  webhookAllowPrivate: z
    .union([z.string(), z.boolean()])
    .default(false)
    .transform((v, ctx) => tryParse(() => parseFlag(v, 'PADDOCK_WEBHOOK_ALLOW_PRIVATE'), ctx))
    .describe('PADDOCK_WEBHOOK_ALLOW_PRIVATE: allow webhook URLs on loopback and private networks'),
  webhookMaxAttempts: z
    .union([z.string(), z.number()])
    .default(12)
    .transform((v, ctx) => tryParse(() => positiveInt(v, 'PADDOCK_WEBHOOK_MAX_ATTEMPTS'), ctx))
    .describe('PADDOCK_WEBHOOK_MAX_ATTEMPTS: deliveries of one webhook before it is given up'),
  webhookTimeout: duration('5s').describe('PADDOCK_WEBHOOK_TIMEOUT: how long one delivery attempt may take'),
  // Egress (docs/egress.md): what a run's proxy lets through.
  egressAllow: z
    .union([z.string(), z.array(z.string())])
    .default([...DEFAULT_EGRESS_ALLOW])
    .transform((v, ctx) => tryParse(() => parseAllowList(parseList(v), 'PADDOCK_EGRESS_ALLOW').map((r) => r.text), ctx))
    .describe(
      "PADDOCK_EGRESS_ALLOW: the default allow list of every run's egress proxy, comma-separated HOST[:PORT] rules (* globs; no port: 80 and 443; :* any port); empty: runs default to network none",
    ),
  egressAllowPrivate: z
    .union([z.string(), z.boolean()])
    .default(false)
    .transform((v, ctx) => tryParse(() => parseFlag(v, 'PADDOCK_EGRESS_ALLOW_PRIVATE'), ctx))
    .describe('PADDOCK_EGRESS_ALLOW_PRIVATE: let the egress proxy reach loopback, private, link-local and other non-public addresses (refused after resolution otherwise)'),
  egressOpen: z
    .union([z.string(), z.boolean()])
    .default(false)
    .transform((v, ctx) => tryParse(() => parseFlag(v, 'PADDOCK_EGRESS_OPEN'), ctx))
    .describe('PADDOCK_EGRESS_OPEN: permit runs to ask for network open (a bridge network, no proxy, nothing logged); refused with a 403 otherwise'),
  egressUpstreamHttp: z
    .string()
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => parseUpstream(v, 'http', 'PADDOCK_EGRESS_UPSTREAM_HTTP'), ctx)))
    .describe('PADDOCK_EGRESS_UPSTREAM_HTTP: send allowed egress through this HTTP proxy (http://[user:pass@]host:port; CONNECT to the checked address)'),
  egressUpstreamSocks5: z
    .string()
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : tryParse(() => parseUpstream(v, 'socks5', 'PADDOCK_EGRESS_UPSTREAM_SOCKS5'), ctx)))
    .describe('PADDOCK_EGRESS_UPSTREAM_SOCKS5: send allowed egress through this SOCKS5 proxy (socks5://[user:pass@]host:port)'),
  egressLogMax: z
    .union([z.string(), z.number()])
    .default(1000)
    .transform((v, ctx) => tryParse(() => positiveInt(v, 'PADDOCK_EGRESS_LOG_MAX'), ctx))
    .describe('PADDOCK_EGRESS_LOG_MAX: connection attempts kept per run in its network log (the rest are only counted)'),
});

export const configSchema = configFields
  .transform((c) => ({
    ...c,
    maxRunning: c.maxRunning ?? Math.max(1, Math.floor((totalmem() * 0.75) / c.memory)),
    // Paddock's own images unless the operator lists others.
    imageAllow: c.imageAllow ?? [...new Set([c.image, 'localhost/paddock-*'])],
  }))
  .superRefine((c, ctx) => {
    if (c.timeout > c.maxTimeout) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `the default timeout is above PADDOCK_MAX_TIMEOUT (${c.maxTimeout / 1000}s)` });
    // Auth with nothing to authenticate against would lock every TCP client out while looking secure.
    if (c.egressUpstreamHttp && c.egressUpstreamSocks5) {
      ctx.addIssue({ code: 'custom', path: ['egressUpstreamHttp'], message: 'set one upstream for egress: PADDOCK_EGRESS_UPSTREAM_HTTP or PADDOCK_EGRESS_UPSTREAM_SOCKS5, not both' });
    }
    if (c.authEnabled && c.apiTokens.length === 0 && c.jwtSecret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['authEnabled'], message: 'authentication is on but no client could ever authenticate: set PADDOCK_API_TOKENS or PADDOCK_JWT_SECRET' });
    }
  });

export type Config = z.output<typeof configSchema>;

/** Environment variable → config key. Several variables may feed one key; the first set wins. */
export const ENV_KEYS: Record<string, keyof Config> = {
  PADDOCK_HOME: 'home',
  PADDOCK_ANTHROPIC_BASE_URL: 'anthropicBaseUrl',
  PADDOCK_ANTHROPIC_API_KEY: 'anthropicApiKey',
  ANTHROPIC_API_KEY: 'anthropicApiKey',
  CLAUDE_CODE_OAUTH_TOKEN: 'claudeOauthToken',
  PADDOCK_OPENAI_BASE_URL: 'openaiBaseUrl',
  PADDOCK_OPENAI_API_KEY: 'openaiApiKey',
  OPENAI_API_KEY: 'openaiApiKey',
  PADDOCK_GEMINI_BASE_URL: 'geminiBaseUrl',
  PADDOCK_GEMINI_API_KEY: 'geminiApiKey',
  GEMINI_API_KEY: 'geminiApiKey',
  PADDOCK_ENGINE_SOCKET: 'engineSocket',
  PADDOCK_IMAGE: 'image',
  PADDOCK_BASE_IMAGE: 'baseImage',
  PADDOCK_CLAUDE_CODE_VERSION: 'claudeCodeVersion',
  PADDOCK_GEMINI_CLI_VERSION: 'geminiCliVersion',
  PADDOCK_CODEX_VERSION: 'codexVersion',
  PADDOCK_CACHE_DIR: 'cacheDir',
  PADDOCK_MEMORY: 'memory',
  PADDOCK_CPUS: 'cpus',
  PADDOCK_PIDS: 'pids',
  PADDOCK_TIMEOUT: 'timeout',
  PADDOCK_STALL_AFTER: 'stallAfter',
  PADDOCK_STOP_GRACE: 'stopGrace',
  PADDOCK_MAX_TIMEOUT: 'maxTimeout',
  PADDOCK_MAX_RUNNING: 'maxRunning',
  PADDOCK_UPSTREAM_FAIL_AFTER: 'upstreamFailAfter',
  PADDOCK_UPSTREAM_CONNECT_TIMEOUT: 'upstreamConnectTimeout',
  PADDOCK_UPSTREAM_IDLE_TIMEOUT: 'upstreamIdleTimeout',
  PADDOCK_GATEWAY_MODELS: 'gatewayModels',
  PADDOCK_GATEWAY_MAX_TOKENS: 'gatewayMaxTokens',
  PADDOCK_GATEWAY_MAX_BODY: 'gatewayMaxBody',
  PADDOCK_MODEL_PRICES: 'modelPrices',
  PADDOCK_OAUTH_TOKEN_URL: 'oauthTokenUrl',
  PADDOCK_OAUTH_CLIENT_ID: 'oauthClientId',
  PADDOCK_IDLE_TIMEOUT: 'idleTimeout',
  PADDOCK_GIT_TIMEOUT: 'gitTimeout',
  PADDOCK_MAX_FILE_SIZE: 'maxFileSize',
  PADDOCK_MAX_LINE_SIZE: 'maxLineSize',
  PADDOCK_MAX_RUN_OUTPUT: 'maxRunOutput',
  PADDOCK_MAX_RUN_LINES: 'maxRunLines',
  PADDOCK_CONTAINER_LOG_SIZE: 'containerLogSize',
  PADDOCK_DISK_BUDGET: 'diskBudget',

  PADDOCK_WORKDIR_ROOTS: 'workdirRoots',
  PADDOCK_MOUNT_ALLOW: 'mountAllow',
  PADDOCK_IMAGE_ALLOW: 'imageAllow',
  PADDOCK_REPO_ALLOW: 'repoAllow',
  PADDOCK_SECRETS_TMPFS: 'secretsTmpfs',
  PADDOCK_JOB_TTL: 'jobTtl',
  PADDOCK_LOG_LEVEL: 'logLevel',
  PADDOCK_METRICS_ENABLED: 'metricsEnabled',
  STROMBOLI_METRICS_ENABLED: 'metricsEnabled',
  PADDOCK_METRICS_ADDRESS: 'metricsAddress',
  STROMBOLI_METRICS_ADDRESS: 'metricsAddress',
  PADDOCK_TRACING_ENDPOINT: 'tracingEndpoint',
  PADDOCK_TRACING_SERVICE_NAME: 'tracingServiceName',
  STROMBOLI_TRACING_SERVICE_NAME: 'tracingServiceName',
  // Paddock's names first: when both are set, the PADDOCK_ one wins. Stromboli's names work as they do there.
  PADDOCK_AUTH_ENABLED: 'authEnabled',
  STROMBOLI_AUTH_ENABLED: 'authEnabled',
  PADDOCK_API_TOKENS: 'apiTokens',
  STROMBOLI_API_TOKENS: 'apiTokens',
  PADDOCK_JWT_SECRET: 'jwtSecret',
  STROMBOLI_JWT_SECRET: 'jwtSecret',
  PADDOCK_JWT_EXPIRY: 'jwtExpiry',
  STROMBOLI_JWT_EXPIRY: 'jwtExpiry',
  PADDOCK_JWT_REFRESH_EXPIRY: 'jwtRefreshExpiry',
  STROMBOLI_JWT_REFRESH_EXPIRY: 'jwtRefreshExpiry',
  PADDOCK_RATE_LIMIT_ENABLED: 'rateLimitEnabled',
  STROMBOLI_RATE_LIMIT_ENABLED: 'rateLimitEnabled',
  PADDOCK_RATE_LIMIT_RPS: 'rateLimitRps',
  STROMBOLI_RATE_LIMIT_RPS: 'rateLimitRps',
  PADDOCK_RATE_LIMIT_BURST: 'rateLimitBurst',
  STROMBOLI_RATE_LIMIT_BURST: 'rateLimitBurst',
  PADDOCK_RATE_LIMIT_TRUSTED_PROXIES: 'rateLimitTrustedProxies',
  STROMBOLI_RATE_LIMIT_TRUSTED_PROXIES: 'rateLimitTrustedProxies',
  PADDOCK_WEBHOOK_SECRET: 'webhookSecret',
  STROMBOLI_WEBHOOK_SIGNING_SECRET: 'webhookSecret',
  PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'webhookAllowPrivate',
  PADDOCK_WEBHOOK_MAX_ATTEMPTS: 'webhookMaxAttempts',
  PADDOCK_WEBHOOK_TIMEOUT: 'webhookTimeout',
  PADDOCK_EGRESS_ALLOW: 'egressAllow',
  PADDOCK_EGRESS_ALLOW_PRIVATE: 'egressAllowPrivate',
  PADDOCK_EGRESS_OPEN: 'egressOpen',
  PADDOCK_EGRESS_UPSTREAM_HTTP: 'egressUpstreamHttp',
  PADDOCK_EGRESS_UPSTREAM_SOCKS5: 'egressUpstreamSocks5',
  PADDOCK_EGRESS_LOG_MAX: 'egressLogMax',
};
