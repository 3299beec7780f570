/** --json output: results on stdout as JSON (the daemon's views carry no run token). */
import { out } from './context.ts';

export const printJson = (value: unknown): void => out(JSON.stringify(value, null, 2));
