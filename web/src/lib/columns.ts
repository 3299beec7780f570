/** Which board column a run's state puts it in. */
import type { Run, RunState } from './types.ts';

export const COLUMNS = [
  { key: 'queued', title: 'Queued' },
  { key: 'running', title: 'Running' },
  { key: 'review', title: 'Needs review' },
  { key: 'done', title: 'Done' },
  { key: 'failed', title: 'Failed' },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]['key'];

const LIVE: readonly RunState[] = ['running', 'stalled', 'idle'];
const WAITING: readonly RunState[] = ['queued', 'pending', 'starting'];
const FAILED: readonly RunState[] = ['failed', 'timed_out', 'crashed'];

/** queued, running; completed with commits to look at: needs review; merged, nothing to merge or cancelled: done. */
export function columnOf(r: Run): ColumnKey {
  if (WAITING.includes(r.state)) return 'queued';
  if (LIVE.includes(r.state)) return 'running';
  if (FAILED.includes(r.state)) return 'failed';
  if (r.state === 'completed' && r.mergedAt === null && r.bringBack && (r.commitsAhead ?? 0) > 0) return 'review';
  return 'done';
}

export const isLive = (s: RunState): boolean => WAITING.includes(s) || LIVE.includes(s);
