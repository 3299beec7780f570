/** Shared pieces of the API's documented schemas. */
import { z } from 'zod';
import { ErrorCode } from '../app/index.ts';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
      message: z.string().describe('What was wrong, naming the field'),
      hint: z.string().optional().describe('What to do about it'),
    }),
  })
  .meta({ id: 'Error' });

export const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });

export const errorResponses = {
  400: json(errorSchema, 'Invalid input: the message names the field'),
  401: json(errorSchema, 'Missing or invalid credentials'),
  403: json(errorSchema, "Not permitted by the server's policy (e.g. network open without PADDOCK_EGRESS_OPEN)"),
  404: json(errorSchema, 'No such run (or session)'),
  409: json(errorSchema, 'Conflict: branch or session in use, run still live, merge conflict'),
  429: json(errorSchema, 'Rate limited: see Retry-After'),
  500: json(errorSchema, 'Internal error'),
  503: json(errorSchema, 'No container engine'),
} as const;
