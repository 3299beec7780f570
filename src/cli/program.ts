import { Command } from 'commander';
import { VERSION } from '../app/light.ts';
import { registerAuth } from './commands/auth.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerDaemon } from './commands/daemon.ts';
import { registerGitCommands } from './commands/git.ts';
import { registerMaintenanceCommands } from './commands/maintenance.ts';
import { registerMcp } from './commands/mcp.ts';
import { registerResume } from './commands/resume.ts';
import { registerRunCommands } from './commands/runs.ts';
import { registerSend } from './commands/send.ts';
import { registerNet } from './commands/net.ts';
import { registerSecret } from './commands/secret.ts';
import { registerProject } from './commands/project.ts';
import { registerAgent } from './commands/agent.ts';
import { registerServe } from './commands/serve.ts';
import { registerShell } from './commands/shell.ts';
import { registerSpawn } from './commands/spawn.ts';
import { registerGroups } from './commands/groups.ts';
import { registerPorts } from './commands/ports.ts';
import { EXIT_CODES_LINE } from './exit-codes.ts';

/** The whole `paddock` command tree (also read by scripts/gen-cli-docs.ts, so docs/cli.md is the real --help). */
export function buildProgram(): Command {
  const program = new Command('paddock')
    .description('Run coding agents headless and in parallel, each sealed in its own container, checkout and branch.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ helpWidth: 110 })
    .addHelpText(
      'after',
      '\nState lives in $PADDOCK_HOME (default ~/.paddock). Settings: see docs/configuration.md.\nFirst run: paddock doctor, then paddock spawn --repo <path> --task "…"\n\n' +
        wrap(EXIT_CODES_LINE, 110),
    )
    .addHelpText('after', '\nExamples:\n  paddock spawn --repo ~/src/app --task "Add a health endpoint"\n  paddock ls\n  paddock logs -f <id>\n  paddock diff <id> && paddock merge <id>');
  program.exitOverride();
  registerSpawn(program);
  registerResume(program);
  registerSend(program);
  registerShell(program);
  registerRunCommands(program);
  registerGroups(program);
  registerPorts(program);
  registerNet(program);
  registerGitCommands(program);
  registerMaintenanceCommands(program);
  registerSecret(program);
  registerProject(program);
  registerAgent(program);
  registerAuth(program);
  registerServe(program);
  registerMcp(program);
  registerDaemon(program);
  registerCompletion(program);
  return program;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}
