/** --json output: results on stdout as JSON; never the run's capability token. */
import { out } from './context.ts';

/** What --json shows of a run: everything but the capability token. */
export function publicRun<T extends { modelToken: string }>(r: T): Omit<T, 'modelToken'> {
  const { modelToken: _, ...rest } = r;
  return rest;
}

export const printJson = (value: unknown): void => out(JSON.stringify(value, null, 2));
