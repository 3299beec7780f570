/** Who supervises a run: a process id plus its start time (so a recycled pid is never mistaken for the owner). */
import { readFileSync } from 'node:fs';

export interface Owner {
  pid: number;
  start: string;
}

/** Fields of /proc/<pid>/stat after the comm field (which may hold spaces): [0] is the state, [19] the start time. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

export const self = (): Owner => ({ pid: process.pid, start: processStart(process.pid) ?? '' });

export function ownerAlive(pid: number | null, start: string | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(pid);
  // A killed process that its parent has not reaped yet is a zombie: kill(pid, 0) succeeds, yet it is gone.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false;
  return start === null || fields?.[19] === start;
}
