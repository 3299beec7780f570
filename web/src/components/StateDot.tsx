/** A run's state as a coloured dot (pulsing while it lives), with the state's name for screen readers and hover. */
import { isLive } from '../lib/columns.ts';
import type { RunState } from '../lib/types.ts';

export function StateDot({ state }: { state: RunState }) {
  return <span className={`dot dot-${state}${isLive(state) ? ' pulse' : ''}`} role="img" aria-label={state} title={state} data-state={state} />;
}
