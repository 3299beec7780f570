/**
 * A run's services (docs/services.md), as the API body's top-level `services`, `paddock spawn --service/--services`
 * and a Compose file all give them: validated here, normalised to one shape (ServiceSpec) that is stored with the run.
 */
import { z } from 'zod';
import { invalidInput } from '../errors/index.ts';

/** At most this many services per run (each is a container with its own limits). */
export const MAX_SERVICES = 8;

/** A service's name is its host name in the run: a DNS label. */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Names the run's hosts file gives already, or that would shadow the agent's own. */
const RESERVED = new Set(['localhost', 'paddock', 'agent']);

const duration = z.union([z.string().trim().min(1).max(32), z.number().positive().max(3600)]).describe('A duration: seconds as a number, or a string such as 500ms, 2s, 1m');

export const healthcheckSchema = z
  .object({
    test: z
      .union([z.string().trim().min(1).max(4096), z.array(z.string().max(4096)).min(1).max(64)])
      .describe('Run inside the service container: ["CMD", prog, args…], ["CMD-SHELL", "a shell line"], or a string (a shell line)'),
    interval: duration.optional().describe('Time between checks (default 1s)'),
    timeout: duration.optional().describe('How long one check may take (default 5s)'),
    retries: z.int().min(1).max(1000).optional().describe('Failed checks in a row after which the service is unhealthy and the run fails (default 30)'),
    start_period: duration.optional().describe('Failed checks within this time after start do not count against retries (default 0)'),
  })
  .strict();

export const serviceInputSchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(NAME, 'a service name is a DNS label: lowercase letters, digits and "-", at most 32')
      .refine((n) => !RESERVED.has(n), 'this name is reserved (localhost, paddock, agent)')
      .describe("The service's name: the agent reaches it by this host name"),
    image: z.string().trim().min(1).max(300).describe('Its image (a local one: checked against PADDOCK_IMAGE_ALLOW like the agent image)'),
    command: z
      .union([z.string().trim().min(1).max(4096), z.array(z.string().max(4096)).min(1).max(256)])
      .optional()
      .describe("Replaces the image's CMD (its ENTRYPOINT stays): an argv, or a string split at spaces"),
    environment: z
      .union([z.record(z.string(), z.string().max(8192)), z.array(z.string().max(8192)).max(256)])
      .optional()
      .describe('Its environment: {"NAME": "value"} or ["NAME=value"]'),
    healthcheck: healthcheckSchema.optional().describe("Gates the agent's start: the run fails, naming the service, if it never passes"),
    depends_on: z.array(z.string().trim().min(1).max(64)).max(MAX_SERVICES).optional().describe('Services started (and healthy, if they have a check) before this one'),
  })
  .strict();

export const servicesInputSchema = z.array(serviceInputSchema).max(MAX_SERVICES).describe(`Service containers beside the agent, at most ${MAX_SERVICES} (docs/services.md)`);

export type ServiceInput = z.input<typeof serviceInputSchema>;

/** The health check as Paddock runs it: an argv exec'd in the service container. */
export interface HealthcheckSpec {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** One service, normalised: what is stored with the run and started before its agent. */
export interface ServiceSpec {
  name: string;
  image: string;
  /** Absent: the image's own CMD. */
  command?: string[];
  environment: Record<string, string>;
  healthcheck?: HealthcheckSpec;
  dependsOn: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Validates and normalises a list of services: names unique, dependencies known and acyclic, health checks runnable. */
export function normaliseServices(input: unknown, field = 'services'): ServiceSpec[] {
  const parsed = servicesInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [field, ...(issue?.path ?? []).map(String)].join('.');
    throw invalidInput(`${where}: ${issue?.message ?? 'invalid'}`, 'each service is {name, image, command?, environment?, healthcheck?, depends_on?} (docs/services.md)');
  }
  const specs = parsed.data.map((s, i) => normaliseOne(s, `${field}[${i}]`));
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(s.name)) throw invalidInput(`${field}: two services are named ${s.name}`, 'give each service its own name');
    names.add(s.name);
  }
  for (const s of specs) {
    for (const d of s.dependsOn) {
      if (!names.has(d)) throw invalidInput(`${field}: service ${s.name} depends on ${d}, which is not one of the run's services`, `name one of: ${[...names].join(', ')}`);
      if (d === s.name) throw invalidInput(`${field}: service ${s.name} depends on itself`, 'leave it out of its own depends_on');
    }
  }
  startOrder(specs, field);
  return specs;
}

