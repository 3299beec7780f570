import { invalidInput, notFound } from '../errors/index.ts';
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';

/** A run by its id or a unique prefix of it (as with git and docker ids). */
export function findRun(p: Paddock, idOrPrefix: string): Run {
  const key = idOrPrefix.trim();
  if (!/^[0-9a-f]{1,32}$/i.test(key)) throw invalidInput(`"${idOrPrefix}" is not a run id`, 'run ids are hex, as `paddock ls` shows them');
  const exact = p.runs.get(key.toLowerCase());
  if (exact) return exact;
  const matches = p.runs.findByPrefix(key.toLowerCase());
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw notFound(`no run ${idOrPrefix}`, 'see `paddock ls --all` for the runs this Paddock knows');
  throw invalidInput(`"${idOrPrefix}" matches ${matches.length} runs (${matches.map((r) => r.id).join(', ')})`, 'type more characters of the id');
}
