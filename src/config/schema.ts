/**
 * The one configuration schema: environment variables (PADDOCK_*) over an optional JSON config file
 * ($PADDOCK_CONFIG, or <PADDOCK_HOME>/config.json), over defaults. Bad config fails at start, naming the key.
 */
import { totalmem } from 'node:os';
import { z } from 'zod';
import { invalidInput } from '../errors/index.ts';
import { parseBytes, parseCpus, parseDuration, parsePids } from './units.ts';

const size = (d: string) => z.union([z.string(), z.number()]).default(d).transform((v, ctx) => tryParse(() => parseBytes(v), ctx));
const duration = (d: string) => z.union([z.string(), z.number()]).default(d).transform((v, ctx) => tryParse(() => parseDuration(v), ctx));

function positiveInt(v: string | number, what: string): number {
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1) throw invalidInput(`invalid ${what} "${v}"`, 'use a whole number of at least 1');
  return n;
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
  anthropicBaseUrl: z.url().default('https://api.anthropic.com').describe('PADDOCK_ANTHROPIC_BASE_URL: the model endpoint agents talk to (through Paddock\'s relay; a loopback URL works)'),
  anthropicApiKey: z.string().optional().describe('PADDOCK_ANTHROPIC_API_KEY or ANTHROPIC_API_KEY: the real key, kept on the host; containers never see it'),
  claudeOauthToken: z.string().optional().describe('CLAUDE_CODE_OAUTH_TOKEN: the real OAuth token, kept on the host'),
  engineSocket: z.string().optional().describe('PADDOCK_ENGINE_SOCKET: the Docker Engine API socket to use (else DOCKER_HOST, CONTAINER_HOST, then the usual Podman and Docker paths)'),
  image: z.string().default('localhost/paddock-agent:latest').describe('PADDOCK_IMAGE: the default agent image'),
  baseImage: z.string().default('localhost/paddock-base:bookworm').describe('PADDOCK_BASE_IMAGE: the image the agent image is built FROM (bootstrapped locally with mmdebstrap when missing)'),
  claudeCodeVersion: z.string().default('2.1.332').describe('PADDOCK_CLAUDE_CODE_VERSION: the Claude Code CLI version put into the agent image'),
  cacheDir: z.string().min(1).describe('PADDOCK_CACHE_DIR: downloads (CLI binaries, base rootfs). Default /var/cache/paddock as root, else ~/.cache/paddock'),
  memory: size('512m').describe('PADDOCK_MEMORY: default memory limit per run'),
  cpus: z.union([z.string(), z.number()]).default(1).transform((v, ctx) => tryParse(() => parseCpus(v), ctx)).describe('PADDOCK_CPUS: default CPU limit per run'),
  pids: z.union([z.string(), z.number()]).default(512).transform((v, ctx) => tryParse(() => parsePids(v), ctx)).describe('PADDOCK_PIDS: default process limit per run'),
  timeout: duration('30m').describe('PADDOCK_TIMEOUT: default wall-clock limit per run'),
  stallAfter: duration('10m').describe('PADDOCK_STALL_AFTER: a running agent with no output for this long is marked stalled'),
  stopGrace: duration('3s').describe('PADDOCK_STOP_GRACE: time between SIGTERM and SIGKILL when a run is stopped'),
  maxRunning: z.union([z.string(), z.number()]).optional().transform((v, ctx) => (v === undefined ? undefined : tryParse(() => positiveInt(v, 'PADDOCK_MAX_RUNNING'), ctx)))
    .describe('PADDOCK_MAX_RUNNING: how many runs may hold a container at once; more wait in state queued (default: 3/4 of the host\'s memory over the default run memory)'),
  maxTimeout: duration('7d').describe('PADDOCK_MAX_TIMEOUT: the longest wall-clock limit a run may ask for'),
  upstreamFailAfter: duration('30s').describe('PADDOCK_UPSTREAM_FAIL_AFTER: a run whose model endpoint keeps failing (no connection) this long ends failed'),
});

export const configSchema = configFields.transform((c) => ({ ...c, maxRunning: c.maxRunning ?? Math.max(1, Math.floor((totalmem() * 0.75) / c.memory)) })).superRefine((c, ctx) => {
  if (c.timeout > c.maxTimeout) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `the default timeout is above PADDOCK_MAX_TIMEOUT (${c.maxTimeout / 1000}s)` });
});

export type Config = z.output<typeof configSchema>;

/** Environment variable → config key. Several variables may feed one key; the first set wins. */
export const ENV_KEYS: Record<string, keyof Config> = {
  PADDOCK_HOME: 'home',
  PADDOCK_ANTHROPIC_BASE_URL: 'anthropicBaseUrl',
  PADDOCK_ANTHROPIC_API_KEY: 'anthropicApiKey',
  ANTHROPIC_API_KEY: 'anthropicApiKey',
  CLAUDE_CODE_OAUTH_TOKEN: 'claudeOauthToken',
  PADDOCK_ENGINE_SOCKET: 'engineSocket',
  PADDOCK_IMAGE: 'image',
  PADDOCK_BASE_IMAGE: 'baseImage',
  PADDOCK_CLAUDE_CODE_VERSION: 'claudeCodeVersion',
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
};
