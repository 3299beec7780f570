/**
 * Compose environments (docs/services.md): Stromboli's podman.environment {type: "compose", path, service}. The file is
 * validated against the Compose Specification's JSON schema (vendored in compose-spec/, Apache-2.0), then against the
 * subset Paddock runs; any key outside it is refused by name. The named service is where the agent runs (its image is
 * the run's image); the others become the run's services, beside it in the run's network namespace.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { invalidInput } from '../errors/index.ts';
import schema from './compose-spec/compose-spec.json' with { type: 'json' };
import { normaliseServices, type ServiceInput, type ServiceSpec } from './schema.ts';

/** The largest Compose file read. */
const MAX_BYTES = 256 * 1024;

/** What Paddock runs of a Compose file (docs/services.md); every other key is refused, naming it. */
export const COMPOSE_SUBSET = {
  top: ['version', 'name', 'services'],
  service: ['image', 'command', 'environment', 'healthcheck', 'depends_on'],
  /** The agent's service runs the agent CLI: only where it comes from and what it waits for apply. */
  agentService: ['image', 'depends_on'],
  healthcheck: ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'],
  dependsOn: ['condition'],
} as const;

/** Why a key Paddock refuses is refused (the rest: "not in the subset Paddock runs"). */
const WHY: Record<string, string> = {
  build: 'Paddock builds no images from a Compose file: build the image first and name it with image',
  volumes: 'volumes are not mounted from a Compose file: services keep their data on their own tmpfs, and host paths are granted per run (--mount, docs/policy.md)',
  ports: 'services publish no ports: the agent reaches them by name inside the run',
  networks: "each run has its own network namespace; Compose networks don't apply",
  network_mode: "each run has its own network namespace; Compose networks don't apply",
  privileged: 'services run with the agent’s jail, never privileged',
  cap_add: 'services run with no capabilities',
  user: 'a service runs as its image’s own user',
  secrets: 'secrets come from Paddock’s secret store (--secret-env), not a Compose file',
  configs: 'Compose configs are not supported',
  env_file: 'env_file would read host files: give the values in environment',
};

export interface ComposeEnvironment {
  /** The service the agent runs in. */
  service: string;
  /** Its image: the run's image. */
  image: string;
  /** The others, normalised. */
  services: ServiceSpec[];
  /** The others as the request's services field takes them. */
  inputs: ServiceInput[];
}

let validator: import('ajv').ValidateFunction | undefined;

/** Reads, validates and maps a Compose file (an absolute path ending in .yml or .yaml). */
export async function loadCompose(path: string, service: string): Promise<ComposeEnvironment> {
  if (!isAbsolute(path) || !/\.ya?ml$/.test(path)) throw invalidInput(`compose path ${path.slice(0, 200)}: expected an absolute path ending in .yml or .yaml`);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw invalidInput(`compose path ${path.slice(0, 200)}: no such file`, 'pass the absolute path of the Compose file on the daemon’s host');
  if (info.size > MAX_BYTES) throw invalidInput(`compose file ${path.slice(0, 200)} is ${info.size} bytes, more than the ${MAX_BYTES} read`);
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, 'utf8'), { maxAliasCount: 100 });
  } catch (e) {
    throw invalidInput(`compose file ${path.slice(0, 200)} is not YAML: ${(e as Error).message.split('\n')[0]?.slice(0, 200)}`);
  }
  return composeEnvironment(doc, service);
}

