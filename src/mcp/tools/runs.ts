/** Runs: start one, list and read them, stop, continue a conversation, and talk to a persistent run. */
import { z } from 'zod';
import {
  findRun,
  invalidInput,
  listRuns,
  parseDuration,
  RUN_STATES,
  resumeRun,
  runStatus,
  runView,
  runViewSchema,
  sendMessage,
  sessionUsageSchema,
  spawnInputSchema,
  spawnRun,
  stopRun,
} from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { containerSchema, lastEventSchema, messageSchema, runId } from '../schemas.ts';
import { defineTool } from '../tool.ts';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const RUN_TOOLS = ['spawn_run', 'list_runs', 'get_run', 'stop_run', 'resume_session', 'send_message'] as const;

export function registerRunTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;
  const runOut = z.object({ run: runViewSchema });

  defineTool(
    server,
    log,
    'spawn_run',
    {
      title: 'Start a run',
      description:
        'Start a coding agent on a task in its own sealed container, on a private clone of `repo` and its own branch. ' +
        'Use it to hand off a piece of work: pick `type` (feature: build something; test: write or fix tests; mutation: ' +
        'check the tests catch injected bugs; explore: read and answer, nothing comes back), name a `branch` so the result is easy to find, ' +
        'and set limits (timeout, memory) for long tasks. Returns at once with the run queued or starting; follow it with get_events or wait_for_run. ' +
        'Runs started over a connection that speaks for a run record that run as their parent.',
      input: spawnInputSchema,
      output: runOut,
    },
    async (args) => {
      // A connection that speaks for a run spawns on its behalf: the parent is the connection's, not the caller's to choose.
      const asked = (args as { parentRunId?: string }).parentRunId;
      if (ctx.parentRunId !== undefined && asked !== undefined && findRun(p, asked).id !== ctx.parentRunId)
        throw invalidInput(`parentRunId: this connection speaks for run ${ctx.parentRunId}, so its runs are spawned on its behalf`, 'leave parentRunId out');
      return { run: runView(p, await spawnRun(p, { ...args, ...(ctx.parentRunId === undefined ? {} : { parentRunId: ctx.parentRunId }) })) };
    },
  );

  defineTool(
    server,
    log,
    'list_runs',
    {
      title: 'List runs',
      description:
        'List runs, newest first: by default the live ones and those that ended in the last day. Use it to see what is going on, ' +
        'to find a run id, or (with parentRunId) to list the runs a coordinator spawned. Filter by states, repo, or a recent window.',
      input: z.object({
        all: z.boolean().default(false).describe('Every run Paddock knows, not only live ones and those that ended in the last day'),
        states: z
          .array(z.enum(RUN_STATES))
          .optional()
          .describe(`Only runs in these states: ${RUN_STATES.join(', ')}`),
        repo: z.string().min(1).optional().describe('Only runs on this repository (a path in it)'),
        since: z.string().min(1).optional().describe('Only runs created within this duration, e.g. 2h or 7d'),
        parentRunId: z.string().min(1).max(64).optional().describe('Only runs spawned by this run'),
        limit: z.number().int().min(1).max(1000).default(100).describe('At most this many'),
      }),
      output: z.object({ runs: z.array(runViewSchema) }),
    },
    async (a) => {
      const parent = a.parentRunId === undefined ? undefined : findRun(p, a.parentRunId).id;
      const runs = await listRuns(p, {
        all: a.all,
        ...(a.states ? { states: a.states } : {}),
        ...(a.repo ? { repo: a.repo } : {}),
        ...(a.since ? { sinceMs: parseDuration(a.since, 'since') } : {}),
        ...(parent ? { parentRunId: parent } : {}),
      });
      return { runs: runs.slice(0, a.limit).map((r) => runView(p, r)) };
    },
  );

  defineTool(
    server,
    log,
    'get_run',
    {
      title: 'Get a run',
      description:
        "One run as it is now: its state and phase, why it ended, limits and usage (tokens, cost), branch and commits, parent, its container, its last event and its session's total usage. " +
        'Use it to check on a run without reading its events.',
      input: z.object({ runId }),
      output: z.object({ run: runViewSchema, container: containerSchema, lastEvent: lastEventSchema, session: sessionUsageSchema }),
    },
    async ({ runId: id }) => {
      const s = await runStatus(p, id);
      return {
        run: runView(p, s.run),
        container: s.container ? { status: s.container.status, running: s.container.running, exitCode: s.container.exitCode, oomKilled: s.container.oomKilled } : null,
        lastEvent: s.lastEvent ? { seq: s.lastEvent.seq, ts: s.lastEvent.ts, kind: s.lastEvent.kind } : null,
        session: s.session,
      };
    },
  );

  defineTool(
    server,
    log,
    'stop_run',
    {
      title: 'Stop a run',
      description:
        'Stop a run: a queued one is cancelled, a live one is stopped within seconds and its work so far is committed to its branch. ' +
        'Use it when a run is stuck, going the wrong way, or no longer needed.',
      input: z.object({ runId, wait: z.boolean().default(true).describe('Answer once the run has ended (else once the stop is requested)') }),
      output: z.object({ run: runViewSchema, alreadyEnded: z.boolean() }),
      annotations: { destructiveHint: true },
    },
    async (a) => {
      const r = await stopRun(p, a.runId, { wait: a.wait, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      return { run: runView(p, r.run), alreadyEnded: r.alreadyEnded };
    },
  );

  defineTool(
    server,
    log,
    'resume_session',
    {
      title: 'Continue a conversation',
      description:
        "Continue a finished run's conversation with a new task: a new run on the same branch, in a fresh container, with the agent's memory of the earlier turns. " +
        'Use it to ask for changes after reading a diff ("also handle the empty case"), or to go on after a timeout.',
      input: spawnInputSchema
        .pick({ task: true, model: true, timeout: true, memory: true, cpus: true, pids: true, image: true })
        .extend({ ref: z.string().trim().min(1).max(64).describe('The run to continue (id or prefix), or a session id (its latest run)') }),
      output: runOut,
    },
    async ({ ref, ...input }) => ({ run: runView(p, await resumeRun(p, ref, input)) }),
  );

  defineTool(
    server,
    log,
    'send_message',
    {
      title: 'Message a persistent run',
      description:
        'Send a live persistent run (spawned with keepAlive: true) its next message: a follow-up turn in the same conversation and container. ' +
        'It waits its turn if the agent is busy. Then follow the answer with get_events (from the last seq you saw) or wait for the next result. ' +
        'A run that is not persistent, or has ended, refuses (CONFLICT): use resume_session for those.',
      input: z.object({ runId, text: z.string().min(1).describe('What to tell the agent') }),
      output: z.object({ run: runViewSchema, message: messageSchema, queued: z.boolean().describe('The agent is busy: it gets this message when its current turn has ended') }),
    },
    (a) => {
      const r = sendMessage(p, a.runId, a.text);
      return { run: runView(p, r.run), message: r.message, queued: r.queued };
    },
  );
}
