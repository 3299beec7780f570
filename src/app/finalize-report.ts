/** What finalize found in a run's tree, as stored (a `finalize` event) and as said to people (notes, status, diff). */
import type { FinalizeReport } from '../workspace/index.ts';
import type { Paddock } from './context.ts';

export type { FinalizeReport };

const MiB = 1024 * 1024;
const mib = (n: number) => `${(n / MiB).toFixed(n >= 10 * MiB ? 0 : 1)} MiB`;
const some = <T>(xs: readonly T[], show: (x: T) => string, max = 10) => xs.slice(0, max).map(show).join(', ') + (xs.length > max ? ` and ${xs.length - max} more` : '');

/** One sentence per kind of finding, for the run's transcript. */
export function finalizeNotes(r: FinalizeReport): string[] {
  const notes: string[] = [];
  if (r.removed.length > 0) notes.push(`finalize removed ${r.removed.length} special file(s) before running git: ${some(r.removed, (x) => `${x.path} (${x.kind})`)}`);
  if (r.leftOut.length > 0)
    notes.push(
      `finalize left ${r.leftOut.length} file(s) out of the commit: ${some(r.leftOut, (f) => `${f.path} (${f.why === 'sparse' ? `sparse: ${mib(f.size)}, ${mib(f.allocated)} on disk` : `${mib(f.size)}, above ${mib(r.maxFileBytes)}`})`)}`,
    );
  if (r.outsideSymlinks.length > 0) notes.push(`the run left ${r.outsideSymlinks.length} symlink(s) pointing outside its tree: ${some(r.outsideSymlinks, (l) => `${l.path} -> ${l.target}`)}`);
  if (r.authorFlags.length > 0)
    notes.push(`${r.authorFlags.length} commit(s) claim an author or date that is not the agent's: ${some(r.authorFlags, (c) => `${c.sha.slice(0, 10)} by ${c.author} (${c.flags.join(', ')})`)}`);
  return notes;
}

/** The run's finalize report, if it was finalized (the last one). */
export function finalizeReportOf(p: Paddock, runId: string): FinalizeReport | null {
  const e = p.events.lastOfKind(runId, 'finalize');
  return e ? ((e.data.report ?? null) as FinalizeReport | null) : null;
}
