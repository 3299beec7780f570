/** Groups: race one task across agent CLIs, and compare the runs. (Refused over a coordinator run's own connection.) */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { compareGroup, groupComparisonSchema, groupInputSchema, runView, runViewSchema, spawnGroup } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { defineTool } from '../tool.ts';

export const GROUP_TOOLS = ['spawn_group', 'compare_group'] as const;

export function registerGroupTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;
  defineTool(
    server,
    log,
    'spawn_group',
    {
      title: 'Race a task across agents',
      description:
        'Start the same task as several runs at once: one per agent CLI in `clis` (e.g. ["claude","codex","gemini"]), or `n` runs of one CLI, ' +
        'each on its own branch <branch>-<cli>. Use it to get several independent attempts and keep the best; with `check` (e.g. "npm test") ' +
        'compare_group runs that command over each finished attempt. Returns the group id and its runs at once.',
      input: groupInputSchema,
      output: z.object({ groupId: z.string(), runs: z.array(z.object({ label: z.string(), run: runViewSchema })) }),
    },
    async (args) => {
      const { group, runs } = await spawnGroup(p, args);
      return { groupId: group.id, runs: runs.map((r) => ({ label: r.label, run: runView(p, r.run) })) };
    },
  );

  defineTool(
    server,
    log,
    'compare_group',
    {
      title: "Compare a group's runs",
      description:
        "Rank a group's runs, best first: completed before failed, a passed check before none before a failed one, then cheaper, then quicker; " +
        'with files changed, lines, tokens, cost and time per run. Runs the group check on ended runs not checked yet (this can take minutes). ' +
        'Call it once every run has ended (wait_for_run on each) to pick the branch to merge.',
      input: z.object({
        groupId: z.string().min(1).max(32).describe('The group id spawn_group returned (or a unique prefix)'),
        runChecks: z.boolean().default(true).describe('Run the group check where it has not run yet (false: stored results only)'),
      }),
      // A plain object (not the registered GroupComparison, whose JSON Schema is a $ref): MCP wants type object at the top.
      output: z.object(groupComparisonSchema.shape),
    },
    async (a) => compareGroup(p, a.groupId, { runChecks: a.runChecks }),
  );
}
