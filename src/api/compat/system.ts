/** Stromboli's system endpoints: GET /health (always 200, "degraded" naming what is wrong) and GET /claude/status. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { health, modelAccessConfigured, type Paddock, VERSION } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { claudeStatusWire, healthWire } from './wire.ts';

export function registerCompatSystemRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['stromboli'];
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/health',
    tags,
    summary: 'Health (Stromboli): always 200; status "degraded" when a component is not ok (engine, agent image, model credentials)',
    responses: { 200: { description: 'Health', content: { 'application/json': { schema: healthWire } } } },
  });
  app.get('/health', async (c) => {
    const components = (await health(p)).map((h) => ({ name: h.name, status: h.ok ? 'ok' : 'error', ...(h.error ? { error: h.error } : {}) }));
    return c.json({ status: components.every((h) => h.status === 'ok') ? 'ok' : 'degraded', name: 'paddock', version: VERSION, components }, 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/claude/status',
    tags,
    summary: 'Whether agents can reach a model (a credential on the host, or a model endpoint on this machine)',
    responses: { 200: { description: 'Status', content: { 'application/json': { schema: claudeStatusWire } } } },
  });
  app.get('/claude/status', (c) =>
    c.json(
      modelAccessConfigured(p) ? { configured: true, message: 'Claude is configured' } : { configured: false, message: 'Set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN where paddock serve runs' },
      200,
    ),
  );
}
