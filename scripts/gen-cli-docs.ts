/** Writes docs/cli.md from the CLI's own --help (node scripts/gen-cli-docs.ts [--check]). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT_CODES } from '../src/cli/exit-codes.ts';
import { fullHelp } from '../src/cli/help.ts';
import { buildProgram } from '../src/cli/program.ts';

export function renderCliDocs(): string {
  const program = buildProgram();
  const parts = [
    '# paddock CLI reference',
    '',
    'Generated from `paddock --help` by `node scripts/gen-cli-docs.ts`; a test keeps it in step with the code.',
    'Every command but `completion` takes `--json` (results on stdout, progress on stderr; a run never shows its model token) and has',
    'an Examples section in its `--help`. Text an agent wrote is printed with control characters and escape sequences',
    'removed or escaped. Shell completion: `paddock completion bash|zsh|fish`.',
    '',
    '## Exit codes',
    '',
    'The one list of them (`src/cli/exit-codes.ts`). Commands that follow a run (`spawn`, `resume`, `logs -f`) exit with',
    'its outcome; the others exit 0 or with the code of their error.',
    '',
    '| code | meaning |',
    '|---|---|',
    ...EXIT_CODES.map((c) => `| ${c.code} | ${c.meaning.replace(/\|/g, '\\|')} |`),
    '',
    '## paddock',
    '',
    '```',
    fullHelp(program).trimEnd(),
    '```',
  ];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix} ${sub.name()}`;
      parts.push('', `## ${name}`, '', '```', fullHelp(sub).trimEnd(), '```');
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
