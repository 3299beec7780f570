import type { z } from 'zod';
import { invalidInput } from '../errors/index.ts';

/** Parses input with a schema; the first problem becomes an INVALID_INPUT error naming the field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || 'input';
  throw invalidInput(`${field}: ${issue?.message ?? 'invalid'}`);
}
