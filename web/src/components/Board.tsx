/** The board: every run in its column, live (the board feed), newest first. */
import { COLUMNS, columnOf } from '../lib/columns.ts';
import { useBoard, useNow } from '../lib/hooks.ts';
import { Column } from './Column.tsx';
import { LinkState } from './LinkState.tsx';

export function Board() {
  const { runs, link } = useBoard();
  const now = useNow();
  return (
    <section aria-labelledby="board-title">
      <div className="page-head">
        <h1 id="board-title">Runs</h1>
        <LinkState link={link} />
      </div>
      <div className="board">
        {COLUMNS.map((c) => (
          <Column key={c.key} id={c.key} title={c.title} runs={runs.filter((r) => columnOf(r) === c.key)} now={now} />
        ))}
      </div>
    </section>
  );
}
