/** paddock secret set|ls|rm: the daemon's secret store (docs/secrets.md). A value is read from stdin, never from argv. */
import type { Command } from 'commander';
import { invalidInput } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { paint, safe } from '../format.ts';
import { printJson } from '../json.ts';

interface SecretView {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

export function registerSecret(program: Command): void {
  const secret = program
    .command('secret')
    .summary('store secrets a run can be given as environment variables (spawn --secret-env)')
    .description(
      'Secrets live in the daemon, encrypted (AES-256-GCM) under a key file in $PADDOCK_HOME/secrets, outside the\n' +
        'database. A run gets only the ones it names (spawn --secret-env VAR=NAME), through a file on a tmpfs read at\n' +
        'its start: never in the engine environment, labels, inspect, the database or logs; printed values are redacted.',
    )
    .addHelpText(
      'after',
      [
        '\nExamples:',
        '  printf %s "$GH_TOKEN" | paddock secret set github-token',
        '  paddock secret ls',
        '  paddock spawn --repo . --secret-env GH_TOKEN=github-token --task "Open a PR"',
        '  paddock secret rm github-token',
      ].join('\n'),
    );

  secret
    .command('set')
    .summary('create or replace a secret; the value comes from stdin')
    .argument('<name>', 'secret name: letters, digits, _ . - (at most 253)')
    .action(async (name: string) => {
      if (process.stdin.isTTY) info(paint('dim', 'reading the value from stdin; end it with Ctrl-D', process.stderr));
      const { text } = await import('node:stream/consumers');
      // One trailing newline is the shell's (echo, a heredoc), not the value's.
      const value = (await text(process.stdin)).replace(/\r?\n$/, '');
      if (value === '') throw invalidInput('the value on stdin is empty', 'pipe the value in, e.g. printf %s "$TOKEN" | paddock secret set <name>');
      const r = await call<{ secret: SecretView; replaced: boolean }>('PUT', `/api/v1/secrets/${encodeURIComponent(name)}`, { value });
      info(`secret ${safe(r.secret.name)} ${r.replaced ? 'replaced' : 'stored'}`);
    });

  secret
    .command('ls')
    .summary('list stored secrets (names and dates, never values)')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const { secrets } = await call<{ secrets: SecretView[] }>('GET', '/api/v1/secrets');
      if (o.json) return printJson(secrets);
      if (secrets.length === 0) return info('no secrets; add one: printf %s "$VALUE" | paddock secret set <name>');
      for (const s of secrets) out(`${safe(s.name)}\t${new Date(s.updatedAt).toISOString()}`);
    });

  secret
    .command('rm')
    .summary('remove a secret (runs that have it keep it until they end)')
    .argument('<name>', 'secret name')
    .action(async (name: string) => {
      await call('DELETE', `/api/v1/secrets/${encodeURIComponent(name)}`);
      info(`secret ${safe(name)} removed`);
    });
}
