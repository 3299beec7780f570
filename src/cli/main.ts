/** The paddock command. Every verb is a thin shell over app/; errors map to exit codes with a hint. */
import { CommanderError } from 'commander';
import { isPaddockError } from '../errors/index.ts';
import { closePaddock, info } from './context.ts';
import { buildProgram } from './program.ts';
import { EXIT_FOR_ERROR } from './exit-codes.ts';
import { paint } from './format.ts';

const program = buildProgram();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isPaddockError(e)) {
    info(`${paint('red', 'error:', process.stderr)} ${e.message}`);
    if (e.hint) info(`${paint('dim', 'hint:', process.stderr)} ${e.hint}`);
    process.exitCode = EXIT_FOR_ERROR[e.code];
  } else {
    info(`${paint('red', 'error:', process.stderr)} ${(e as Error).message ?? String(e)}`);
    if (process.env.PADDOCK_DEBUG) info((e as Error).stack ?? '');
    process.exitCode = 1;
  }
} finally {
  closePaddock();
}
// Engine sockets may keep the event loop alive; the command is done.
process.exit(process.exitCode ?? 0);
