/** How the CLI's output ends: fully flushed before the process exits, and quietly when the reader goes away. */

/** Resolves once everything written to the stream so far has been handed to the OS (or the stream is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  // Writes complete in order: the callback of an empty write runs after every earlier write has been flushed.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Waits for stdout and stderr to drain, then exits with process.exitCode. */
export async function exitWhenFlushed(): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(process.exitCode ?? 0);
}

/**
 * A closed pipe (EPIPE: `paddock ls | head -1`) ends the command at once with exit 0 and no stack trace, the way
 * a reader that has seen enough expects. Nothing else is affected: a run being followed goes on.
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      throw e;
    });
  }
}
