/**
 * A run's branch against its base: the file tree, each file's diff (unified or side by side), what finalize flagged,
 * and merging. A live run's diff is its clone as it is now (the daemon's live diff), fetched again on request.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { splitPatch } from '../lib/diff.ts';
import type { Run, RunDiff, RunEvent } from '../lib/types.ts';
import { A } from './A.tsx';
import { FileDiff } from './FileDiff.tsx';
import { FileTree } from './FileTree.tsx';
import { FinalizeFlags, type FinalizeReport } from './FinalizeFlags.tsx';
import { MergeBar } from './MergeBar.tsx';

export function DiffPage({ id }: { id: string }) {
  const [diff, setDiff] = useState<RunDiff | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [report, setReport] = useState<FinalizeReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'unified' | 'split'>(() => (window.innerWidth < 900 ? 'unified' : 'split'));
  const load = useCallback(() => {
    setError(null);
    Promise.all([api<RunDiff>('GET', `/api/v1/runs/${id}/diff`), api<{ run: Run }>('GET', `/api/v1/runs/${id}`), api<{ events: RunEvent[] }>('GET', `/api/v1/runs/${id}/events?limit=10000`)]).then(
      ([d, s, ev]) => {
        setDiff(d);
        setRun(s.run);
        const fin = ev.events.findLast((e) => e.kind === 'finalize');
        setReport(fin ? (fin.data.report as FinalizeReport) : null);
      },
      (e: Error) => setError(e.message),
    );
  }, [id]);
  useEffect(load, [load]);
  if (error)
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  if (!diff || !run) return <p className="notice">Loading the diff…</p>;
  const patches = splitPatch(diff.patch);
  return (
    <article className="diff-page" aria-labelledby="diff-title">
      <div className="page-head">
        <h1 id="diff-title">
          <code>{diff.branch}</code>
        </h1>
        <A href={`/runs/${id}`}>Back to the run</A>
      </div>
      <p className="sub">
        {diff.total.files} files, <span className="good">+{diff.total.added}</span> <span className="bad">−{diff.total.deleted}</span> against <code>{diff.base.slice(0, 10)}</code>
        {diff.live && ' · live: the run is still working'}
        {diff.truncated && ' · cut at the size limit'}
      </p>
      <div className="controls">
        <fieldset className="toggle">
          <legend>View</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'unified'} onChange={() => setMode('unified')} /> Unified
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'split'} onChange={() => setMode('split')} /> Side by side
          </label>
        </fieldset>
        {diff.live && (
          <button type="button" onClick={load}>
            Refresh
          </button>
        )}
      </div>
      {report && <FinalizeFlags report={report} />}
      <MergeBar run={run} outsideSymlinks={(report?.outsideSymlinks.length ?? 0) > 0} onMerged={setRun} />
      <div className="diff-grid">
        <FileTree files={diff.files} />
        <div className="files">
          {diff.files.length === 0 && <p className="muted">No changes.</p>}
          {diff.files.map((f) => (
            <FileDiff key={f.path} file={f} lines={patches.get(f.path) ?? []} mode={mode} />
          ))}
        </div>
      </div>
    </article>
  );
}
