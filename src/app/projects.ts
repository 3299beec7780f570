/**
 * Projects (docs/projects.md): a repository with named spawn defaults — its default base branch, image, limits,
 * egress additions and notifications. `spawn --project NAME` takes them where the request is silent (explicit request >
 * persona > project > server default; app/spawn-profile.ts applies them).
 */
import { z } from 'zod';
import { formatDuration, parseBytes, parseCpus, parseDuration, parsePids } from '../config/index.ts';
import { parseAllowList } from '../egress/rules.ts';
import { ErrorCode, PaddockError, notFound } from '../errors/index.ts';
import { NamedSpecRepo, RunProfilesRepo, type NamedSpec } from '../store/projects-repo.ts';
import { inspectRepo } from '../workspace/index.ts';
import type { Paddock } from './context.ts';
import { checkRepoPolicy } from './policy.ts';
import { lifecycleInputSchema, settleLifecycle } from './hooks.ts';
import { normaliseServices, servicesInputSchema } from '../services/schema.ts';
import { validate } from './validate.ts';
import { checkWebhookTarget } from './webhooks/target.ts';

/** A project's or persona's name: what `--project` / `--persona` take. */
export const profileNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a name is 1–63 lower-case letters, digits, ".", "_" and "-", starting with a letter or digit');

/** Limits as spawn takes them (text as given, checked when stored). */
export const limitFields = {
  memory: z.union([z.string(), z.number()]).optional().describe('Memory limit, e.g. 512m or 2g'),
  cpus: z.union([z.string(), z.number()]).optional().describe('CPU limit, e.g. 1 or 0.5'),
  pids: z.union([z.string(), z.number()]).optional().describe('Process limit, e.g. 512'),
  timeout: z.union([z.string(), z.number()]).optional().describe('Wall-clock limit, e.g. 30m (a number is seconds)'),
};
export const imageNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, 'an image reference is letters, digits, ".", "_", "/", ":", "@" and "-"');

export const notificationSettingsSchema = z
  .object({
    folder: z.boolean().default(true).describe('Write a JSON file per notification into $PADDOCK_HOME/notifications (for host watchers); default true'),
    desktop: z.boolean().default(true).describe('Show a desktop notification with notify-send, where the daemon finds it on its PATH; default true'),
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .max(2048)
      .optional()
      .describe("The run's webhook (POSTed when it ends, as spawn's webhookUrl) when the spawn request names none"),
  })
  .strict()
  .describe('When a run of the project completes, fails, stalls, waits for input or exceeds a budget (docs/projects.md#notifications)');
export type NotificationSettings = z.output<typeof notificationSettingsSchema>;

const projectFields = {
  path: z.string().trim().min(1).max(4096).describe("The project's git repository (what spawn works on when --repo is left out)"),
  base: z.string().trim().min(1).max(255).optional().describe('Default base branch (commit-ish) runs start from'),
  image: imageNameSchema.optional().describe('Default agent image (after the request and the persona in the image chain)'),
  ...limitFields,
  allow: z.array(z.string().trim().min(1).max(300)).max(100).optional().describe("Egress allow rules (HOST[:PORT]) added to every run's list, as spawn's network.allow"),
  lifecycle: lifecycleInputSchema.optional().describe('Default lifecycle hooks (docs/hooks.md) when neither the request nor the persona gives any'),
  services: servicesInputSchema.optional().describe('Default service containers (docs/services.md) when the request names none (and no Compose environment)'),
  notifications: notificationSettingsSchema.optional(),
};

/** A project's settings as stored. */
export const projectSettingsSchema = z.object(projectFields).strict();
export type ProjectSettings = z.output<typeof projectSettingsSchema>;

export const projectCreateSchema = z.object({ name: profileNameSchema.describe('Project name'), ...projectFields }).strict();
export type ProjectCreateInput = z.input<typeof projectCreateSchema>;

/** A change: a field given replaces, null clears it (path cannot be cleared). */
export const projectPatchSchema = z
  .object({
    path: projectFields.path.optional(),
    base: projectFields.base.unwrap().nullable().optional(),
    image: imageNameSchema.nullable().optional(),
    memory: z.union([z.string(), z.number()]).nullable().optional(),
    cpus: z.union([z.string(), z.number()]).nullable().optional(),
    pids: z.union([z.string(), z.number()]).nullable().optional(),
    timeout: z.union([z.string(), z.number()]).nullable().optional(),
    allow: projectFields.allow.unwrap().nullable().optional(),
    lifecycle: lifecycleInputSchema.nullable().optional(),
    services: servicesInputSchema.nullable().optional(),
    notifications: notificationSettingsSchema.nullable().optional(),
  })
  .strict();