function normaliseOne(s: z.output<typeof serviceInputSchema>, where: string): ServiceSpec {
  const environment: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const line of s.environment) {
      const at = line.indexOf('=');
      if (at <= 0) throw invalidInput(`${where}.environment: "${line.slice(0, 60)}" is not NAME=value`, 'write each entry as NAME=value');
      environment[line.slice(0, at)] = line.slice(at + 1);
    }
  } else Object.assign(environment, s.environment ?? {});
  for (const [k, v] of Object.entries(environment)) {
    if (!ENV_NAME.test(k)) throw invalidInput(`${where}.environment: ${k.slice(0, 60)} is not a variable name`, 'letters, digits and _ (not first a digit)');
    if (/[\0]/.test(v)) throw invalidInput(`${where}.environment.${k}: the value holds a NUL byte`);
  }
  const command = s.command === undefined ? undefined : typeof s.command === 'string' ? s.command.split(/\s+/).filter(Boolean) : s.command;
  if (command?.some((a) => a.includes('\0'))) throw invalidInput(`${where}.command: an argument holds a NUL byte`);
  const healthcheck = s.healthcheck ? normaliseHealthcheck(s.healthcheck, `${where}.healthcheck`) : undefined;
  return {
    name: s.name,
    image: s.image,
    ...(command ? { command } : {}),
    environment,
    ...(healthcheck ? { healthcheck } : {}),
    dependsOn: [...new Set(s.depends_on ?? [])],
  };
}

function normaliseHealthcheck(h: z.output<typeof healthcheckSchema>, where: string): HealthcheckSpec | undefined {
  let argv: string[];
  if (typeof h.test === 'string') argv = ['/bin/sh', '-c', h.test];
  else {
    const [kind, ...rest] = h.test;
    if (kind === 'NONE') return undefined;
    if (kind === 'CMD' && rest.length > 0) argv = rest;
    else if (kind === 'CMD-SHELL' && rest.length === 1) argv = ['/bin/sh', '-c', rest[0] ?? ''];
    else throw invalidInput(`${where}.test: expected ["CMD", prog, args…], ["CMD-SHELL", "line"], ["NONE"] or a string`, 'e.g. ["CMD", "pg_isready", "-h", "127.0.0.1"]');
  }
  return {
    argv,
    intervalMs: ms(h.interval, 1000, `${where}.interval`),
    timeoutMs: ms(h.timeout, 5000, `${where}.timeout`),
    retries: h.retries ?? 30,
    startPeriodMs: h.start_period === undefined ? 0 : ms(h.start_period, 0, `${where}.start_period`),
  };
}

/** A duration in ms: a number is seconds; a string takes ms, s, m, h ("1m30s"). */
function ms(v: string | number | undefined, dflt: number, where: string): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number') return Math.round(v * 1000);
  const text = v.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw invalidInput(`${where}: "${v.slice(0, 32)}" is not a duration`, 'e.g. 500ms, 2s, 1m30s');
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] ?? 's'] ?? 0), 0);
  if (total <= 0 || total > 3_600_000) throw invalidInput(`${where}: ${v} is out of range`, 'between 1ms and 1h');
  return Math.round(total);
}

/** The services in an order where each comes after what it depends on; a cycle is refused naming it. */
export function startOrder(specs: readonly ServiceSpec[], field = 'services'): ServiceSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: ServiceSpec[] = [];
  const visit = (s: ServiceSpec) => {
    if (done.has(s.name)) return;
    if (visiting.includes(s.name)) throw invalidInput(`${field}: depends_on forms a cycle (${[...visiting.slice(visiting.indexOf(s.name)), s.name].join(' → ')})`, 'break the cycle');
    visiting.push(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep);
    }
    visiting.pop();
    done.add(s.name);
    out.push(s);
  };
  for (const s of specs) visit(s);
  return out;
}

/** `--service NAME=IMAGE` (the CLI's short form): a service with the image's own command and no health check. */
export function parseServiceFlag(flag: string): ServiceInput {
  const at = flag.indexOf('=');
  if (at <= 0 || at === flag.length - 1) throw invalidInput(`--service ${flag.slice(0, 80)}: expected NAME=IMAGE`, 'e.g. --service db=localhost/postgres:15');
  return { name: flag.slice(0, at).trim(), image: flag.slice(at + 1).trim() };
}
