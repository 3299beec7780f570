/** A run's webhook as the surfaces show it: where it goes (without query or credentials) and how delivery went. */
import { z } from 'zod';
import { isTerminal } from '../../jobs/index.ts';
import { notFound } from '../../errors/index.ts';
import { WebhookDeliveriesRepo } from '../../store/webhook-deliveries-repo.ts';
import type { Paddock } from '../context.ts';
import { findRun } from '../find-run.ts';
import { redact } from './dispatcher.ts';

export const webhookStatusSchema = z
  .object({
    runId: z.string(),
    url: z.string().describe('The target, without its query string or credentials'),
    state: z.enum(['waiting', 'pending', 'delivered', 'failed']).describe('waiting: the run has not ended; pending: being delivered (or retried); failed: given up'),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable().describe('HTTP status of the last attempt (null: no answer)'),
    lastError: z.string().nullable(),
    nextAttemptAt: z.number().nullable().describe('Epoch ms of the next attempt, while pending'),
    deliveredAt: z.number().nullable(),
  })
  .meta({ id: 'WebhookStatus' });

export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

export function webhookStatus(p: Paddock, ref: string): WebhookStatus {
  const run = findRun(p, ref);
  if (!run.webhookUrl) throw notFound(`run ${run.id} has no webhook`, 'pass webhookUrl when spawning a run');
  const d = new WebhookDeliveriesRepo(p.db).get(run.id);
  const base = { runId: run.id, url: redact(run.webhookUrl) };
  if (!d) return { ...base, state: isTerminal(run.state) ? 'pending' : 'waiting', attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: null, deliveredAt: null };
  return {
    ...base,
    state: d.state,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt,
  };
}
