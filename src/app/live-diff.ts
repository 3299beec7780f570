/**
 * The diff of a live run, computed in a throwaway helper container (the only place git may touch a clone its agent
 * can still write): the clone and the user's objects mounted read-only, the agent's hardening, no network, a time
 * limit, and an output bound on both sides (the helper cuts each part; the host stops reading past its budget).
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { Run } from '../jobs/index.ts';
import { buildHelperContainerSpec } from '../runtime/index.ts';
import { LIVE_CLONE_MOUNT, liveDiffArgv, type LiveDiffResult, parseLiveDiffOutput, readCheckoutRecord } from '../workspace/index.ts';
import type { Paddock } from './context.ts';
import { storedIdentity } from './jail.ts';
import { currentOwner } from '../workspace/ownership.ts';

/** Each part of the output (patch, stat, numstat, name-status) is cut at this many bytes. */
export const LIVE_DIFF_MAX_BYTES = 8 * 1024 * 1024;
/** The helper is removed (killed) after this long. */
const LIVE_DIFF_TIMEOUT_MS = 120_000;
const MiB = 1024 * 1024;

export async function liveDiff(p: Paddock, run: Run): Promise<LiveDiffResult> {
  if (run.workspace !== 'clone' || !run.checkoutDir) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has no checkout yet (${run.state})`, { hint: `wait for it to start (paddock status ${run.id})` });
  }
  const record = await readCheckoutRecord(run.runDir);
  const runtime = await p.runtime();
  // Paddock's own agent image has the tools the script needs (bash, git, base64); a run's custom image may not.
  const image = p.config.image;
  if (!(await runtime.imageExists(image))) {
    throw new PaddockError(ErrorCode.ImageNotFound, `image ${image} is not in the engine: a live diff runs git in it`, { hint: 'build it with `paddock image build`' });
  }
  const id = await runtime.createContainer(
    buildHelperContainerSpec({
      instance: p.instance,
      runId: run.id,
      name: `paddock-diff-${run.id}-${randomBytes(4).toString('hex')}`,
      image,
      argv: liveDiffArgv({ baseSha: record.baseSha, branch: record.branch, objectsDir: record.objectsDir, objectFormat: record.objectFormat, maxBytes: LIVE_DIFF_MAX_BYTES }),
      readOnlyMounts: [
        { host: run.checkoutDir, container: LIVE_CLONE_MOUNT },
        { host: record.objectsDir, container: record.objectsDir },
      ],
      limits: { memoryBytes: 768 * MiB, cpus: 1, pids: 128 },
      tmpBytes: 512 * MiB,
      // As the run's own identity: the clone is that identity's (git refuses a repository someone else owns).
      user: storedIdentity(p, run.id) ?? currentOwner(),
      engine: runtime.info.kind,
    }),
  );
  const deadline = AbortSignal.timeout(LIVE_DIFF_TIMEOUT_MS);
  try {
    await runtime.startContainer(id);
    const code = await Promise.race([
      runtime.waitContainer(id),
      new Promise<never>((_, reject) =>
        deadline.addEventListener(
          'abort',
          () =>
            reject(
              new PaddockError(ErrorCode.Internal, `the live diff of run ${run.id} took over ${LIVE_DIFF_TIMEOUT_MS / 1000} s`, {
                hint: 'try again; if it keeps happening, the clone may hold something git cannot read (a FIFO, say)',
              }),
            ),
          { once: true },
        ),
      ),
    ]);
    const lines: string[] = [];
    const stderr: string[] = [];
    // base64 of four parts at most, plus section lines: anything past that is not the script talking.
    let budget = Math.ceil((4 * (LIVE_DIFF_MAX_BYTES + 1) * 4) / 3) + 64 * 1024;
    const stop = new AbortController();
    for await (const l of runtime.logs(id, { follow: false, signal: AbortSignal.any([stop.signal, deadline]) })) {
      budget -= l.line.length + 1;
      if (budget < 0) {
        stop.abort();
        throw new PaddockError(ErrorCode.Internal, `the live diff helper of run ${run.id} wrote more than it may`, { hint: 'try again' });
      }
      if (l.stream === 'stdout') lines.push(l.line);
      else if (stderr.length < 20) stderr.push(l.line.slice(0, 500));
    }
    try {
      return parseLiveDiffOutput(lines, LIVE_DIFF_MAX_BYTES);
    } catch (e) {
      throw new PaddockError(ErrorCode.GitFailed, `the live diff of run ${run.id} failed (exit ${code}): ${(e as Error).message}`.slice(0, 2000), {
        hint: 'the agent may have left its clone in a state git cannot read; the diff is there once the run ends',
        details: { stderr: stderr.join('\n') },
      });
    }
  } finally {
    await runtime.removeContainer(id).catch(() => {});
  }
}
