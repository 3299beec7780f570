/** A persistent run's turns, under /api/v1: send it a message, list what it got. Handlers only validate and map. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { listMessages, MAX_MESSAGE_BYTES, type Paddock, runView, runViewSchema, sendMessage } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const tags = ['runs'];
const RunId = z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') });

const messageSchema = z
  .object({
    seq: z.number().int().describe('1, 2, … in the order the agent gets them (1: the first prompt, when the run was spawned with one)'),
    createdAt: z.number().describe('Epoch milliseconds'),
    state: z.enum(['pending', 'sent', 'delivered']).describe('pending: waits for the current turn to end; sent: on its way; delivered: the agent has it'),
    sentAt: z.number().nullable(),
    deliveredAt: z.number().nullable(),
    text: z.string(),
  })
  .meta({ id: 'Message' });

export function registerMessageRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs/{id}/messages',
      tags,
      summary: 'Send a persistent run (keepAlive) a message: its next turn. Stored at once; the agent gets it when its current turn has ended',
      request: {
        params: RunId,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ text: z.string().min(1, 'text is empty: say something to the agent').describe(`What to tell the agent (at most ${MAX_MESSAGE_BYTES} bytes)`) })
                .strict()
                .meta({ id: 'SendMessageRequest' }),
            },
          },
        },
      },
      responses: {
        202: json(
          z
            .object({ run: runViewSchema, message: messageSchema, queued: z.boolean().describe('The agent is in a turn (or has earlier messages waiting): this one comes after') })
            .meta({ id: 'SendMessageResult' }),
          'Accepted: stored, and on its way',
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const r = sendMessage(p, c.req.valid('param').id, c.req.valid('json').text);
      return c.json({ run: runView(p, r.run), message: r.message, queued: r.queued }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/messages',
      tags,
      summary: 'The messages of a persistent run, oldest first, with their delivery state',
      request: { params: RunId },
      responses: { 200: json(z.object({ messages: z.array(messageSchema) }).meta({ id: 'MessageList' }), 'The messages'), ...errorResponses },
    }),
    (c) => c.json({ messages: listMessages(p, c.req.valid('param').id).messages }, 200),
  );
}
