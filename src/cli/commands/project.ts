/** paddock project add|ls|show|set|rm: named spawn defaults for a repository (docs/projects.md). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { invalidInput } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { safe, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';
import { servicesOf } from './services-flags.ts';

export interface ProjectView {
  name: string;
  path: string;
  base?: string;
  image?: string;
  memory?: string | number;
  cpus?: string | number;
  pids?: string | number;
  timeout?: string | number;
  allow?: string[];
  lifecycle?: { onCreate?: string[]; postCreate?: string[]; postStart?: string[]; hooksTimeout?: string | number };
  services?: { name: string; image: string }[];
  notifications: { folder: boolean; desktop: boolean; webhookUrl?: string };
  createdAt: number;
  updatedAt: number;
}

type Opts = Record<string, string | boolean | string[] | undefined>;

const PROJECT_FIELDS = ['base', 'image', 'memory', 'cpus', 'pids', 'timeout', 'allow', 'lifecycle', 'services', 'webhook'] as const;

const collect = (v: string, all: string[] = []): string[] => [...all, v];

/** The lifecycle hook flags (as spawn's; docs/hooks.md), for project and agent add/set. */
export function withLifecycle(cmd: Command): Command {
  return cmd
    .option('--on-create <command>', 'default lifecycle hook: run once per session before its first agent start (repeatable, in order; docs/hooks.md)', collect)
    .option('--post-create <command>', 'default lifecycle hook: run once per session after the --on-create ones (repeatable)', collect)
    .option('--post-start <command>', 'default lifecycle hook: run before every agent start (repeatable)', collect)
    .option('--hooks-timeout <duration>', 'the longest the hooks may take together, e.g. 5m');
}

/** The hook flags as a lifecycle (replacing the stored one), when any is given. */
export function lifecycleOf(o: Opts): { lifecycle?: Record<string, unknown> } {
  const onCreate = (o.onCreate as string[] | undefined) ?? [];
  const postCreate = (o.postCreate as string[] | undefined) ?? [];
  const postStart = (o.postStart as string[] | undefined) ?? [];
  if (onCreate.length + postCreate.length + postStart.length === 0) {
    if (o.hooksTimeout !== undefined) throw invalidInput('--hooks-timeout without a hook', 'add --on-create, --post-create or --post-start');
    return {};
  }
  return { lifecycle: { onCreate, postCreate, postStart, ...(o.hooksTimeout !== undefined ? { hooksTimeout: o.hooksTimeout } : {}) } };
}

/** on/off flags: the value as a boolean. */
function onOff(flag: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw invalidInput(`${flag} ${v}: expected on or off`);
}

/** The settings flags common to add and set. */
function withSettings(cmd: Command): Command {
  return withLifecycle(cmd)
    .option('--base <ref>', 'default base branch (commit-ish) runs start from')
    .option('--image <name>', 'default agent image (after the request and the persona in the image chain)')
    .option('--memory <size>', 'default memory limit, e.g. 2g')
    .option('--cpus <n>', 'default CPU limit, e.g. 2')
    .option('--pids <n>', 'default process limit')
    .option('--timeout <duration>', 'default wall-clock limit, e.g. 1h')
    .option('--allow-host <rule...>', "HOST[:PORT] added to every run's egress allow list (repeatable)")
    .option('--service <name=image>', 'a default service container for runs that name none (repeatable; docs/services.md)', collect)
    .option('--services <file>', 'default services from a YAML or JSON file (docs/services.md)')
    .option('--notify-folder <on|off>', 'write a JSON file per notification into $PADDOCK_HOME/notifications (default on)')
    .option('--notify-desktop <on|off>', 'show desktop notifications with notify-send, where the daemon has it (default on)')
    .option('--webhook <url>', "the runs' webhook when spawn names none (POSTed when a run ends)")
    .option('--json', 'print the project as JSON');
}

