import { Command } from 'commander';
import { registerGitCommands } from './commands/git.ts';
import { registerMaintenanceCommands } from './commands/maintenance.ts';
import { registerResume } from './commands/resume.ts';
import { registerRunCommands } from './commands/runs.ts';
import { registerSpawn } from './commands/spawn.ts';

/** The whole `paddock` command tree (also read by scripts/gen-cli-docs.ts, so docs/cli.md is the real --help). */
export function buildProgram(): Command {
  const program = new Command('paddock')
    .description('Run coding agents headless and in parallel, each sealed in its own container, checkout and branch.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ helpWidth: 110 })
    .addHelpText('after', '\nState lives in $PADDOCK_HOME (default ~/.paddock). Settings: see docs/configuration.md.\nFirst run: paddock doctor, then paddock spawn --repo <path> --task "…"');
  program.exitOverride();
  registerSpawn(program);
  registerResume(program);
  registerRunCommands(program);
  registerGitCommands(program);
  registerMaintenanceCommands(program);
  return program;
}
