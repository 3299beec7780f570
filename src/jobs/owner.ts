/**
 * Who supervises a run: a host, known by its process (pid + start time, so a recycled pid is never mistaken for the
 * owner) and its own id (so two hosts in one process, as in tests, never both claim a run).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Owner {
  pid: number;
  start: string;
  id: string;
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

/** Hosts of this process that are open: an owner of this process not in here has shut down. */
const liveHosts = new Set<string>();

/** A new owner identity in this process, live until retired. */
export function newOwner(): Owner {
  const owner = { pid: process.pid, start: processStart(process.pid) ?? '', id: randomBytes(8).toString('hex') };
  liveHosts.add(owner.id);
  return owner;
}

export function retireOwner(owner: Owner): void {
  liveHosts.delete(owner.id);
}

export function ownerAlive(pid: number | null, start: string | null, id: string | null = null): boolean {
  if (pid === null) return false;
  if (pid === process.pid && (start === null || start === processStart(pid))) return id === null || liveHosts.has(id);
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

export const ownedBy = (run: { ownerPid: number | null; ownerStart: string | null; ownerId: string | null }, o: Owner): boolean =>
  run.ownerPid === o.pid && run.ownerStart === o.start && run.ownerId === o.id;