async function settingsOf(o: Opts): Promise<Record<string, unknown>> {
  const { services } = await servicesOf(o);
  return {
    ...lifecycleOf(o),
    ...(services ? { services } : {}),
    ...(o.base !== undefined ? { base: o.base } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
    ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
    ...(o.pids !== undefined ? { pids: o.pids } : {}),
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    ...(o.allowHost !== undefined ? { allow: o.allowHost } : {}),
  };
}

function notificationsOf(o: Opts, current?: ProjectView['notifications']): Record<string, unknown> | undefined {
  const folder = onOff('--notify-folder', o.notifyFolder as string | undefined);
  const desktop = onOff('--notify-desktop', o.notifyDesktop as string | undefined);
  if (folder === undefined && desktop === undefined && o.webhook === undefined) return undefined;
  return { ...current, ...(folder !== undefined ? { folder } : {}), ...(desktop !== undefined ? { desktop } : {}), ...(o.webhook !== undefined ? { webhookUrl: o.webhook } : {}) };
}

export function printProject(v: ProjectView): void {
  const rows: [string, string][] = [
    ['name', v.name],
    ['path', v.path],
    ['base', v.base ?? '(the repository HEAD)'],
    ['image', v.image ?? '(chain: PADDOCK_IMAGE)'],
    ['limits', limitsText(v)],
    ['allow', v.allow?.length ? v.allow.join(' ') : '-'],
    ['hooks', hooksText(v.lifecycle)],
    ['services', v.services?.length ? v.services.map((x) => `${x.name}=${x.image}`).join(' ') : '-'],
    ['notify', `folder ${v.notifications.folder ? 'on' : 'off'} · desktop ${v.notifications.desktop ? 'on' : 'off'} · webhook ${v.notifications.webhookUrl ?? '-'}`],
  ];
  for (const [k, val] of rows) out(`${k.padEnd(8)} ${safe(val)}`);
}

export function hooksText(l: { onCreate?: string[]; postCreate?: string[]; postStart?: string[] } | undefined): string {
  if (!l) return '-';
  const n = (l.onCreate?.length ?? 0) + (l.postCreate?.length ?? 0) + (l.postStart?.length ?? 0);
  return `${n} command(s): on-create ${l.onCreate?.length ?? 0}, post-create ${l.postCreate?.length ?? 0}, post-start ${l.postStart?.length ?? 0}`;
}

export function limitsText(v: { memory?: string | number; cpus?: string | number; pids?: string | number; timeout?: string | number }): string {
  const parts = [
    v.memory !== undefined ? `memory ${v.memory}` : '',
    v.cpus !== undefined ? `cpus ${v.cpus}` : '',
    v.pids !== undefined ? `pids ${v.pids}` : '',
    v.timeout !== undefined ? `timeout ${v.timeout}` : '',
  ];
  return parts.filter(Boolean).join(' · ') || '(server defaults)';
}

export function registerProject(program: Command): void {
  const project = program
    .command('project')
    .summary('projects: a repository with spawn defaults (base, image, limits, egress, notifications)')
    .description(
      'A project names a repository and the defaults its runs get: `paddock spawn --project NAME` works on its path\n' +
        'and takes each setting the request leaves out from the persona (--persona), then the project, then the server.\n' +
        'Its runs notify (a JSON file in $PADDOCK_HOME/notifications, notify-send, the webhook) when they complete, fail,\n' +
        'stall, wait for a message or exceed a budget (docs/projects.md).',
    );
  withExamples(project, [
    'paddock project add app --path ~/src/app --base main --memory 2g --allow-host registry.npmjs.org',
    'paddock spawn --project app --persona qa --task "Cover the login flow with tests"',
    'paddock project set app --image localhost/paddock-node:latest --notify-desktop off',
    'paddock project ls',
  ]);

  withExamples(
    withSettings(project.command('add').summary('add a project').argument('<name>', 'project name: lower-case letters, digits, . _ -').requiredOption('--path <repo>', 'the git repository')),
    ['paddock project add app --path . --base main', 'paddock project add api --path ~/src/api --image localhost/paddock-python:latest --timeout 1h'],
  ).action(async (name: string, o: Opts) => {
    const notifications = notificationsOf(o);
    const v = await call<ProjectView>('POST', '/api/v1/projects', { name, path: resolve(o.path as string), ...(await settingsOf(o)), ...(notifications ? { notifications } : {}) });
    if (o.json) return printJson(v);
    info(`project ${safe(v.name)} added (${safe(v.path)})`);
  });

  project
    .command('ls')
    .summary('list projects')
    .option('--json', 'as JSON')
    .action(async (o: Opts) => {
      const { projects } = await call<{ projects: ProjectView[] }>('GET', '/api/v1/projects');
      if (o.json) return printJson(projects);
      if (projects.length === 0) return info('no projects; add one: paddock project add NAME --path REPO');
      out(table([['NAME', 'PATH', 'BASE', 'IMAGE', 'LIMITS'], ...projects.map((v) => [v.name, v.path, v.base ?? '-', v.image ?? '-', limitsText(v)].map((s) => safe(s)))]));
    });

  project
    .command('show')
    .summary("a project's settings")
    .argument('<name>', 'project name')
    .option('--json', 'as JSON')
    .action(async (name: string, o: Opts) => {
      const v = await call<ProjectView>('GET', `/api/v1/projects/${encodeURIComponent(name)}`);
      if (o.json) return printJson(v);
      printProject(v);
    });

  withExamples(
    withSettings(
      project
        .command('set')
        .summary("change a project's settings")
        .argument('<name>', 'project name')
        .option('--path <repo>', 'another git repository')
        .option('--unset <field...>', `clear settings (back to the server default): ${PROJECT_FIELDS.join(', ')}`),
    ),
    ['paddock project set app --timeout 2h --allow-host api.example.com', 'paddock project set app --unset image memory'],
  ).action(async (name: string, o: Opts) => {
    const patch: Record<string, unknown> = { ...(await settingsOf(o)), ...(o.path !== undefined ? { path: resolve(o.path as string) } : {}) };
    let notifications: Record<string, unknown> | undefined;
    for (const f of (o.unset as string[] | undefined) ?? []) {
      if (!(PROJECT_FIELDS as readonly string[]).includes(f)) throw invalidInput(`--unset ${f}: not a setting that can be cleared`, `one of ${PROJECT_FIELDS.join(', ')}`);
      if (f === 'webhook') notifications = { webhookUrl: undefined };
      else patch[f] = null;
    }
    const changes = notificationsOf(o);
    if (changes || notifications) {
      const current = await call<ProjectView>('GET', `/api/v1/projects/${encodeURIComponent(name)}`);
      const merged: Record<string, unknown> = { ...current.notifications, ...changes };
      if (notifications) delete merged.webhookUrl;
      patch.notifications = merged;
    }
    if (Object.keys(patch).length === 0) throw invalidInput('nothing to change', 'pass a setting, e.g. --image NAME, or --unset FIELD');
    const v = await call<ProjectView>('PATCH', `/api/v1/projects/${encodeURIComponent(name)}`, patch);
    if (o.json) return printJson(v);
    info(`project ${safe(v.name)} changed`);
    printProject(v);
  });

  project
    .command('rm')
    .summary('remove a project (its runs keep what they were spawned with)')
    .argument('<name>', 'project name')
    .action(async (name: string) => {
      const r = await call<{ removed: string; runs: number }>('DELETE', `/api/v1/projects/${encodeURIComponent(name)}`);
      info(`project ${safe(r.removed)} removed${r.runs ? ` (${r.runs} run(s) were spawned with it; they keep their settings)` : ''}`);
    });
}