export type ProjectPatchInput = z.input<typeof projectPatchSchema>;

export const projectViewSchema = z
  .object({
    name: z.string(),
    ...projectFields,
    notifications: z.object({ folder: z.boolean(), desktop: z.boolean(), webhookUrl: z.string().optional() }),
    createdAt: z.number().describe('ms since the epoch'),
    updatedAt: z.number().describe('ms since the epoch'),
  })
  .meta({ id: 'Project' });
export type ProjectView = z.output<typeof projectViewSchema>;

export const projectsRepo = (p: Paddock) => new NamedSpecRepo<ProjectSettings>(p.db, 'projects');
export const runProfiles = (p: Paddock) => new RunProfilesRepo(p.db);

/** A project's notifications with defaults filled in. */
export function notificationsOf(s: ProjectSettings): NotificationSettings {
  return { folder: true, desktop: true, ...s.notifications };
}

export function projectView(row: NamedSpec<ProjectSettings>): ProjectView {
  return { name: row.name, ...row.spec, notifications: notificationsOf(row.spec), createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function listProjects(p: Paddock): ProjectView[] {
  return projectsRepo(p).list().map(projectView);
}

export function getProject(p: Paddock, name: string): NamedSpec<ProjectSettings> {
  const row = projectsRepo(p).get(name.trim());
  if (!row) throw notFound(`no project ${name}`, 'see `paddock project ls`; add one with `paddock project add NAME --path REPO`');
  return row;
}

export function showProject(p: Paddock, name: string): ProjectView {
  return projectView(getProject(p, name));
}

export async function addProject(p: Paddock, input: ProjectCreateInput): Promise<ProjectView> {
  const { name, ...rest } = validate(projectCreateSchema, input);
  const spec = await checkProject(p, rest);
  if (!projectsRepo(p).insert(name, spec, Date.now()))
    throw new PaddockError(ErrorCode.Conflict, `project ${name} already exists`, { hint: `change it with \`paddock project set ${name} …\`, or choose another name` });
  return showProject(p, name);
}

export async function setProject(p: Paddock, name: string, patch: ProjectPatchInput): Promise<ProjectView> {
  const current = getProject(p, name);
  const changes = validate(projectPatchSchema, patch);
  const merged: Record<string, unknown> = { ...current.spec };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const spec = await checkProject(p, validate(projectSettingsSchema, merged));
  projectsRepo(p).put(current.name, spec, Date.now());
  return showProject(p, current.name);
}

export function removeProject(p: Paddock, name: string): { removed: string; runs: number } {
  const row = getProject(p, name);
  projectsRepo(p).delete(row.name);
  // Its runs keep their own settings (they were copied at spawn); their notifications stop with the project.
  return { removed: row.name, runs: runProfiles(p).runsOfProject(row.name) };
}

/** Everything a spawn would check about these settings, checked now: a stored project is one that can be used. */
async function checkProject(p: Paddock, s: ProjectSettings): Promise<ProjectSettings> {
  const repo = await inspectRepo(s.path);
  checkRepoPolicy(p, repo.root);
  checkLimits(p, s, 'project');
  if (s.allow) parseAllowList(s.allow, 'allow');
  if (s.lifecycle) settleLifecycle(p, s.lifecycle);
  if (s.services) normaliseServices(s.services);
  if (s.notifications?.webhookUrl !== undefined) await checkWebhookTarget(s.notifications.webhookUrl, p.config.webhookAllowPrivate);
  return { ...s, path: repo.root };
}

/** Limits parse (and a timeout is within PADDOCK_MAX_TIMEOUT) — the same checks spawn makes. */
export function checkLimits(
  p: Paddock,
  s: { memory?: string | number | undefined; cpus?: string | number | undefined; pids?: string | number | undefined; timeout?: string | number | undefined },
  what: string,
): void {
  if (s.memory !== undefined && parseBytes(s.memory, `${what} memory limit`) < 64 * 1024 ** 2)
    throw new PaddockError(ErrorCode.InvalidInput, `${what} memory limit below 64m`, { hint: 'an agent needs at least 64m; 512m is the default' });
  if (s.cpus !== undefined) parseCpus(s.cpus);
  if (s.pids !== undefined) parsePids(s.pids);
  if (s.timeout !== undefined && parseDuration(s.timeout, `${what} timeout`) > p.config.maxTimeout)
    throw new PaddockError(ErrorCode.InvalidInput, `${what} timeout ${s.timeout} is above the longest allowed, ${formatDuration(p.config.maxTimeout)}`, {
      hint: 'ask for less, or raise PADDOCK_MAX_TIMEOUT',
    });
}
