/**
 * Projects and agent personas under /api/v1 (what `paddock project` and `paddock agent` call): list, show, create,
 * change (PATCH: a field given replaces, null clears), remove. Removing a built-in persona restores it.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  addPersona,
  addProject,
  listPersonas,
  listProjects,
  type Paddock,
  personaCreateSchema,
  personaPatchSchema,
  personaViewSchema,
  projectCreateSchema,
  projectPatchSchema,
  projectViewSchema,
  removePersona,
  removeProject,
  setPersona,
  setProject,
  showPersona,
  showProject,
} from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const nameParam = z.object({ name: z.string().describe('Name') });
const body = <S extends z.ZodType>(schema: S) => ({ required: true, content: { 'application/json': { schema } } });

export function registerProjectRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['projects'];
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/projects', tags, summary: 'Projects', responses: { 200: json(z.object({ projects: z.array(projectViewSchema) }), 'Projects'), ...errorResponses } }),
    (c) => c.json({ projects: listProjects(p) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/projects',
      tags,
      summary: 'Add a project (its path must be a git repository the repository policy allows)',
      request: { body: body(projectCreateSchema) },
      responses: { 201: json(projectViewSchema, 'Added'), ...errorResponses },
    }),
    async (c) => c.json(await addProject(p, c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/projects/{name}',
      tags,
      summary: 'A project',
      request: { params: nameParam },
      responses: { 200: json(projectViewSchema, 'The project'), ...errorResponses },
    }),
    (c) => c.json(showProject(p, c.req.valid('param').name), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/projects/{name}',
      tags,
      summary: 'Change a project (a field given replaces, null clears it)',
      request: { params: nameParam, body: body(projectPatchSchema) },
      responses: { 200: json(projectViewSchema, 'Changed'), ...errorResponses },
    }),
    async (c) => c.json(await setProject(p, c.req.valid('param').name, c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/projects/{name}',
      tags,
      summary: 'Remove a project (its runs keep what they were spawned with; their notifications stop)',
      request: { params: nameParam },
      responses: { 200: json(z.object({ removed: z.string(), runs: z.number().describe('Runs spawned with it') }), 'Removed'), ...errorResponses },
    }),
    (c) => c.json(removeProject(p, c.req.valid('param').name), 200),
  );

  const ptags = ['personas'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/personas',
      tags: ptags,
      summary: 'Agent personas (the built-in roles and stored ones)',
      responses: { 200: json(z.object({ personas: z.array(personaViewSchema) }), 'Personas'), ...errorResponses },
    }),
    (c) => c.json({ personas: listPersonas(p) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/personas',
      tags: ptags,
      summary: 'Add a persona',
      request: { body: body(personaCreateSchema) },
      responses: { 201: json(personaViewSchema, 'Added'), ...errorResponses },
    }),
    (c) => c.json(addPersona(p, c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/personas/{name}',
      tags: ptags,
      summary: 'A persona',
      request: { params: nameParam },
      responses: { 200: json(personaViewSchema, 'The persona'), ...errorResponses },
    }),
    (c) => c.json(showPersona(p, c.req.valid('param').name), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/personas/{name}',
      tags: ptags,
      summary: 'Change a persona, built-in ones too (a field given replaces, null clears it)',
      request: { params: nameParam, body: body(personaPatchSchema) },
      responses: { 200: json(personaViewSchema, 'Changed'), ...errorResponses },
    }),
    (c) => c.json(setPersona(p, c.req.valid('param').name, c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/personas/{name}',
      tags: ptags,
      summary: 'Remove a persona; a built-in one is restored to its shipped settings instead',
      request: { params: nameParam },
      responses: { 200: json(z.object({ name: z.string(), action: z.enum(['removed', 'restored', 'unchanged']) }), 'Done'), ...errorResponses },
    }),
    (c) => c.json(removePersona(p, c.req.valid('param').name), 200),
  );
}
