import type { Command } from 'commander';
import type { RunView } from '../../app/light.ts';
import { call } from '../client.ts';
import { detachOnCtrlC, readTask, showSpawned } from './spawn.ts';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .summary("continue a run's conversation with a new task, on the same branch, in a fresh container")
    .description(
      "Continue where a run left off: the agent resumes that run's conversation (same session HOME) with a new task,\n" +
        'on the same branch, starting from what the run brought back. The repo, task type, image, limits and agent\n' +
        'options carry over unless given. <id> is a run id (or prefix), or a session id (its latest run is continued).\n' +
        'A session has one live run at a time: resuming one that is still running is refused.',
    )
    .argument('<id>', 'run id (or a unique prefix), or session id')
    .option('--task <text>', 'what the agent should do next; - reads it from stdin')
    .option('--task-file <file>', 'read the task from this file')
    .option('--model <name>', "model for the agent (default: the earlier run's)")
    .option('--timeout <duration>', "wall-clock limit (default: the earlier run's)")
    .option('-d, --detach', 'print the run id and return at once')
    .option('--json', 'print raw events, one JSON object a line; with --detach, the run as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  paddock resume 3f9c2a --task "Now add tests for the parser"\n  paddock resume 3f9c2a --task "Address the review comments" --detach\n  paddock resume 3f9c2a --task-file REVIEW.md',
    )
    .action(async (id: string, o: { task?: string; taskFile?: string; model?: string; timeout?: string; detach?: boolean; json?: boolean }) => {
      const task = await readTask(o);
      const ctrlC = detachOnCtrlC();
      const run = await call<RunView>('POST', `/api/v1/runs/${encodeURIComponent(id)}/resume`, { task, ...(o.model ? { model: o.model } : {}), ...(o.timeout ? { timeout: o.timeout } : {}) });
      await showSpawned(run, { detach: Boolean(o.detach), json: Boolean(o.json), ctrlC });
    });
}
