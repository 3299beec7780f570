/** Help text helpers: an Examples section for every verb, and the full --help of a command as text (for docs). */
import type { Command } from 'commander';

/** Adds an "Examples:" section after the command's help (each example: a command line, optionally "# what it does"). */
export function withExamples(cmd: Command, examples: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
}

/** Exactly what `<cmd> --help` prints, including text added before and after (helpInformation() leaves that out). */
export function fullHelp(cmd: Command): string {
  let text = '';
  const saved = cmd.configureOutput();
  cmd.configureOutput({ ...saved, writeOut: (s) => void (text += s), writeErr: (s) => void (text += s), getOutHasColors: () => false });
  try {
    cmd.outputHelp();
  } finally {
    cmd.configureOutput(saved);
  }
  return text;
}
