/** A run's changes: read the diff of its branch, and merge it. */
import { z } from 'zod';
import { diffRun, mergeRun, mergeView, mergeViewSchema } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { diffFileSchema, runId } from '../schemas.ts';
import { defineTool } from '../tool.ts';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const GIT_TOOLS = ['get_diff', 'merge_run'] as const;

/** The patch handed back by default, in characters: enough for a review, small enough for a model's context. */
export const DEFAULT_PATCH_CHARS = 60_000;

/** The patch cut at a line boundary within max characters, with a note saying what was left out. */
export function clipPatch(patch: string, max: number): { patch: string; note: string | null } {
  if (patch.length <= max) return { patch, note: null };
  const cut = patch.lastIndexOf('\n', max);
  const kept = patch.slice(0, cut > 0 ? cut + 1 : max);
  const lines = patch.split('\n').length - kept.split('\n').length;
  return {
    patch: kept,
    note: `the patch is ${patch.length} characters: cut after ${kept.length} (${lines} more lines left out); ask again with a larger maxPatchChars, or read the files named in files`,
  };
}

export function registerGitTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;

  defineTool(
    server,
    log,
    'get_diff',
    {
      title: "Read a run's diff",
      description:
        "The run's branch against its base: every changed file with its line counts, the diffstat, and the patch (cut past maxPatchChars, with a note). " +
        "Of a live run: its checkout as it is now. Use it to review a run's work before merge_run, or to look in on a run that is still working.",
      input: z.object({
        runId,
        maxPatchChars: z.number().int().min(0).max(2_000_000).default(DEFAULT_PATCH_CHARS).describe('Cut the patch past this many characters (0: files and stats only)'),
      }),
      output: z.object({
        runId: z.string(),
        branch: z.string(),
        base: z.string().describe('The commit the branch started from'),
        live: z.boolean().describe('The run is still going: its checkout as it is now'),
        files: z.array(diffFileSchema),
        total: z.object({ files: z.number(), added: z.number(), deleted: z.number() }),
        stat: z.string(),
        patch: z.string(),
        truncated: z.boolean().describe('The patch was cut (it does not apply as it is)'),
        note: z.string().nullable().describe('What was cut, when it was'),
        findings: z
          .record(z.string(), z.unknown())
          .nullable()
          .describe("What finalize flagged in the run's work (special files removed, files left out, symlinks out of the tree, forged authors); null for a live run"),
      }),
      annotations: { readOnlyHint: true },
    },
    async (a) => {
      const d = await diffRun(p, a.runId);
      const clipped = clipPatch(d.text, a.maxPatchChars);
      const note = d.truncated ? `the live diff was over the size bound and was cut by Paddock${clipped.note ? `; ${clipped.note}` : ''}` : clipped.note;
      return {
        runId: d.run.id,
        branch: d.run.branch,
        base: d.run.baseSha,
        live: d.live,
        files: d.files,
        total: d.total,
        stat: d.stat,
        patch: clipped.patch,
        truncated: d.truncated || clipped.note !== null,
        note,
        findings: d.findings as unknown as Record<string, unknown> | null,
      };
    },
  );

  defineTool(
    server,
    log,
    'merge_run',
    {
      title: "Merge a run's branch",
      description:
        "Merge an ended run's branch into its base branch (or `into`), as a merge commit or squashed into one commit. A conflict changes nothing and comes back as " +
        'a MERGE_CONFLICT error; nothing to merge is not an error (merged: false, nothingBecause says why). Use it after reading the diff with get_diff.',
      input: z.object({
        runId,
        squash: z.boolean().default(false).describe('One commit with the changes instead of a merge commit'),
        into: z.string().trim().min(1).optional().describe('The branch to merge into (default: the branch the run started from)'),
        allowOutsideSymlinks: z.boolean().default(false).describe('Merge even though the run left symlinks pointing outside its tree (get_diff findings)'),
      }),
      output: mergeViewSchema,
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    async (a) => {
      const r = await mergeRun(p, a.runId, { squash: a.squash, ...(a.into ? { into: a.into } : {}), ...(a.allowOutsideSymlinks ? { allowOutsideSymlinks: true } : {}) });
      return mergeView(p, r);
    },
  );
}
