/** Secrets (docs/secrets.md): an encrypted store outside the database, and a run's values on a tmpfs, redacted from its output. */
export { blockedEnv, checkSecretName, checkSecretsEnv, ENV_NAME, MAX_ENV_VALUE_BYTES, MAX_SECRET_BYTES, MAX_SECRETS_ENV, SECRET_NAME } from './names.ts';
export { MIN_REDACTED, type Redact, redactDeep, redactorFor } from './redact.ts';
export { IN_CONTAINER_SECRETS_FILE, readRunSecrets, removeRunSecrets, runSecretsFile, secretsBaseDir, sweepRunSecrets, writeRunSecrets } from './run-file.ts';
export { type SecretInfo, SecretStore } from './store.ts';
