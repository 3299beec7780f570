import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.ts';

/** The rows of README's "Using it" command table: the command cell of each. */
function readmeCommands(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('| command | what it does |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  return table
    .split('\n')
    .slice(2)
    .filter((l) => l.startsWith('| `paddock '))
    .map((l) => /^\| `([^`]+)`/.exec(l)![1]!);
}

it("README's command table has every verb, and only options the verbs have", () => {
  const program = buildProgram();
  const rows = readmeCommands();
  const verbs = program.commands.map((c) => c.name()).sort();
  assert.deepEqual(rows.map((r) => r.split(' ')[1]).sort(), verbs);
  for (const row of rows) {
    const words = row.split(' ');
    let cmd: Command = program.commands.find((c) => c.name() === words[1])!;
    const sub = cmd.commands.find((c) => c.name() === words[2]);
    if (sub) cmd = sub;
    const longs = new Set(cmd.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
    for (const flag of row.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []) assert.ok(longs.has(flag), `${row}: ${flag} is not an option of ${cmd.name()}`);
  }
});
