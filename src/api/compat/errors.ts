/**
 * Errors on the Stromboli face, in the body shape each endpoint has there (Stromboli has four): RunResponse-shaped
 * for /run and /jobs, {sessions: null, error} for GET /sessions, {success: false, error} for DELETE /sessions/{id},
 * {error} elsewhere, and plain text before /run/stream's stream starts. Where Stromboli answers 500 for bad input
 * (its runner's validation), Paddock answers 400: the status follows the error's code, the shape the endpoint.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { ErrorCode, invalidInput, type PaddockError } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';

/** The message a Stromboli client sees: what was wrong, then what to do about it. */
export const messageOf = (e: PaddockError): string => (e.hint ? `${e.message} (${e.hint})` : e.message);

/** Paths of the Stromboli face (other root routes, e.g. /auth or /agents, have their own shapes). */
export function isCompatPath(path: string): boolean {
  return (
    path === '/health' ||
    path === '/claude/status' ||
    path === '/run' ||
    path === '/run/async' ||
    path === '/run/stream' ||
    path === '/jobs' ||
    path.startsWith('/jobs/') ||
    path === '/sessions' ||
    path.startsWith('/sessions/')
  );
}

export function compatErrorResponse(c: Context<ApiEnv>, e: PaddockError, status: ContentfulStatusCode): Response | undefined {
  const path = c.req.path;
  if (!isCompatPath(path)) return undefined;
  // An image that is not there is a bad request here (Stromboli: "image validation failed"), not a 422.
  const st: ContentfulStatusCode = e.code === ErrorCode.ImageNotFound ? 400 : status;
  const error = messageOf(e);
  if (path === '/run/stream') return c.text(error, st);
  if (path === '/run' || path === '/run/async' || path === '/jobs' || path.startsWith('/jobs/')) return c.json({ id: '', status: 'error', error }, st);
  if (path === '/sessions') return c.json({ sessions: null, error }, st);
  if (/^\/sessions\/[^/]*$/.test(path) && c.req.method === 'DELETE') return c.json({ success: false, error }, st);
  return c.json({ error }, st);
}

/**
 * The request body as JSON, checked against a wire schema. Read whatever the Content-Type says (gin's
 * ShouldBindJSON does too); a failure is INVALID_INPUT "Invalid request: …" naming the field.
 */
export async function readJson<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`Invalid request: the body is not JSON (${(e as Error).message.slice(0, 200)})`, 'send a JSON object');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidInput('Invalid request: the body must be a JSON object');
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw invalidInput(`Invalid request: ${describeIssues(r.error.issues)}`, "see Stromboli's RunRequest, and docs/api.md for what Paddock does with each field");
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const at = i.path.map(String).join('.');
      if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => (at ? `${at}.${k}` : k).slice(0, 100)).join(', ')}`;
      if (i.code === 'invalid_type' && i.message.endsWith('received undefined')) return `${at}: is required`;
      if (i.code === 'invalid_type') return `${at || 'body'}: must be ${i.expected === 'record' || i.expected === 'object' ? 'an object' : `a${/^[aeiou]/.test(i.expected) ? 'n' : ''} ${i.expected}`}`;
      return `${at || 'body'}: ${i.message}`;
    })
    .join('; ');
}
