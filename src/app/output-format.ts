/**
 * How a run's output is handed back to a client that asked for Claude Code's `--output-format` (Stromboli's
 * `claude.output_format`): the final text, the JSON result, or the stream-json lines. Paddock always runs the agent
 * with stream-json (it parses it); the format asked for is kept with the run, so a job polled after a daemon restart
 * still answers in it.
 */
import type { Paddock } from './context.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'stream-json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function setOutputFormat(p: Paddock, runId: string, format: OutputFormat): void {
  p.db.prepare('INSERT INTO run_output_formats (run_id, format) VALUES (?, ?) ON CONFLICT(run_id) DO UPDATE SET format = excluded.format').run(runId, format);
}

/** The format recorded for the run; text (the CLI's default) when none was. */
export function outputFormatOf(p: Paddock, runId: string): OutputFormat {
  const row = p.db.prepare('SELECT format FROM run_output_formats WHERE run_id = ?').get(runId) as { format: string } | undefined;
  return (OUTPUT_FORMATS as readonly string[]).includes(row?.format ?? '') ? (row!.format as OutputFormat) : 'text';
}