/** The same for a parsed document (tests, and the API's callers that send one). */
export function composeEnvironment(doc: unknown, service: string): ComposeEnvironment {
  validator ??= new Ajv.default({ strict: false, validateSchema: false, allErrors: false }).compile(schema as object);
  if (!validator(doc)) {
    const err = validator.errors?.[0];
    const where = `compose${(err?.instancePath ?? '').replace(/\//g, '.')}`;
    const extra = err?.params && 'additionalProperty' in err.params ? ` (${String(err.params.additionalProperty).slice(0, 64)})` : '';
    throw invalidInput(`${where}: ${err?.message ?? 'invalid'}${extra}, by the Compose Specification's schema`, 'see the Compose Specification; docs/services.md lists what Paddock runs');
  }
  const d = doc as { services?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  refuseOutside(d, COMPOSE_SUBSET.top, 'compose');
  const services = d.services ?? {};
  if (!(service in services)) throw invalidInput(`compose service ${service.slice(0, 64)}: the file has no such service`, `name one of: ${Object.keys(services).join(', ') || '(none)'}`);
  const inputs: ServiceInput[] = [];
  let image = '';
  for (const [name, s] of Object.entries(services)) {
    const where = `compose.services.${name}`;
    if (s === null || typeof s !== 'object') throw invalidInput(`${where}: expected a mapping`);
    const agent = name === service;
    refuseOutside(s, agent ? COMPOSE_SUBSET.agentService : COMPOSE_SUBSET.service, where, agent);
    if (typeof s.image !== 'string' || s.image.trim() === '') throw invalidInput(`${where}.image is required: Paddock runs existing images`, 'build the image first and name it here');
    const dependsOn = dependsOnOf(s.depends_on, `${where}.depends_on`);
    if (agent) {
      image = s.image;
      continue; // every other service starts (and passes its health check) before the agent anyway
    }
    inputs.push({
      name,
      image: s.image,
      ...(s.command !== undefined && s.command !== null ? { command: s.command as string | string[] } : {}),
      ...(s.environment !== undefined ? { environment: environmentOf(s.environment, `${where}.environment`) } : {}),
      ...(s.healthcheck !== undefined ? healthcheckOf(s.healthcheck as Record<string, unknown>, `${where}.healthcheck`) : {}),
      ...(dependsOn.length ? { depends_on: dependsOn.filter((n) => n !== service) } : {}),
    });
    if (dependsOn.includes(service)) throw invalidInput(`${where}.depends_on names ${service}, the agent's service: services start before the agent`, 'leave it out');
  }
  return { service, image, services: normaliseServices(inputs, 'compose.services'), inputs };
}

function refuseOutside(o: Record<string, unknown>, allowed: readonly string[], where: string, agent = false): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const why = WHY[key] ?? (agent ? "the agent's service runs the agent CLI: only image and depends_on apply to it" : `not in the subset Paddock runs (${allowed.join(', ')})`);
    throw invalidInput(`${where}.${key.slice(0, 64)}: ${why}`, 'docs/services.md lists the Compose keys Paddock runs');
  }
}

function dependsOnOf(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  const out: string[] = [];
  for (const [name, cond] of Object.entries(v as Record<string, Record<string, unknown>>)) {
    refuseOutside(cond ?? {}, COMPOSE_SUBSET.dependsOn, `${where}.${name}`);
    const c = cond?.condition;
    if (c !== undefined && c !== 'service_started' && c !== 'service_healthy')
      throw invalidInput(`${where}.${name}.condition: ${String(c).slice(0, 40)} is not run (service_started and service_healthy are)`);
    out.push(name);
  }
  return out;
}

function environmentOf(v: unknown, where: string): Record<string, string> | string[] {
  if (Array.isArray(v)) {
    for (const line of v) if (!String(line).includes('=')) throw invalidInput(`${where}: ${String(line).slice(0, 60)} has no value; Paddock passes none from its own environment`, 'write NAME=value');
    return v.map(String);
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === null || val === undefined) throw invalidInput(`${where}.${k.slice(0, 60)} has no value; Paddock passes none from its own environment`, 'give it a value');
    out[k] = String(val);
  }
  return out;
}

function healthcheckOf(h: Record<string, unknown>, where: string): Pick<ServiceInput, 'healthcheck'> {
  refuseOutside(h, COMPOSE_SUBSET.healthcheck, where);
  if (h.disable === true || h.test === undefined) return {};
  const test = h.test as string | string[];
  return {
    healthcheck: {
      test,
      ...(typeof h.interval === 'string' ? { interval: h.interval } : {}),
      ...(typeof h.timeout === 'string' ? { timeout: h.timeout } : {}),
      ...(typeof h.retries === 'number' ? { retries: h.retries } : {}),
      ...(typeof h.start_period === 'string' ? { start_period: h.start_period } : {}),
    },
  };
}
