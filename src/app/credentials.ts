/**
 * The real model credential, held by the daemon and read by the gateway at each model call: ANTHROPIC_API_KEY,
 * CLAUDE_CODE_OAUTH_TOKEN, or an OAuth login imported from Claude Code's ~/.claude/.credentials.json with
 * `paddock auth import` (kept 0600 at $PADDOCK_HOME/credentials.json). An imported login is refreshed in ONE place,
 * here: one refresh at a time per process (a shared promise) and across processes (an exclusive lock file), re-read
 * after the lock is held, so parallel runs, or two daemons on one home, never race on a refresh (OAuth refresh
 * tokens are single-use). The token endpoint is PADDOCK_OAUTH_TOKEN_URL, so tests point it at a server of their own.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import type { UpstreamCredential } from '../gateway/index.ts';

/** Refreshed when it expires within this long. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** A lock older than this was left by a process that died mid-refresh. */
const STALE_LOCK_MS = 60_000;

const storedSchema = z.object({
  kind: z.literal('oauth'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** Epoch ms; absent: does not expire (or unknown). */
  expiresAt: z.number().optional(),
  scopes: z.array(z.string()).optional(),
  importedAt: z.number(),
  refreshedAt: z.number().optional(),
});
export type StoredCredential = z.infer<typeof storedSchema>;

/** What Claude Code writes: {"claudeAiOauth": {accessToken, refreshToken, expiresAt, scopes, …}}. */
const claudeFileSchema = z.object({
  claudeAiOauth: z.object({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    expiresAt: z.number().optional(),
    scopes: z.array(z.string()).optional(),
  }),
});

export const credentialsFileOf = (cfg: Pick<Config, 'home'>) => join(cfg.home, 'credentials.json');
export const defaultClaudeCredentialsFile = () => join(homedir(), '.claude', '.credentials.json');

export interface CredentialStatus {
  /** Where the gateway's credential comes from. */
  source: 'api-key' | 'oauth-token' | 'imported' | 'none';
  /** For an imported login: when its access token expires (epoch ms), and whether it can be refreshed. */
  expiresAt?: number;
  refreshable?: boolean;
  file?: string;
}

/** Imports Claude Code's OAuth login file into PADDOCK_HOME (0600). Returns what was stored (no secrets in it). */
export function importCredentials(cfg: Pick<Config, 'home'>, file = defaultClaudeCredentialsFile()): CredentialStatus {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidInput(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'log in with Claude Code first (claude /login), or pass --file PATH');
  }
  let parsed: z.infer<typeof claudeFileSchema>;
  try {
    parsed = claudeFileSchema.parse(JSON.parse(raw));
  } catch {
    throw invalidInput(`${file} is not a Claude Code credentials file (expected {"claudeAiOauth": {"accessToken": …}})`, 'pass the file Claude Code wrote: ~/.claude/.credentials.json');
  }
  const o = parsed.claudeAiOauth;
  const stored: StoredCredential = {
    kind: 'oauth',
    accessToken: o.accessToken,
    ...(o.refreshToken ? { refreshToken: o.refreshToken } : {}),
    ...(o.expiresAt !== undefined ? { expiresAt: o.expiresAt } : {}),
    ...(o.scopes ? { scopes: o.scopes } : {}),
    importedAt: Date.now(),
  };
  writeStored(credentialsFileOf(cfg), stored);
  return statusOf(stored, credentialsFileOf(cfg));
}

export function credentialStatus(cfg: Pick<Config, 'home' | 'anthropicApiKey' | 'claudeOauthToken'>): CredentialStatus {
  if (cfg.anthropicApiKey) return { source: 'api-key' };
  if (cfg.claudeOauthToken) return { source: 'oauth-token' };
  const file = credentialsFileOf(cfg);
  const stored = readStored(file);
  return stored ? statusOf(stored, file) : { source: 'none' };
}

/** Forgets an imported login. */
export function removeImportedCredentials(cfg: Pick<Config, 'home'>): boolean {
  const file = credentialsFileOf(cfg);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

const statusOf = (s: StoredCredential, file: string): CredentialStatus => ({
  source: 'imported',
  ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}),
  refreshable: s.refreshToken !== undefined,
  file,
});

/**
 * The gateway's credential, read at each model call: the environment's key or token as they are, or the imported
 * login, refreshed first when it is about to expire. Throws when there is none.
 */
export function modelCredential(cfg: Config, fetchImpl: typeof fetch = fetch): () => Promise<UpstreamCredential> {
  if (cfg.anthropicApiKey) {
    const c = { apiKey: cfg.anthropicApiKey };
    return async () => c;
  }
  if (cfg.claudeOauthToken) {
    const c = { oauthToken: cfg.claudeOauthToken };
    return async () => c;
  }
  const file = credentialsFileOf(cfg);
  let refreshing: Promise<StoredCredential> | undefined;
  return async () => {
    let stored = readStored(file);
    if (!stored) return {}; // nothing imported: the upstream answers 401 (a loopback test model may need none)
    if (needsRefresh(stored)) {
      refreshing ??= refreshOnce(cfg, file, fetchImpl).finally(() => {
        refreshing = undefined;
      });
      stored = await refreshing;
    }
    return { oauthToken: stored.accessToken };
  };
}

const needsRefresh = (s: StoredCredential, now = Date.now()) => s.refreshToken !== undefined && s.expiresAt !== undefined && s.expiresAt - now < REFRESH_BEFORE_MS;

/** Refreshes under the lock file; whoever holds it first refreshes, the others read what it wrote. */
async function refreshOnce(cfg: Config, file: string, fetchImpl: typeof fetch): Promise<StoredCredential> {
  const lock = `${file}.lock`;
  const release = await acquireLock(lock);
  try {
    const current = readStored(file);
    if (!current) throw new PaddockError(ErrorCode.Internal, 'the imported credentials vanished', { hint: 'run `paddock auth import` again' });
    if (!needsRefresh(current)) return current; // another process refreshed it while we waited
    const res = await fetchImpl(cfg.oauthTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: current.refreshToken, client_id: cfg.oauthClientId }),
      signal: AbortSignal.timeout(cfg.upstreamConnectTimeout + 20_000),
    });
    if (!res.ok) {
      throw new PaddockError(ErrorCode.Internal, `refreshing the imported OAuth login failed: ${res.status} from the token endpoint`, {
        hint: 'log in with Claude Code again, then `paddock auth import`',
      });
    }
    const body = (await res.json()) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new PaddockError(ErrorCode.Internal, 'the token endpoint answered without an access_token');
    const next: StoredCredential = {
      ...current,
      accessToken: body.access_token,
      ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refreshToken: body.refresh_token } : {}),
      ...(typeof body.expires_in === 'number' ? { expiresAt: Date.now() + body.expires_in * 1000 } : {}),
      refreshedAt: Date.now(),
    };
    writeStored(file, next);
    return next;
  } finally {
    release();
  }
}

async function acquireLock(lock: string): Promise<() => void> {
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // gone meanwhile: try again
      }
      if (i > 600) throw new PaddockError(ErrorCode.Internal, `the credentials lock ${lock} is held too long`, { hint: 'remove it if no Paddock is refreshing' });
      await sleep(50);
    }
  }
}

function readStored(file: string): StoredCredential | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const r = storedSchema.safeParse(JSON.parse(raw));
  return r.success ? r.data : undefined;
}

/** Written whole and renamed into place, 0600: a reader sees the old file or the new one, never half. */
function writeStored(file: string, s: StoredCredential): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
