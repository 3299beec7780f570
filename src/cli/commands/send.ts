import type { Command } from 'commander';
import type { RunView, StoredEvent } from '../../app/light.ts';
import { call, events } from '../client.ts';
import { info, out } from '../context.ts';
import { paint, renderEvent, safe } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';
import { readTask } from './spawn.ts';

interface SendResult {
  run: RunView;
  message: { id: number | string; text: string };
  queued: boolean;
}

export function registerSend(program: Command): void {
  const send = program
    .command('send')
    .summary('send a persistent run (spawn --keep-alive) its next message, and show its answer')
    .description(
      'Send a live persistent run (one started with `paddock spawn --keep-alive`) a follow-up: its next turn, in the\n' +
        'same conversation and container. The message is stored at once and reaches the agent when its current turn\n' +
        "has ended (messages wait their turn, in order). By default send follows the run until that turn's result and\n" +
        'prints what the agent did; --no-wait returns once the message is stored.',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .argument('[text]', 'what to tell the agent; - reads it from stdin')
    .option('--text-file <file>', 'read the message from this file')
    .option('--no-wait', 'return once the message is stored')
    .option('--json', "the outcome as JSON (run, message, queued); with waiting, the turn's events one JSON object a line first")
    .action(async (id: string, text: string | undefined, o: { textFile?: string; wait: boolean; json?: boolean }) => {
      const message = await readTask({ ...(text === undefined ? {} : { task: text }), ...(o.textFile === undefined ? {} : { taskFile: o.textFile }) });
      const status = await call<{ run: RunView; lastEvent: { seq: number } | null }>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
      const r = await call<SendResult>('POST', `/api/v1/runs/${status.run.id}/messages`, { text: message });
      if (!o.wait) {
        if (o.json) return printJson(r);
        return info(`${r.queued ? 'queued' : 'sent'} to run ${r.run.id}${r.queued ? ' (it gets it when its current turn has ended)' : ''}; follow it: paddock logs -f ${r.run.id}`);
      }
      info(paint('dim', `${r.queued ? 'queued for' : 'sent to'} run ${r.run.id} · waiting for its answer (Ctrl-C stops waiting; the run goes on)`, process.stderr));
      // Follow from the last event before the message: the answer is the next result.
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.on('SIGINT', onSigint);
      let results = 0;
      try {
        for await (const m of events(`/api/v1/runs/${r.run.id}/events/stream?after=${status.lastEvent?.seq ?? 0}`, { signal: abort.signal })) {
          if (m.event !== 'event') continue;
          const e = JSON.parse(m.data) as StoredEvent;
          if (o.json) out(JSON.stringify(e));
          else {
            const line = renderEvent(e, { timestamps: false });
            if (line !== undefined) out(line);
          }
          if (e.kind === 'result') results++;
          if (e.kind === 'result' && results > Number(r.queued)) break; // a queued message answers after the current turn's result
          if (e.kind === 'state' && ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(String(e.data.to))) {
            info(`run ${r.run.id} ended: ${safe(String(e.data.to))}${e.data.reason ? ` (${safe(e.data.reason)})` : ''}`);
            process.exitCode = 1;
            break;
          }
        }
      } finally {
        process.off('SIGINT', onSigint);
        abort.abort();
      }
      if (o.json) printJson(r);
    });
  withExamples(send, [
    'paddock spawn --repo . --keep-alive --task "Read the code and wait for questions" --detach',
    'paddock send 3f2a "Where is the request parsed?"',
    'paddock send 3f2a --text-file REVIEW.md --no-wait',
  ]);
}
