/** The paddock command: a thin client of the daemon (every verb is one or two API calls); errors map to exit codes with a hint. */
import { CommanderError } from 'commander';
import { isPaddockError } from '../app/light.ts';
import { info } from './context.ts';
import { buildProgram } from './program.ts';
import { EXIT_FOR_ERROR, EXIT_INTERNAL } from './exit-codes.ts';
import { paint, safe } from './format.ts';
import { exitWhenFlushed, quietOnClosedPipe } from './output.ts';

// `paddock logs -f <id> | head`: a reader that goes away ends the command quietly (exit 0); the run goes on.
quietOnClosedPipe();

const program = buildProgram();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isPaddockError(e)) {
    // Messages can carry what an agent wrote (file names in a merge conflict): made safe for the terminal.
    info(`${paint('red', 'error:', process.stderr)} ${safe(e.message)}`);
    if (e.hint) info(`${paint('dim', 'hint:', process.stderr)} ${safe(e.hint)}`);
    process.exitCode = EXIT_FOR_ERROR[e.code];
  } else {
    info(`${paint('red', 'internal error:', process.stderr)} ${safe((e as Error).message ?? String(e))}`);
    info(process.env.PADDOCK_DEBUG ? ((e as Error).stack ?? '') : paint('dim', 'hint: this is a bug in Paddock; PADDOCK_DEBUG=1 shows where it happened', process.stderr));
    process.exitCode = EXIT_INTERNAL;
  }
}
// Engine sockets may keep the event loop alive, so leave explicitly, but only once everything written has reached
// the reader: exiting with output still queued cut piped output at 64 KiB.
await exitWhenFlushed();
