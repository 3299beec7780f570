/** What a secret and an environment variable given one may be called (Stromboli's rules, and Paddock's own variables kept out). */
import { refused } from '../policy/refusal.ts';
import { invalidInput } from '../errors/index.ts';

/** Letters, digits, _ . - (starting with a letter, digit or _), at most 253: Stromboli's and Podman's secret names. */
export const SECRET_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Stromboli's limit on secrets_env entries. */
export const MAX_SECRETS_ENV = 50;
/** The longest value a secret may hold (Stromboli: 1 MB). */
export const MAX_SECRET_BYTES = 1024 * 1024;
/** The longest value that can be put into one environment variable (Linux: 128 KiB per argument or variable, less the name). */
export const MAX_ENV_VALUE_BYTES = 128 * 1024 - 512;

/**
 * Variables a secret may not set: the loader's (LD_*), the shell's start-up hooks, the agent's model endpoint and
 * credentials (ANTHROPIC_*, CLAUDE_*), Paddock's own (PADDOCK_*), and the egress proxy's (*_PROXY), any case.
 */
const BLOCKED_ENV = new Set([
  'HOME',
  'PATH',
  'SHELL',
  'USER',
  'LOGNAME',
  'PWD',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'IFS',
  'PS4',
  'PROMPT_COMMAND',
  'NODE_OPTIONS',
  'NODE_PATH',
  'TMPDIR',
  'TERM',
]);
const BLOCKED_ENV_PREFIX = /^(LD_|PADDOCK_|ANTHROPIC_|CLAUDE_|OTEL_|GIT_CONFIG|BASH_FUNC_)/i;
const BLOCKED_ENV_SUFFIX = /_PROXY$/i;

export function checkSecretName(name: string, field = 'name'): void {
  if (!SECRET_NAME.test(name))
    throw invalidInput(`${field} "${name.slice(0, 64)}" is not a secret name`, 'use letters, digits, _ . and - (starting with a letter, digit or _), at most 253 characters');
}

/** Why this variable may not be given a secret, or undefined. */
export function blockedEnv(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return 'not a variable name (letters, digits and _, not starting with a digit)';
  if (BLOCKED_ENV.has(name.toUpperCase())) return 'the shell and the agent need it as Paddock sets it';
  if (BLOCKED_ENV_PREFIX.test(name)) return "the loader's, the agent's model access and Paddock's own variables are never set from a secret";
  if (BLOCKED_ENV_SUFFIX.test(name) || name.toUpperCase() === 'NO_PROXY') return "the egress proxy's variables are Paddock's";
  return undefined;
}

/** Checks a run's secretsEnv (variable → secret name): names only; whether each secret exists is checked at spawn. */
export function checkSecretsEnv(env: Record<string, string>, field = 'secretsEnv'): void {
  const entries = Object.entries(env);
  if (entries.length > MAX_SECRETS_ENV) throw refused('secrets-env', `${field}: ${entries.length} variables; at most ${MAX_SECRETS_ENV}`, 'ask for fewer secrets');
  for (const [variable, secret] of entries) {
    const why = blockedEnv(variable);
    if (why) throw refused('secrets-env', `${field}.${variable.slice(0, 64)}: ${why}`, 'give the secret another variable name', { variable: variable.slice(0, 64) });
    checkSecretName(secret, `${field}.${variable}`);
  }
}
