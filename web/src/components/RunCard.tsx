/** A run on the board: repo, branch, type, agent, age, tokens and cost, its state dot; a link to its page. */
import { age, cost, repoName, tokens, totalTokens } from '../lib/format.ts';
import type { Run } from '../lib/types.ts';
import { A } from './A.tsx';
import { StateDot } from './StateDot.tsx';

export function RunCard({ run, now }: { run: Run; now: number }) {
  return (
    <A href={`/runs/${run.id}`} className="run-card">
      <span className="run-card-top" data-run={run.id}>
        <StateDot state={run.state} />
        <span className="repo" title={run.repo}>
          {repoName(run.repo)}
        </span>
        <span className="age" title={new Date(run.createdAt).toLocaleString()}>
          {age(run.createdAt, now)}
        </span>
      </span>
      <span className="branch" title={run.branch}>
        {run.branch || run.workspace}
      </span>
      <span className="task">{run.task}</span>
      <span className="meta">
        <span className="tag">{run.type}</span>
        {run.queuePosition !== null && <span>#{run.queuePosition} in queue</span>}
        <span>{run.agent}</span>
        <span title="tokens">{tokens(totalTokens(run))} tok</span>
        <span title="cost">{cost(run.costUsd)}</span>
      </span>
    </A>
  );
}
