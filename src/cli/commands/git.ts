import type { Command } from 'commander';
import { diffRun, mergeRun } from '../../app/index.ts';
import { paddock, info, out } from '../context.ts';

export function registerGitCommands(program: Command): void {
  program
    .command('diff')
    .summary('show the run branch against its base')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--stat', 'only the summary of changed files')
    .action(async (id: string, o: { stat?: boolean }) => {
      const d = await diffRun(paddock(), id);
      if (o.stat || !d.text) out(d.stat || '(no changes)');
      else out(d.text.replace(/\n$/, ''));
    });

  program
    .command('merge')
    .summary('merge the run branch into its base')
    .description('Merge the run branch into the branch it started from (or --into). The merge is computed without\ntouching any checkout; a conflict is reported and changes nothing. If the target branch is checked out, your\nworking tree must be clean, and it is fast-forwarded to the merge.')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--squash', 'one commit with the run\'s changes instead of a merge commit')
    .option('--into <branch>', 'merge into this branch instead of the run\'s base')
    .action(async (id: string, o: { squash?: boolean; into?: string }) => {
      const r = await mergeRun(paddock(), id, { squash: Boolean(o.squash), ...(o.into ? { into: o.into } : {}) });
      info(`merged ${r.run.branch} into ${r.into} as ${r.commit.slice(0, 10)}${o.squash ? ' (squashed)' : ''}`);
    });
}
