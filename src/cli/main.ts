/** The paddock command. Every verb is a thin shell over app/; errors map to exit codes with a hint. */
import { Command, CommanderError } from 'commander';
import { isPaddockError } from '../errors/index.ts';
import { registerGitCommands } from './commands/git.ts';
import { registerMaintenanceCommands } from './commands/maintenance.ts';
import { registerRunCommands } from './commands/runs.ts';
import { registerSpawn } from './commands/spawn.ts';
import { closePaddock, info } from './context.ts';
import { EXIT_FOR_ERROR } from './exit-codes.ts';
import { paint } from './format.ts';

const program = new Command('paddock')
  .description('Run coding agents headless and in parallel, each sealed in its own container, checkout and branch.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', '\nState lives in $PADDOCK_HOME (default ~/.paddock). Settings: see docs/configuration.md.\nFirst run: paddock doctor, then paddock spawn --repo <path> --task "…"');
program.exitOverride();
registerSpawn(program);
registerRunCommands(program);
registerGitCommands(program);
registerMaintenanceCommands(program);

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
