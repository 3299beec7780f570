/** paddock agent ls|show|add|set|rm: agent personas (a role prompt, model, image, tools, limits; docs/projects.md). */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { invalidInput } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { safe, shorten, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';
import { hooksText, lifecycleOf, limitsText, withLifecycle } from './project.ts';

interface PersonaView {
  name: string;
  builtin: boolean;
  edited: boolean;
  title?: string;
  rolePrompt: string;
  model?: string;
  image?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  memory?: string | number;
  cpus?: string | number;
  pids?: string | number;
  timeout?: string | number;
  lifecycle?: { onCreate?: string[]; postCreate?: string[]; postStart?: string[] };
}

type Opts = Record<string, string | boolean | string[] | undefined>;

const PERSONA_FIELDS = ['title', 'model', 'image', 'allowedTools', 'disallowedTools', 'memory', 'cpus', 'pids', 'timeout', 'lifecycle'] as const;

function withSettings(cmd: Command): Command {
  return withLifecycle(cmd)
    .option('--role <text>', "the role prompt (appended to the agent's system prompt)")
    .option('--role-file <file>', 'read the role prompt from a file')
    .option('--title <text>', 'display name, e.g. "QA Engineer"')
    .option('--model <name>', 'model, e.g. sonnet')
    .option('--image <name>', "agent image (before the project's in the image chain)")
    .option('--allow-tool <tool...>', 'a tool allowed without asking, e.g. "Bash(git *)" (repeatable)')
    .option('--deny-tool <tool...>', 'a tool denied, e.g. Write (repeatable)')
    .option('--memory <size>', 'default memory limit, e.g. 2g')
    .option('--cpus <n>', 'default CPU limit')
    .option('--pids <n>', 'default process limit')
    .option('--timeout <duration>', 'default wall-clock limit, e.g. 1h')
    .option('--json', 'print the persona as JSON');
}

async function settingsOf(o: Opts): Promise<Record<string, unknown>> {
  if (o.role !== undefined && o.roleFile !== undefined) throw invalidInput('give the role once: --role or --role-file, not both');
  let rolePrompt = o.role as string | undefined;
  if (o.roleFile !== undefined) {
    try {
      rolePrompt = await readFile(o.roleFile as string, 'utf8');
    } catch (e) {
      throw invalidInput(`--role-file ${o.roleFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return {
    ...lifecycleOf(o),
    ...(rolePrompt !== undefined ? { rolePrompt } : {}),
    ...(o.title !== undefined ? { title: o.title } : {}),
    ...(o.model !== undefined ? { model: o.model } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.allowTool !== undefined ? { allowedTools: o.allowTool } : {}),
    ...(o.denyTool !== undefined ? { disallowedTools: o.denyTool } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
    ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
    ...(o.pids !== undefined ? { pids: o.pids } : {}),
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
  };
}

function printPersona(v: PersonaView): void {
  const rows: [string, string][] = [
    ['name', `${v.name}${v.builtin ? (v.edited ? ' (built-in, edited)' : ' (built-in)') : ''}`],
    ['title', v.title ?? '-'],
    ['model', v.model ?? '(request or server default)'],
    ['image', v.image ?? '(chain: project, PADDOCK_IMAGE)'],
    ['allow', v.allowedTools?.join(' ') ?? '-'],
    ['deny', v.disallowedTools?.join(' ') ?? '-'],
    ['limits', limitsText(v)],
    ['hooks', hooksText(v.lifecycle)],
  ];
  for (const [k, val] of rows) out(`${k.padEnd(7)} ${safe(val)}`);
  out(`role    ${safe(v.rolePrompt)}`);
}

export function registerAgent(program: Command): void {
  const agent = program
    .command('agent')
    .summary('agent personas: role prompt, model, image, tools and limits for spawn --persona')
    .description(
      'A persona is who the agent is on a run: its role prompt (appended to the system prompt), model, image, allowed\n' +
        'and denied tools, and default limits. `paddock spawn --persona NAME` (or --agent NAME) applies it; the request\n' +
        'wins over the persona, the persona over the project. The built-in roles (tech-lead, engineer, qa, reviewer,\n' +
        'writer, devops, analytics) can be edited and restored (rm), not removed (docs/projects.md).',
    );
  withExamples(agent, [
    'paddock agent ls',
    'paddock agent show qa',
    'paddock agent add security --role "You are a security reviewer…" --deny-tool Write Edit',
    'paddock spawn --project app --persona security --task "Audit the auth module"',
  ]);

  agent
    .command('ls')
    .summary('list personas (built-in and stored)')
    .option('--json', 'as JSON')
    .action(async (o: Opts) => {
      const { personas } = await call<{ personas: PersonaView[] }>('GET', '/api/v1/personas');
      if (o.json) return printJson(personas);
      out(
        table([
          ['NAME', 'TITLE', 'MODEL', 'IMAGE', 'ROLE'],
          ...personas.map((v) => [`${v.name}${v.builtin ? (v.edited ? '*' : '') : ''}`, v.title ?? '-', v.model ?? '-', v.image ?? '-', shorten(v.rolePrompt, 50)].map((s) => safe(s))),
        ]),
      );
    });

  agent
    .command('show')
    .summary("a persona's settings and role prompt")
    .argument('<name>', 'persona name')
    .option('--json', 'as JSON')
    .action(async (name: string, o: Opts) => {
      const v = await call<PersonaView>('GET', `/api/v1/personas/${encodeURIComponent(name)}`);
      if (o.json) return printJson(v);
      printPersona(v);
    });

  withExamples(withSettings(agent.command('add').summary('add a persona').argument('<name>', 'persona name: lower-case letters, digits, . _ -')), [
    'paddock agent add dba --title "Database engineer" --role-file roles/dba.md --model opus',
  ]).action(async (name: string, o: Opts) => {
    const s = await settingsOf(o);
    if (s.rolePrompt === undefined) throw invalidInput('a persona needs a role prompt', 'pass --role TEXT or --role-file FILE');
    const v = await call<PersonaView>('POST', '/api/v1/personas', { name, ...s });
    if (o.json) return printJson(v);
    info(`persona ${safe(v.name)} added`);
  });

  withExamples(
    withSettings(
      agent
        .command('set')
        .summary('change a persona (built-in ones too)')
        .argument('<name>', 'persona name')
        .option('--unset <field...>', `clear settings: ${PERSONA_FIELDS.join(', ')}`),
    ),
    ['paddock agent set qa --model opus --timeout 1h', 'paddock agent set reviewer --unset disallowedTools'],
  ).action(async (name: string, o: Opts) => {
    const patch = await settingsOf(o);
    for (const f of (o.unset as string[] | undefined) ?? []) {
      if (!(PERSONA_FIELDS as readonly string[]).includes(f)) throw invalidInput(`--unset ${f}: not a setting that can be cleared`, `one of ${PERSONA_FIELDS.join(', ')}`);
      patch[f] = null;
    }
    if (Object.keys(patch).length === 0) throw invalidInput('nothing to change', 'pass a setting, e.g. --model NAME, or --unset FIELD');
    const v = await call<PersonaView>('PATCH', `/api/v1/personas/${encodeURIComponent(name)}`, patch);
    if (o.json) return printJson(v);
    info(`persona ${safe(v.name)} changed`);
    printPersona(v);
  });

  agent
    .command('rm')
    .summary('remove a persona; a built-in one is restored to its shipped settings')
    .argument('<name>', 'persona name')
    .action(async (name: string) => {
      const r = await call<{ name: string; action: 'removed' | 'restored' | 'unchanged' }>('DELETE', `/api/v1/personas/${encodeURIComponent(name)}`);
      info(
        r.action === 'removed'
          ? `persona ${safe(r.name)} removed`
          : r.action === 'restored'
            ? `built-in persona ${safe(r.name)} restored`
            : `built-in persona ${safe(r.name)} was not edited; nothing to restore`,
      );
    });
}
