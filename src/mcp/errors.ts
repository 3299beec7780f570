/**
 * How failures look to an MCP client: a tool error (`isError: true`) whose text is the API's error body,
 * `{"error":{"code","message","hint?"}}`, with the same code and message the REST API answers. Anything that is not
 * a PaddockError becomes INTERNAL with no internals (logged). Arguments that do not match a tool's input schema are
 * refused by the SDK before a tool runs (its own "Input validation error" tool error, naming the field).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, isPaddockError, PaddockError } from '../app/index.ts';

export interface McpLog {
  error(obj: object, msg?: string): void;
}

export function asPaddockError(e: unknown, log?: McpLog): PaddockError {
  if (isPaddockError(e)) return e;
  log?.error({ err: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'mcp tool failed');
  return new PaddockError(ErrorCode.Internal, 'internal error', { hint: 'this is a bug in Paddock; the daemon log has the details (paddock daemon logs)' });
}

/** The API's error body for a PaddockError. */
export function errorBody(e: PaddockError): { error: { code: ErrorCode; message: string; hint?: string } } {
  return { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
}

export function toolError(e: unknown, log?: McpLog): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(errorBody(asPaddockError(e, log))) }] };
}
