/**
 * The Stromboli-compatible face of the API, at the root: a client written for Stromboli works unchanged against
 * `paddock serve`. Handlers map Stromboli's wire onto app/ use cases; every difference is in docs/api.md.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Paddock } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { registerCompatJobRoutes } from './jobs.ts';
import { registerCompatRunRoutes } from './runs.ts';
import { registerCompatImageRoutes } from './images.ts';
import { registerCompatSecretRoutes } from './secrets.ts';
import { registerCompatSessionRoutes } from './sessions.ts';
import { registerCompatSystemRoutes } from './system.ts';

export { compatErrorResponse, isCompatPath } from './errors.ts';

/** Registers the Stromboli routes (pass to createApi's extraRoutes; compatErrorResponse as its errorResponse). */
export function compatRoutes(p: Paddock, shutdown: AbortSignal): (app: OpenAPIHono<ApiEnv>) => void {
  return (app) => {
    registerCompatSystemRoutes(app, p);
    registerCompatRunRoutes(app, p, shutdown);
    registerCompatJobRoutes(app, p);
    registerCompatSessionRoutes(app, p);
    registerCompatSecretRoutes(app, p);
    registerCompatImageRoutes(app, p);
  };
}
