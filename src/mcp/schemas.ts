/** Input pieces and output shapes the tools share; the run, event and usage shapes are app/'s own (the API's too). */
import { z } from 'zod';

export const runId = z.string().trim().min(1).max(64).describe('Run id (12 hex characters), or a unique prefix of it');

export const containerSchema = z.object({ status: z.string(), running: z.boolean(), exitCode: z.number().nullable(), oomKilled: z.boolean() }).nullable();

export const lastEventSchema = z.object({ seq: z.number(), ts: z.number(), kind: z.string() }).nullable();

export const diffFileSchema = z.object({
  path: z.string(),
  oldPath: z.string().optional(),
  status: z.string().describe('added, modified, deleted, renamed, copied, type-changed'),
  added: z.number(),
  deleted: z.number(),
  binary: z.boolean(),
});

export const messageSchema = z.object({
  seq: z.number(),
  createdAt: z.number(),
  state: z.string().describe('pending (waiting its turn), sent (given to the agent), delivered (the agent read it)'),
  sentAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
  text: z.string(),
});
