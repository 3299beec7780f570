/**
 * Runs as resources: `paddock://runs/{id}` (the run, JSON), `paddock://runs/{id}/transcript` (its events, one JSON
 * object a line) and `paddock://runs/{id}/diff` (the diffstat and patch). Listing them lists the recent runs.
 */
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { diffRun, findRun, listRuns, type Paddock, type Run, runView } from '../app/index.ts';
import type { McpContext } from './context.ts';
import { asPaddockError } from './errors.ts';

export const RESOURCE_TEMPLATES = ['paddock://runs/{id}', 'paddock://runs/{id}/transcript', 'paddock://runs/{id}/diff'] as const;

/** The most events a transcript read hands back (the get_events tool pages through more). */
const TRANSCRIPT_EVENTS = 10_000;

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

export function registerRunResources(server: McpServer, ctx: McpContext): void {
  const { p } = ctx;
  const recent = async (filter: (r: Run) => boolean, suffix: string, describe: (r: Run) => string) => ({
    resources: (await listRuns(p, {}))
      .filter(filter)
      .slice(0, 200)
      .map((r) => ({ uri: `paddock://runs/${r.id}${suffix}`, name: `${r.id}${suffix}`, description: describe(r) })),
  });
  const guarded =
    (read: (p: Paddock, uri: URL, id: string) => Promise<ReadResourceResult> | ReadResourceResult) =>
    async (uri: URL, vars: Record<string, string | string[]>): Promise<ReadResourceResult> => {
      try {
        return await read(p, uri, one(vars.id));
      } catch (e) {
        const err = asPaddockError(e, ctx.log);
        throw new Error(`${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
      }
    };

  server.registerResource(
    'run',
    new ResourceTemplate('paddock://runs/{id}', {
      list: () =>
        recent(
          () => true,
          '',
          (r) => `${r.state} · ${r.type} · ${r.branch} · ${r.task.slice(0, 80)}`,
        ),
    }),
    { title: 'Run', description: 'A run as get_run shows it (JSON)', mimeType: 'application/json' },
    guarded((p, uri, id) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(runView(p, findRun(p, id))) }] })),
  );

  server.registerResource(
    'run-transcript',
    new ResourceTemplate('paddock://runs/{id}/transcript', {
      list: () =>
        recent(
          () => true,
          '/transcript',
          (r) => `events of run ${r.id} (${r.state})`,
        ),
    }),
    { title: 'Run transcript', description: "A run's events so far, one JSON object a line (seq, ts, source, kind, data)", mimeType: 'application/x-ndjson' },
    guarded((p, uri, id) => {
      const run = findRun(p, id);
      const lines = p.events.list(run.id, 0, TRANSCRIPT_EVENTS).map((e) => JSON.stringify(e));
      return { contents: [{ uri: uri.href, mimeType: 'application/x-ndjson', text: lines.join('\n') + (lines.length ? '\n' : '') }] };
    }),
  );

  server.registerResource(
    'run-diff',
    new ResourceTemplate('paddock://runs/{id}/diff', {
      list: () =>
        recent(
          (r) => r.bringBack,
          '/diff',
          (r) => `diff of ${r.branch} (${r.state})`,
        ),
    }),
    { title: 'Run diff', description: "The run's branch against its base: the diffstat, then the patch", mimeType: 'text/x-diff' },
    guarded(async (p, uri, id) => {
      const d = await diffRun(p, id);
      return { contents: [{ uri: uri.href, mimeType: 'text/x-diff', text: `${d.stat}\n${d.text}` }] };
    }),
  );
}
