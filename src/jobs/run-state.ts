/** The one way a run's state changes: checked against the transition table, recorded as an event. */
import type { EventLog } from '../events/index.ts';
import type { RunsRepo } from '../store/runs-repo.ts';
import type { Run } from './run.ts';
import type { RunPhase, RunState } from './states.ts';
import { assertTransition } from './transitions.ts';

export function transitionRun(runs: RunsRepo, events: EventLog, id: string, to: RunState, patch: Partial<Run> = {}): Run {
  const from = runs.mutate(id, (current) => {
    assertTransition(id, current.state, to);
    return { patch: { ...patch, state: to }, value: current.state };
  });
  events.append(id, { kind: 'state', from, to, reason: patch.reason ?? null });
  const run = runs.get(id);
  if (!run) throw new Error(`run ${id} vanished`);
  return run;
}

export function setPhase(runs: RunsRepo, events: EventLog, id: string, phase: RunPhase): void {
  runs.update(id, { phase });
  events.append(id, { kind: 'phase', phase });
}
