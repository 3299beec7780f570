/** Who supervises a run: a process id plus its start time (so a recycled pid is never mistaken for the owner). */
import { readFileSync } from 'node:fs';

export interface Owner {
  pid: number;
  start: string;
}

export function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat is the start time in clock ticks since boot; the comm field may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export const self = (): Owner => ({ pid: process.pid, start: processStart(process.pid) ?? '' });

export function ownerAlive(pid: number | null, start: string | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return start === null || processStart(pid) === start;
}
