/** Projects and agent personas (docs/projects.md): what spawn_run's project and persona fields can name. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { listPersonas, listProjects, personaViewSchema, projectViewSchema } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { defineTool } from '../tool.ts';

export const PROFILE_TOOLS = ['list_projects', 'list_personas'] as const;

export function registerProfileTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;
  defineTool(
    server,
    log,
    'list_projects',
    {
      title: 'List projects',
      description:
        "The stored projects: a repository (path) with spawn defaults (base branch, image, limits, egress additions, notifications). Pass a project's name as spawn_run's project to " +
        'work on its repository with its defaults (the request wins where it says otherwise).',
      input: z.object({}),
      output: z.object({ projects: z.array(projectViewSchema) }),
      annotations: { readOnlyHint: true },
    },
    () => ({ projects: listProjects(p) }),
  );
  defineTool(
    server,
    log,
    'list_personas',
    {
      title: 'List agent personas',
      description:
        "The agent personas (built-in roles such as qa, reviewer, tech-lead, and stored ones): a role prompt, model, image, tools and limits. Pass one's name as spawn_run's persona " +
        'to give the agent that role (its prompt is appended to the system prompt).',
      input: z.object({}),
      output: z.object({ personas: z.array(personaViewSchema) }),
      annotations: { readOnlyHint: true },
    },
    () => ({ personas: listPersonas(p) }),
  );
}
