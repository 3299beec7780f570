/** Merging the run branch into its base (or squashing it); a conflict changes nothing and says so. */
import { useState } from 'react';
import { ApiError, api } from '../lib/api.ts';
import type { MergeResult, Run } from '../lib/types.ts';

export function MergeBar({ run, outsideSymlinks, onMerged }: { run: Run; outsideSymlinks: boolean; onMerged: (r: Run) => void }) {
  const [busy, setBusy] = useState(false);
  const [allowLinks, setAllowLinks] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  if (run.mergedAt !== null)
    return (
      <p className="notice good" role="status">
        Merged{run.mergeSha ? ` as ${run.mergeSha.slice(0, 10)}` : ''}.
      </p>
    );
  if (run.state !== 'completed' || !run.bringBack) return null;
  const merge = async (squash: boolean) => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api<MergeResult>('POST', `/api/v1/runs/${run.id}/merge`, { squash, ...(allowLinks ? { allowOutsideSymlinks: true } : {}) });
      onMerged(r.run);
      setMsg({ ok: true, text: r.merged ? `Merged into ${r.into} (${r.commit.slice(0, 10)}).` : `Nothing merged: ${r.nothingBecause ?? 'no changes'}.` });
    } catch (e) {
      const conflict = e instanceof ApiError && e.code === 'MERGE_CONFLICT';
      setMsg({ ok: false, text: conflict ? `Conflict: ${e.message}. Nothing was changed; ${e.hint ?? 'resolve it in the repository, or resume the run on a fresh base'}.` : (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="controls merge">
      <button type="button" className="primary" disabled={busy} onClick={() => void merge(false)}>
        Merge into {run.baseRef}
      </button>
      <button type="button" disabled={busy} onClick={() => void merge(true)}>
        Squash and merge
      </button>
      {outsideSymlinks && (
        <label>
          <input type="checkbox" checked={allowLinks} onChange={(e) => setAllowLinks(e.target.checked)} /> Merge the outside symlinks too
        </label>
      )}
      {msg && (
        <p className={msg.ok ? 'notice good' : 'notice error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
    </div>
  );
}
