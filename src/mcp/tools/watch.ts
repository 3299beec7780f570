/** Watching runs: their events a page at a time (only what is new), and waiting for one to end. */
import { z } from 'zod';
import { eventViewSchema, findRun, isTerminal, runResult, runView, runViewSchema, waitForRun } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { runId } from '../schemas.ts';
import { defineTool, progress } from '../tool.ts';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const WATCH_TOOLS = ['get_events', 'wait_for_run'] as const;

/** How often wait_for_run looks for news to report as progress, and the longest silence between two reports. */
const PROGRESS_CHECK_MS = 1000;
const PROGRESS_HEARTBEAT_MS = 10_000;

export function registerWatchTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;

  defineTool(
    server,
    log,
    'get_events',
    {
      title: "Read a run's events",
      description:
        "A page of a run's events after an event id (seq): what the agent said (text), the tools it called (tool_use) and their results (tool_result), " +
        'errors, its final result, and Paddock notes and state changes. Pass the `next` of the previous page as `after` to read only what is new; ' +
        '`more` says another page is already there. Use it to watch a run while it works.',
      input: z.object({
        runId,
        after: z.number().int().min(0).default(0).describe('Only events with a greater seq (0: from the start)'),
        limit: z.number().int().min(1).max(1000).default(200).describe('At most this many events'),
      }),
      output: z.object({
        events: z.array(eventViewSchema),
        next: z.number().describe('Pass as after for the next page'),
        more: z.boolean().describe('The page is full: more events may follow at once'),
        ended: z.boolean().describe('The run has ended (no events will follow the last page)'),
      }),
      annotations: { readOnlyHint: true },
    },
    (a) => {
      const run = findRun(p, a.runId);
      const events = p.events.list(run.id, a.after, a.limit);
      return { events, next: events.at(-1)?.seq ?? a.after, more: events.length === a.limit, ended: isTerminal(p.runs.get(run.id)?.state ?? run.state) };
    },
  );

  defineTool(
    server,
    log,
    'wait_for_run',
    {
      title: 'Wait for a run to end',
      description:
        'Wait until a run ends (completed, failed, cancelled, timed_out, crashed) or timeoutSeconds pass, whichever is first, and return it with its outcome ' +
        "and the agent's final answer. Sends progress notifications while waiting when the request carries a progressToken. " +
        'Use it instead of polling get_run; after a timeout (ended: false) call it again or read get_events.',
      input: z.object({ runId, timeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('Stop waiting after this long (the run goes on)') }),
      output: z.object({
        run: runViewSchema,
        ended: z.boolean().describe('The run has ended'),
        timedOut: z.boolean().describe('timeoutSeconds passed first (the run goes on)'),
        waitedMs: z.number(),
        answer: z.string().nullable().describe("The agent's final answer, once the run has ended"),
      }),
      annotations: { readOnlyHint: true },
    },
    async (a, extra) => {
      const run = findRun(p, a.runId);
      const started = Date.now();
      const deadline = AbortSignal.timeout(a.timeoutSeconds * 1000);
      const signal = AbortSignal.any([deadline, extra.signal, ...(ctx.signal ? [ctx.signal] : [])]);
      let said = '';
      let saidAt = 0;
      let sent = -1;
      const report = () => {
        const now = p.runs.get(run.id) ?? run;
        const what = `${now.state} (${now.phase}) · ${p.events.lastSeq(run.id)} events`;
        if (what === said && Date.now() - saidAt < PROGRESS_HEARTBEAT_MS) return;
        said = what;
        saidAt = Date.now();
        // Seconds waited so far; progress must grow with each notification, also two within one second.
        sent = Math.max(Math.round((Date.now() - started) / 100) / 10, sent + 0.1);
        void progress(extra, sent, a.timeoutSeconds, what);
      };
      report();
      const timer = setInterval(report, PROGRESS_CHECK_MS);
      try {
        await waitForRun(p, run.id, signal);
      } finally {
        clearInterval(timer);
      }
      const now = p.runs.get(run.id) ?? run;
      const ended = isTerminal(now.state);
      return { run: runView(p, now), ended, timedOut: !ended && deadline.aborted, waitedMs: Date.now() - started, answer: ended ? runResult(p, now).text : null };
    },
  );
}
