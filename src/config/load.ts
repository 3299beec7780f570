import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { type Config, configFields, configSchema, ENV_KEYS } from './schema.ts';

/** Reads config from env (and the optional file). Throws INVALID_CONFIG naming the bad key and where it came from. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const home = resolve(env.PADDOCK_HOME || join(homedir(), '.paddock'));
  const filePath = env.PADDOCK_CONFIG || join(home, 'config.json');
  const fromFile = readConfigFile(filePath, Boolean(env.PADDOCK_CONFIG));
  const fromEnv: Record<string, string> = {};
  const sourceOf: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '' && fromEnv[key] === undefined) {
      fromEnv[key] = value;
      sourceOf[key] = name;
    }
  }
  const isRoot = process.getuid?.() === 0;
  const defaults = { home, cacheDir: isRoot ? '/var/cache/paddock' : join(homedir(), '.cache', 'paddock') };
  const parsed = configSchema.safeParse({ ...defaults, ...fromFile, ...fromEnv, home });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const where = sourceOf[key] ?? (key in fromFile ? `"${key}" in ${filePath}` : key);
    throw new PaddockError(ErrorCode.InvalidConfig, `bad configuration ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: `fix ${where} (see docs/configuration.md)`,
    });
  }
  return parsed.data;
}

function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) throw new PaddockError(ErrorCode.InvalidConfig, `PADDOCK_CONFIG points to ${path}, which does not exist`, { hint: 'unset PADDOCK_CONFIG or create the file' });
    return {};
  }
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('the file must hold one JSON object');
    const known = new Set(Object.keys(configFields.shape));
    const unknown = Object.keys(data).filter((k) => !known.has(k));
    if (unknown.length) throw new Error(`unknown key(s) ${unknown.join(', ')}; known keys: ${[...known].join(', ')}`);
    return data as Record<string, unknown>;
  } catch (e) {
    throw new PaddockError(ErrorCode.InvalidConfig, `bad config file ${path}: ${(e as Error).message}`, { hint: 'fix the file (it is JSON)' });
  }
}
