/** One board column: its title, how many, its cards. */
import type { Run } from '../lib/types.ts';
import { RunCard } from './RunCard.tsx';

export function Column({ id, title, runs, now }: { id: string; title: string; runs: Run[]; now: number }) {
  return (
    <section className="column" data-column={id} aria-labelledby={`col-${id}`}>
      <h2 id={`col-${id}`}>
        {title} <span className="count">{runs.length}</span>
      </h2>
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            <RunCard run={r} now={now} />
          </li>
        ))}
      </ul>
    </section>
  );
}
