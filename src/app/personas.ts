/**
 * Agent personas (docs/projects.md): a role prompt (given to Claude Code as --append-system-prompt), a model, an
 * image, allowed/disallowed tools and default limits. The built-in roles (ai-agents-sandbox's team) are there in every
 * database: they can be edited (the edit is stored under their name) and restored (removing the edit), not deleted.
 */
import { z } from 'zod';
import { ErrorCode, PaddockError, notFound } from '../errors/index.ts';
import type { NamedSpec } from '../store/projects-repo.ts';
import { PersonasRepo } from '../store/personas-repo.ts';
import type { Paddock } from './context.ts';
import { checkLimits, imageNameSchema, limitFields, profileNameSchema } from './projects.ts';
import { lifecycleInputSchema, settleLifecycle } from './hooks.ts';
import { validate } from './validate.ts';

/** A tool name or pattern as Claude Code's --allowedTools takes it (one starting with "-" would be read as a flag). */
const toolSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !s.startsWith('-'), 'a tool name must not start with "-" (it would be read as a command-line flag)');

const personaFields = {
  title: z.string().trim().min(1).max(100).optional().describe('Display name, e.g. "QA Engineer"'),
  rolePrompt: z
    .string()
    .trim()
    .min(1, 'rolePrompt is empty: say who the agent is and how it works')
    .max(20_000)
    .describe("The role, appended to the agent's system prompt (Claude Code's --append-system-prompt)"),
  model: z.string().trim().min(1).max(200).optional().describe('Model name or alias (e.g. sonnet)'),
  image: imageNameSchema.optional().describe("Agent image (before the project's in the image chain)"),
  allowedTools: z.array(toolSchema).max(100).optional().describe('Tools allowed without asking, e.g. "Bash(git *)" (Claude Code --allowedTools)'),
  disallowedTools: z.array(toolSchema).max(100).optional().describe('Tools denied (Claude Code --disallowedTools)'),
  ...limitFields,
  lifecycle: lifecycleInputSchema.optional().describe("Default lifecycle hooks (docs/hooks.md) when the request gives none; before the project's"),
};

export const personaSettingsSchema = z.object(personaFields).strict();
export type PersonaSettings = z.output<typeof personaSettingsSchema>;

export const personaCreateSchema = z.object({ name: profileNameSchema.describe('Persona name (what spawn --persona takes)'), ...personaFields }).strict();
export type PersonaCreateInput = z.input<typeof personaCreateSchema>;

/** A change: a field given replaces, null clears it (rolePrompt cannot be cleared). */
export const personaPatchSchema = z
  .object({
    title: personaFields.title.unwrap().nullable().optional(),
    rolePrompt: personaFields.rolePrompt.optional(),
    model: personaFields.model.unwrap().nullable().optional(),
    image: imageNameSchema.nullable().optional(),
    allowedTools: personaFields.allowedTools.unwrap().nullable().optional(),
    disallowedTools: personaFields.disallowedTools.unwrap().nullable().optional(),
    memory: z.union([z.string(), z.number()]).nullable().optional(),
    cpus: z.union([z.string(), z.number()]).nullable().optional(),
    pids: z.union([z.string(), z.number()]).nullable().optional(),
    timeout: z.union([z.string(), z.number()]).nullable().optional(),
    lifecycle: lifecycleInputSchema.nullable().optional(),
  })
  .strict();
export type PersonaPatchInput = z.input<typeof personaPatchSchema>;

export const personaViewSchema = z
  .object({
    name: z.string(),
    builtin: z.boolean().describe('One of the built-in roles (editable, restorable, not deletable)'),
    edited: z.boolean().describe('A built-in role whose stored settings differ from the shipped ones'),
    ...personaFields,
    createdAt: z.number().nullable().describe('ms since the epoch; null for a built-in role never edited'),
    updatedAt: z.number().nullable(),
  })
  .meta({ id: 'Persona' });
export type PersonaView = z.output<typeof personaViewSchema>;

const READ_ONLY_TOOLS = ['Edit', 'Write', 'NotebookEdit'];

/**
 * The built-in roles, after ai-agents-sandbox's team (Technical Lead, Software Engineer, QA Engineer, Code Reviewer,
 * Technical Writer, Senior DevOps, Analytics Engineer) and the focus it gives each.
 */
