/**
 * A group's `--check` over one finished run: a fresh private clone of the run's head (never the user's checkout),
 * mounted read-only into a helper container with the agent's hardening (the run's image and UID, no network, limits,
 * a time limit); the command runs in a copy of it on the helper's tmpfs, so nothing it does comes back.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Run } from '../jobs/index.ts';
import { buildHelperContainerSpec } from '../runtime/index.ts';
import type { GroupCheck, RunGroup } from '../store/groups-repo.ts';
import { createRunCheckout } from '../workspace/index.ts';
import type { Paddock } from './context.ts';
import { storedIdentity } from './jail.ts';

const MiB = 1024 * 1024;
/** What is kept of a check's output: its last lines, each cut, in all at most this many bytes. */
const TAIL_LINES = 40;
const TAIL_LINE_BYTES = 500;
/** Past this much output the host stops reading (the check goes on to its end or its time limit). */
const READ_BUDGET = 4 * MiB;
const CHECK_MOUNT = '/paddock-check';

/** The helper's script: copy the clone onto the tmpfs, then become the check (sh -c): its exit is the container's. */
const SCRIPT = 'set -e; mkdir /tmp/work; cp -a "$1/." /tmp/work/; cd /tmp/work; exec sh -c "$2"';

export async function runGroupCheck(p: Paddock, run: Run, group: RunGroup): Promise<GroupCheck> {
  const started = Date.now();
  const result = (r: Partial<GroupCheck>): GroupCheck => ({
    runId: run.id,
    headSha: run.headSha ?? '',
    exitCode: null,
    passed: false,
    error: null,
    outputTail: '',
    durationMs: Date.now() - started,
    checkedAt: Date.now(),
    ...r,
  });
  const identity = storedIdentity(p, run.id);
  if (!identity || !run.headSha) return result({ error: 'the run has no identity or head commit on record' });
  const runtime = await p.runtime();
  if (!(await runtime.imageExists(run.image))) return result({ error: `image ${run.image} is no longer in the engine` });
  const dir = join(p.config.home, 'groups', group.id, `check-${run.id}-${randomBytes(3).toString('hex')}`);
  let container: string | undefined;
  try {
    const checkout = await createRunCheckout({
      paddockHome: p.config.home,
      repo: run.repo,
      runDir: dir,
      branch: `paddock-check/${run.id}`,
      baseSha: run.headSha,
      uid: identity.uid,
      gid: identity.gid,
    });
    container = await runtime.createContainer(
      buildHelperContainerSpec({
        instance: p.instance,
        runId: run.id,
        name: `paddock-check-${run.id}-${randomBytes(4).toString('hex')}`,
        image: run.image,
        // sh, not bash: a run's image may be any image (docs/images.md), whose only shell is a POSIX one.
        argv: ['sh', '-c', SCRIPT, 'paddock-check', CHECK_MOUNT, group.checkCommand ?? 'true'],
        readOnlyMounts: [
          { host: checkout.dir, container: CHECK_MOUNT },
          { host: checkout.objectsDir, container: checkout.objectsDir },
          ...checkout.alternateObjectDirs.map((d) => ({ host: d, container: d })),
        ],
        limits: { memoryBytes: Math.max(run.memoryBytes, 1024 * MiB), cpus: run.cpus, pids: run.pids },
        tmpBytes: 1024 * MiB,
        user: identity,
        engine: runtime.info.kind,
      }),
    );
    await runtime.startContainer(container);
    const exit = await Promise.race([runtime.waitContainer(container), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), group.checkTimeoutMs).unref())]);
    if (exit === 'timeout') await runtime.stopContainer(container, 1).catch(() => {});
    const tail = await readTail(container);
    if (exit === 'timeout') return result({ error: `timed out after ${Math.round(group.checkTimeoutMs / 1000)} s`, outputTail: tail });
    return result({ exitCode: exit, passed: exit === 0, outputTail: tail });
  } catch (e) {
    return result({ error: (e as Error).message.slice(0, 1000) });
  } finally {
    if (container) await runtime.removeContainer(container).catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }

  async function readTail(id: string): Promise<string> {
    const lines: string[] = [];
    let budget = READ_BUDGET;
    const stop = new AbortController();
    for await (const l of runtime.logs(id, { follow: false, signal: stop.signal })) {
      budget -= l.line.length + 1;
      if (budget < 0) {
        stop.abort();
        break;
      }
      lines.push(l.line.slice(0, TAIL_LINE_BYTES));
      if (lines.length > TAIL_LINES) lines.shift();
    }
    return lines.join('\n');
  }
}
