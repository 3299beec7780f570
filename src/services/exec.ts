/**
 * A command run inside a live container through the engine's exec API (a service's health check), with a timeout and
 * a bound on the output kept. The output is the container's: hostile text, only ever shown cleaned (clean.ts).
 */
import { PassThrough } from 'node:stream';
import { clientFor } from '../runtime/engine/client.ts';

export interface ExecResult {
  /** null: it did not finish within the timeout. */
  exitCode: number | null;
  /** stdout and stderr interleaved, the last maxBytes of it. */
  output: string;
}

export async function execIn(socketPath: string, containerId: string, argv: readonly string[], opts: { timeoutMs: number; maxBytes?: number }): Promise<ExecResult> {
  const docker = clientFor(socketPath);
  const container = docker.getContainer(containerId);
  const exec = await container.exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const max = opts.maxBytes ?? 4096;
  let kept = Buffer.alloc(0);
  const sink = new PassThrough();
  sink.on('data', (b: Buffer) => {
    kept = Buffer.concat([kept, b]);
    if (kept.length > max) kept = kept.subarray(kept.length - max);
  });
  docker.modem.demuxStream(stream, sink, sink);
  const ended = new Promise<boolean>((resolve) => {
    stream.once('end', () => resolve(true));
    stream.once('close', () => resolve(true));
    stream.once('error', () => resolve(true));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), opts.timeoutMs);
  });
  const finished = await Promise.race([ended, timedOut]);
  clearTimeout(timer);
  if (!finished) {
    stream.destroy();
    return { exitCode: null, output: kept.toString('utf8') };
  }
  // The stream ends a moment before the engine records the exit code.
  for (let i = 0; i < 50; i++) {
    const info = (await exec.inspect()) as { Running?: boolean; ExitCode?: number | null };
    if (!info.Running && typeof info.ExitCode === 'number') return { exitCode: info.ExitCode, output: kept.toString('utf8') };
    await new Promise((r) => setTimeout(r, 20));
  }
  return { exitCode: null, output: kept.toString('utf8') };
}
