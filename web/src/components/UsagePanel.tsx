/** A run's limits and what it used. */
import { bytes, cost, duration, tokens } from '../lib/format.ts';
import type { Run } from '../lib/types.ts';

export function UsagePanel({ run }: { run: Run }) {
  const rows: [string, string][] = [
    ['Memory', bytes(run.memoryBytes)],
    ['CPUs', String(run.cpus)],
    ['Processes', String(run.pids)],
    ['Timeout', duration(run.timeoutMs)],
    ['Input tokens', tokens(run.inputTokens)],
    ['Output tokens', tokens(run.outputTokens)],
    ['Cache read', tokens(run.cacheReadTokens)],
    ['Cache written', tokens(run.cacheCreationTokens)],
    ['Turns', run.numTurns === null ? '–' : String(run.numTurns)],
    ['Cost', cost(run.costUsd)],
    ['Budget', run.maxBudgetUsd === undefined || run.maxBudgetUsd === null ? 'none' : cost(run.maxBudgetUsd)],
    ['Image', run.image],
    ['Model', run.model ?? 'default'],
  ];
  return (
    <section className="panel" aria-labelledby="usage-title">
      <h2 id="usage-title">Limits and usage</h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
