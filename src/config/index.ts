export { loadConfig } from './load.ts';
export { configFields, configSchema, ENV_KEYS } from './schema.ts';
export type { Config } from './schema.ts';
export { parseBytes, parseCpus, parseDuration, parsePids, formatBytes, formatDuration } from './units.ts';
