/**
 * Stromboli's jobs: every Paddock run is one (whatever started it), stored in the database, so jobs survive a
 * daemon restart and are not reaped after an hour; DELETE stops the run's container for real.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { findRun, isTerminal, listRuns, notFound, outputFormatOf, type Paddock, PaddockError, ErrorCode, type Run, stopRun, stromboliJobId } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { jobOf, runIdOfJob } from './map.ts';
import { jobCancelWire, jobListWire, jobResponseWire, runResponseWire } from './wire.ts';

export function registerCompatJobRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['stromboli'];
  const errors = (what: string) => ({ description: `${what}: {"id":"","status":"error","error":"…"}`, content: { 'application/json': { schema: runResponseWire } } });
  const params = z.object({ id: z.string().describe('job-<run id>, as POST /run/async answers (a bare run id, or run-<id> from POST /run, works too)') });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/jobs',
    tags,
    summary: 'Every run, as Stromboli jobs, newest first',
    responses: { 200: { description: 'The jobs', content: { 'application/json': { schema: jobListWire } } } },
  });
  app.get('/jobs', async (c) => {
    const runs = await listRuns(p, { all: true });
    // Listing many jobs reads no container logs: stream-json output is the result line here (GET /jobs/{id} has every line).
    const jobs = await Promise.all(runs.map((r) => jobOf(p, r, outputFormatOf(p, r.id), { lines: false })));
    return c.json({ jobs }, 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/jobs/{id}',
    tags,
    summary: "A job's status and result",
    request: { params },
    responses: { 200: { description: 'The job', content: { 'application/json': { schema: jobResponseWire } } }, 404: errors('No such job') },
  });
  app.get('/jobs/:id', async (c) => {
    const run = jobRun(p, c.req.param('id'));
    return c.json(await jobOf(p, run, outputFormatOf(p, run.id)), 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/jobs/{id}',
    tags,
    summary: 'Stop a job: its container ends within seconds (the work so far stays on its branch)',
    request: { params },
    responses: {
      200: { description: 'Stopped', content: { 'application/json': { schema: jobCancelWire } } },
      404: errors('No such job'),
      409: errors('The job has already ended'),
    },
  });
  app.delete('/jobs/:id', async (c) => {
    const run = jobRun(p, c.req.param('id'));
    if (isTerminal(run.state)) throw alreadyEnded();
    // Waits until the run has ended (its container is gone or stopped), so "cancelled" means it.
    const r = await stopRun(p, run.id, { wait: true, signal: c.req.raw.signal });
    if (r.alreadyEnded) throw alreadyEnded();
    return c.json({ cancelled: true, job_id: stromboliJobId(run.id) }, 200);
  });
}

const alreadyEnded = () => new PaddockError(ErrorCode.Conflict, 'cannot cancel job (already completed, failed, or cancelled)');

/** The run behind a job id; anything that is not one of ours is "job not found", as Stromboli says. */
function jobRun(p: Paddock, id: string): Run {
  const runId = runIdOfJob(id);
  if (runId === undefined) throw notFound('job not found');
  try {
    return findRun(p, runId);
  } catch (e) {
    if (e instanceof PaddockError && e.code === ErrorCode.NotFound) throw notFound('job not found');
    throw e;
  }
}
