/** One run: what it is, its controls, limits and usage, the live transcript and its network log. */
import { useRunStream } from '../lib/hooks.ts';
import { repoName } from '../lib/format.ts';
import { A } from './A.tsx';
import { LinkState } from './LinkState.tsx';
import { NetworkLog } from './NetworkLog.tsx';
import { RunControls } from './RunControls.tsx';
import { StateDot } from './StateDot.tsx';
import { TranscriptView } from './TranscriptView.tsx';
import { UsagePanel } from './UsagePanel.tsx';

export function RunPage({ id }: { id: string }) {
  const { run, transcript, link, ended, error } = useRunStream(id);
  if (error && !run)
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  if (!run) return <p className="notice">Loading…</p>;
  return (
    <article className="run-page" aria-labelledby="run-title">
      <div className="page-head">
        <h1 id="run-title">
          <StateDot state={run.state} /> <span className="state-name">{run.state}</span> {repoName(run.repo)}
        </h1>
        <LinkState link={ended ? 'ended' : link} />
      </div>
      <p className="task-full">{run.task}</p>
      <p className="sub">
        <code>{run.branch || run.workspace}</code> from <code>{run.baseRef}</code> · {run.type} · {run.agent}
        {run.reason ? ` · ${run.reason}` : ''}
        {run.parentRunId && (
          <>
            {' · spawned by '}
            <A href={`/runs/${run.parentRunId}`}>{run.parentRunId}</A>
          </>
        )}
        {run.workspace === 'clone' && (
          <>
            {' · '}
            <A href={`/runs/${run.id}/diff`}>Diff</A>
          </>
        )}
      </p>
      {run.error && (
        <p className="notice error" role="alert">
          {run.error}
        </p>
      )}
      <RunControls run={run} />
      <div className="run-grid">
        <TranscriptView transcript={transcript} />
        <aside>
          <UsagePanel run={run} />
          <NetworkLog runId={run.id} live={!ended} />
        </aside>
      </div>
    </article>
  );
}
