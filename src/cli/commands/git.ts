import type { Command } from 'commander';
import type { RunDiffFile } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { type FinalizeFindings, findingLines, paint, safe } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

export function registerGitCommands(program: Command): void {
  const diff = program
    .command('diff')
    .summary('show the run branch against its base')
    .description(
      "Show what the run did: its branch against the commit it started from (changes on the base since are not\nshown). On a terminal, control characters in the agent's text are escaped; into a pipe, the patch is exact\n(paddock diff <id> | git apply works).",
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--stat', 'only the summary of changed files')
    .option('--json', 'files (path, status, added, deleted, binary) and totals as JSON; the patch too unless --stat')
    .action(async (id: string, o: { stat?: boolean; json?: boolean }) => {
      const d = await call<{ runId: string; branch: string; base: string; files: RunDiffFile[]; total: object; stat: string; patch: string; findings: FinalizeFindings | null }>(
        'GET',
        `/api/v1/runs/${encodeURIComponent(id)}/diff`,
      );
      if (o.json) {
        return printJson({
          run: d.runId,
          branch: d.branch,
          base: d.base,
          files: d.files,
          total: d.total,
          findings: d.findings,
          ...(o.stat ? {} : { patch: d.patch }),
        });
      }
      // On a terminal the agent's text is made safe; into a pipe the patch goes as it is, so `git apply` takes it.
      const shown = (text: string) => (process.stdout.isTTY ? safe(text) : text);
      // Findings go to stderr, so a piped patch stays exact.
      for (const line of findingLines(d.findings)) info(paint('yellow', `warning: ${line}`, process.stderr));
      if (o.stat || !d.patch) out(d.stat ? shown(d.stat.replace(/\n$/, '')) : '(no changes)');
      else out(shown(d.patch.replace(/\n$/, '')));
    });
  withExamples(diff, ['paddock diff 3f2a', 'paddock diff 3f2a --stat', 'paddock diff 3f2a --json | jq \'.files[] | select(.status == "added") | .path\'']);

  const merge = program
    .command('merge')
    .summary('merge the run branch into its base')
    .description(
      'Merge the run branch into the branch it started from (or --into). The merge is computed without\n' +
        'touching any checkout; a conflict is reported and changes nothing. If the target branch is checked out, your\n' +
        'working tree must be clean, and it is fast-forwarded to the merge. When there is nothing to merge (the run\n' +
        'made no changes, or they are already in the target), it says so, exits 0 and records nothing.',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--squash', "one commit with the run's changes instead of a merge commit")
    .option('--into <branch>', "merge into this branch instead of the run's base")
    .option('--allow-outside-symlinks', 'merge even if the branch adds symlinks pointing outside the worktree (links into .git are always refused)')
    .option('--json', 'the outcome as JSON: merged (true/false), why not, into, commit, previous head')
    .action(async (id: string, o: { squash?: boolean; into?: string; allowOutsideSymlinks?: boolean; json?: boolean }) => {
      const r = await call<{
        run: { id: string };
        merged: boolean;
        nothingBecause: string | null;
        branch: string;
        into: string;
        squash: boolean;
        commit: string;
        previous: string;
        updatedWorktree: string | null;
      }>('POST', `/api/v1/runs/${encodeURIComponent(id)}/merge`, {
        squash: Boolean(o.squash),
        ...(o.into ? { into: o.into } : {}),
        ...(o.allowOutsideSymlinks ? { allowOutsideSymlinks: true } : {}),
      });
      if (o.json) {
        return printJson({
          run: r.run.id,
          merged: r.merged,
          reason: r.nothingBecause,
          branch: r.branch,
          into: r.into,
          squash: r.squash,
          commit: r.merged ? r.commit : null,
          previous: r.previous,
          updatedWorktree: r.updatedWorktree,
        });
      }
      if (!r.merged) return out(`nothing to merge: ${safe(r.nothingBecause)}`);
      out(
        `merged ${safe(r.branch)} into ${safe(r.into)} as ${r.commit.slice(0, 10)}${r.squash ? ' (squashed)' : ''}${r.updatedWorktree ? paint('dim', ` · updated the checkout in ${safe(r.updatedWorktree)}`) : ''}`,
      );
    });
  withExamples(merge, ['paddock merge 3f2a', 'paddock merge 3f2a --squash', 'paddock merge 3f2a --into release/1.2 --json']);
}
