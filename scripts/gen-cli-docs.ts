/** Writes docs/cli.md from the CLI's own --help (node scripts/gen-cli-docs.ts [--check]). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.ts';

export function renderCliDocs(): string {
  const program = buildProgram();
  const parts = [
    '# paddock CLI reference',
    '',
    'Generated from `paddock --help` by `node scripts/gen-cli-docs.ts`; a test keeps it in step with the code.',
    'Exit codes: 0 ok; 2 invalid input or config; 3 not found; 4 conflict (branch taken, merge conflict); 5 no engine;',
    '6 image missing; 7 git failed; 70 internal. Commands that follow a run (`spawn`, `logs -f`) exit with its outcome:',
    '0 completed, 1 failed, 124 timed out, 130 cancelled, 71 crashed.',
    '',
    '```',
    program.helpInformation().trimEnd(),
    '```',
  ];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix} ${sub.name()}`;
      parts.push('', `## ${name}`, '', '```', sub.helpInformation().trimEnd(), '```');
      walk(sub, name);
    }
  };
  walk(program, 'paddock');
  return `${parts.join('\n')}\n`;
}

if (import.meta.main) {
  const path = new URL('../docs/cli.md', import.meta.url);
  const text = renderCliDocs();
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) {
      console.error('docs/cli.md is out of date: run node scripts/gen-cli-docs.ts');
      process.exit(1);
    }
  } else writeFileSync(path, text);
}
