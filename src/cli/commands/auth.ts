import type { Command } from 'commander';
import { invalidInput } from '../../app/light.ts';
import { info, out } from '../context.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

/**
 * `paddock auth`: the model credential the daemon's gateway holds. Imports act on this machine's PADDOCK_HOME (the
 * daemon reads the file at each model call), so they are refused when the CLI talks to a remote PADDOCK_URL.
 */
export function registerAuth(program: Command): void {
  const auth = program
    .command('auth')
    .summary("the model credential Paddock's gateway holds (import a Claude Code login)")
    .description(
      'The real credential stays in the daemon: agents get a per-run token that only its gateway accepts. It is\n' +
        'ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, or (when neither is set) a Claude Code login imported here,\n' +
        'kept 0600 at $PADDOCK_HOME/credentials.json and refreshed by the daemon, once, under a lock, before it expires.',
    );

  const imp = auth
    .command('import')
    .summary("import Claude Code's OAuth login (~/.claude/.credentials.json)")
    .option('--file <path>', 'the credentials file to import (default ~/.claude/.credentials.json)')
    .option('--json', 'what was stored, as JSON (never the tokens)')
    .action(async (o: { file?: string; json?: boolean }) => {
      local('paddock auth import');
      const { importCredentials, loadConfig } = await import('../../app/index.ts');
      const s = importCredentials(loadConfig(), o.file);
      if (o.json) return printJson(s);
      info(
        `imported the OAuth login into ${s.file} (0600)${s.expiresAt ? `; its access token expires ${new Date(s.expiresAt).toISOString()}` : ''}${s.refreshable ? ', refreshed by the daemon before then' : ''}`,
      );
      if (process.env.ANTHROPIC_API_KEY || process.env.PADDOCK_ANTHROPIC_API_KEY || process.env.CLAUDE_CODE_OAUTH_TOKEN) info('note: a key or token in the environment is used first while it is set');
    });
  withExamples(imp, ['paddock auth import', 'paddock auth import --file /mnt/backup/.credentials.json']);

  auth
    .command('status')
    .summary('which credential the gateway uses, and when an imported one expires')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      local('paddock auth status');
      const { credentialStatus, loadConfig } = await import('../../app/index.ts');
      const s = credentialStatus(loadConfig());
      if (o.json) return printJson(s);
      const words = { 'api-key': 'an API key (ANTHROPIC_API_KEY)', 'oauth-token': 'an OAuth token (CLAUDE_CODE_OAUTH_TOKEN)', imported: `an imported Claude Code login (${s.file})`, none: 'none' };
      out(`credential: ${words[s.source]}`);
      if (s.expiresAt) out(`expires: ${new Date(s.expiresAt).toISOString()}${s.refreshable ? ' (refreshed before then)' : ' (cannot be refreshed: import again)'}`);
    });

  auth
    .command('forget')
    .summary('remove an imported login')
    .action(async () => {
      local('paddock auth forget');
      const { loadConfig, removeImportedCredentials } = await import('../../app/index.ts');
      info(removeImportedCredentials(loadConfig()) ? 'removed the imported login' : 'no imported login');
    });
}

function local(what: string): void {
  if (process.env.PADDOCK_URL) throw invalidInput(`${what} works on this machine's PADDOCK_HOME, but PADDOCK_URL points at a remote daemon`, 'run it on the machine the daemon runs on');
}