export const BUILTIN_PERSONAS: Readonly<Record<string, PersonaSettings>> = Object.freeze({
  'tech-lead': {
    title: 'Technical Lead',
    rolePrompt:
      'You are the technical lead. Your focus: architecture design, task planning and routing, team coordination. Read the code before deciding; ' +
      'write down the design and a plan of small tasks (what, where, in which order, how it is tested) and keep changes you make yourself to what the plan needs.',
  },
  engineer: {
    title: 'Software Engineer',
    rolePrompt:
      'You are a software engineer. Your focus: API development, business logic, performance optimization. Make the change the task asks for, ' +
      'in the style of the surrounding code, with tests that prove it, and run them before you finish.',
  },
  qa: {
    title: 'QA Engineer',
    rolePrompt:
      'You are a QA engineer. Your focus: test creation and review, test automation, quality assurance. Find what is untested or broken, ' +
      'write tests that show it (edge cases, failure paths), run them, and report what fails and why; fix production code only when the task asks.',
  },
  reviewer: {
    title: 'Code Reviewer',
    rolePrompt:
      'You are a code reviewer. Your focus: automated code review and quality analysis. Read the change and its context; report bugs, ' +
      'security problems, missing tests and unclear code, each with the file and line and a concrete suggestion. Do not edit files.',
    disallowedTools: READ_ONLY_TOOLS,
  },
  writer: {
    title: 'Technical Writer',
    rolePrompt:
      'You are a technical writer. Your focus: documentation — API docs, guides, README files. Check every statement against the code, ' +
      'keep examples runnable, and write for the reader who has to use it tomorrow.',
  },
  devops: {
    title: 'DevOps Engineer',
    rolePrompt:
      'You are a senior DevOps engineer. Your focus: infrastructure, CI/CD pipelines, container orchestration. Keep builds reproducible, ' +
      'pipelines fast and secrets out of the repository; explain every operational change and how to roll it back.',
  },
  analytics: {
    title: 'Analytics Engineer',
    rolePrompt:
      'You are an analytics engineer. Your focus: requirements analysis, data exploration, metrics design. State the questions the data must answer, ' +
      'explore what exists, and define metrics precisely (source, formula, grain) before building on them.',
  },
});

export const personasRepo = (p: Paddock) => new PersonasRepo<PersonaSettings>(p.db);

const isBuiltin = (name: string): boolean => Object.hasOwn(BUILTIN_PERSONAS, name);

function view(name: string, row: NamedSpec<PersonaSettings> | undefined): PersonaView {
  const builtin = isBuiltin(name);
  const spec = row?.spec ?? BUILTIN_PERSONAS[name]!;
  return {
    name,
    builtin,
    edited: builtin && row !== undefined && JSON.stringify(row.spec) !== JSON.stringify(BUILTIN_PERSONAS[name]),
    ...spec,
    createdAt: row?.createdAt ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

export function listPersonas(p: Paddock): PersonaView[] {
  const rows = new Map(
    personasRepo(p)
      .list()
      .map((r) => [r.name, r]),
  );
  const names = [...new Set([...Object.keys(BUILTIN_PERSONAS), ...rows.keys()])].sort();
  return names.map((n) => view(n, rows.get(n)));
}

/** A persona's effective settings (a built-in role's edit, or the shipped role). */
export function getPersona(p: Paddock, name: string): { name: string; spec: PersonaSettings } {
  const key = name.trim();
  const row = personasRepo(p).get(key);
  if (row) return { name: key, spec: row.spec };
  const builtin = isBuiltin(key) ? BUILTIN_PERSONAS[key] : undefined;
  if (builtin) return { name: key, spec: builtin };
  throw notFound(`no persona ${name}`, `see \`paddock agent ls\` (built-in: ${Object.keys(BUILTIN_PERSONAS).join(', ')}); add one with \`paddock agent add NAME --role "…"\``);
}

export function showPersona(p: Paddock, name: string): PersonaView {
  const { name: key } = getPersona(p, name);
  return view(key, personasRepo(p).get(key));
}

export function addPersona(p: Paddock, input: PersonaCreateInput): PersonaView {
  const { name, ...spec } = validate(personaCreateSchema, input);
  if (isBuiltin(name)) throw new PaddockError(ErrorCode.Conflict, `${name} is a built-in persona`, { hint: `edit it with \`paddock agent set ${name} …\`, or choose another name` });
  checkLimits(p, spec, 'persona');
  if (spec.lifecycle) settleLifecycle(p, spec.lifecycle);
  if (!personasRepo(p).insert(name, spec, Date.now()))
    throw new PaddockError(ErrorCode.Conflict, `persona ${name} already exists`, { hint: `change it with \`paddock agent set ${name} …\`, or choose another name` });
  return showPersona(p, name);
}

export function setPersona(p: Paddock, name: string, patch: PersonaPatchInput): PersonaView {
  const current = getPersona(p, name);
  const changes = validate(personaPatchSchema, patch);
  const merged: Record<string, unknown> = { ...current.spec };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const spec = validate(personaSettingsSchema, merged);
  checkLimits(p, spec, 'persona');
  if (spec.lifecycle) settleLifecycle(p, spec.lifecycle);
  personasRepo(p).put(current.name, spec, Date.now());
  return showPersona(p, current.name);
}

/** Removes a persona; a built-in role is restored to its shipped settings instead (it cannot be removed). */
export function removePersona(p: Paddock, name: string): { name: string; action: 'removed' | 'restored' | 'unchanged' } {
  const { name: key } = getPersona(p, name);
  const deleted = personasRepo(p).delete(key);
  if (isBuiltin(key)) return { name: key, action: deleted ? 'restored' : 'unchanged' };
  return { name: key, action: 'removed' };
}
