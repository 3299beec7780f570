/**
 * Secrets (docs/secrets.md): the store's use cases (set, list, info, remove), the check at spawn, and a run's secrets
 * file on the tmpfs (made when its container is, removed when it ends, however it ends). No value is ever logged,
 * stored in the database or returned by these functions but value() for the file.
 */
import { invalidInput, notFound } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import {
  checkSecretName,
  checkSecretsEnv,
  MAX_ENV_VALUE_BYTES,
  type Redact,
  readRunSecrets,
  redactorFor,
  removeRunSecrets,
  type SecretInfo,
  SecretStore,
  sweepRunSecrets,
  writeRunSecrets,
} from '../secrets/index.ts';
import { refused } from '../policy/index.ts';
import { RunGrantsRepo } from '../store/run-grants-repo.ts';
import { loggerFor } from '../telemetry/index.ts';
import { join } from 'node:path';
import type { Paddock } from './context.ts';
import { enforced } from './policy.ts';

const log = loggerFor('policy');

export type { SecretInfo };

export const secretStore = (p: Paddock): SecretStore => new SecretStore(join(p.config.home, 'secrets'));
export const runGrants = (p: Paddock): RunGrantsRepo => new RunGrantsRepo(p.db);

export function listSecrets(p: Paddock): SecretInfo[] {
  return secretStore(p).list();
}

export function secretInfo(p: Paddock, name: string): SecretInfo {
  checkSecretName(name);
  const info = secretStore(p).info(name);
  if (!info) throw notFound(`secret not found: ${name}`, 'see `paddock secret ls`');
  return info;
}

/** Stores a secret; replace false: an existing one is a CONFLICT (Stromboli's POST /secrets). */
export function setSecret(p: Paddock, name: string, value: string, opts: { replace: boolean }): { info: SecretInfo; replaced: boolean } {
  const r = secretStore(p).set(name, value, opts);
  log.info({ event: 'secret.set', secret: name, replaced: r.replaced }, `secret ${name} ${r.replaced ? 'replaced' : 'created'}`);
  return r;
}

export function deleteSecret(p: Paddock, name: string): void {
  checkSecretName(name);
  if (!secretStore(p).delete(name)) throw notFound(`secret not found: ${name}`, 'see `paddock secret ls`');
  log.info({ event: 'secret.removed', secret: name }, `secret ${name} removed`);
}

/** At spawn: the variables are allowed, and every secret they name exists and fits in a variable. */
export function checkRunSecrets(p: Paddock, secretsEnv: Record<string, string>, field = 'secretsEnv'): void {
  if (Object.keys(secretsEnv).length === 0) return;
  enforced(`${field} ${Object.keys(secretsEnv).join(',')}`, () => checkSecretsEnv(secretsEnv, field));
  const store = secretStore(p);
  for (const [variable, name] of Object.entries(secretsEnv)) {
    if (!store.has(name)) throw invalidInput(`${field}.${variable}: there is no secret named ${name}`, 'create it first: paddock secret set <name> (value on stdin), or POST /secrets');
    if (Buffer.byteLength(store.value(name) ?? '') > MAX_ENV_VALUE_BYTES)
      throw refused(
        'secrets-env',
        `${field}.${variable}: secret ${name} is larger than an environment variable can hold (${MAX_ENV_VALUE_BYTES} bytes)`,
        'keep such data in a file in the repository instead',
      );
  }
}

/** When the run's container is made: its secrets file on the tmpfs (host path, 0400, the run UID's), or undefined when it has none. */
export function stageRunSecrets(p: Paddock, run: Pick<Run, 'id'>, owner: { uid: number; gid: number }): string | undefined {
  const { secretsEnv } = runGrants(p).get(run.id);
  if (Object.keys(secretsEnv).length === 0) return undefined;
  const store = secretStore(p);
  const values: Record<string, string> = {};
  for (const [variable, name] of Object.entries(secretsEnv)) {
    const v = store.value(name);
    if (v === undefined) throw new Error(`secret ${name} (for ${variable}) was removed after the run was spawned`);
    values[variable] = v;
  }
  return writeRunSecrets(p.config.secretsTmpfs, p.instance, run.id, values, owner);
}

/** Removes a run's secrets file (the run ended, or will not start). */
export function releaseRunSecrets(p: Paddock, runId: string): void {
  if (removeRunSecrets(p.config.secretsTmpfs, p.instance, runId)) log.debug({ event: 'secret.file.removed', run: runId }, `run ${runId}: secrets file removed`);
}

/** Removes the secrets files of runs that are not live (a daemon that died while its runs ended leaves them). */
export function sweepRunSecretFiles(p: Paddock): string[] {
  return sweepRunSecrets(p.config.secretsTmpfs, p.instance, (id) => {
    const run = p.runs.get(id);
    return run !== undefined && !isTerminal(run.state);
  });
}

/** What redacts a run's secret values from its output: from the run's file (what the container got), else the store. */
export function runRedactor(p: Paddock, run: Pick<Run, 'id'>): Redact | undefined {
  let values = readRunSecrets(p.config.secretsTmpfs, p.instance, run.id);
  if (!values) {
    const { secretsEnv } = runGrants(p).get(run.id);
    if (Object.keys(secretsEnv).length === 0) return undefined;
    const store = secretStore(p);
    values = {};
    for (const [variable, name] of Object.entries(secretsEnv)) {
      try {
        const v = store.value(name);
        if (v !== undefined) values[variable] = v;
      } catch {
        // unreadable: nothing to redact with
      }
    }
  }
  return Object.keys(values).length ? redactorFor(values) : undefined;
}

/**
 * For output read from the container's own log (not the event log): the run's redactor, the identity for a run
 * with no secrets, or 'withhold' when it had secrets whose values can no longer be known (removed from the store
 * after the run ended), so the raw log is not shown.
 */
export function outputRedactor(p: Paddock, run: Pick<Run, 'id'>): Redact | 'withhold' {
  const redact = runRedactor(p, run);
  if (redact) return redact;
  return Object.keys(runGrants(p).get(run.id).secretsEnv).length ? 'withhold' : (t) => t;
}
