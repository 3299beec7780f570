/**
 * Property-based abuse of every Stromboli route and of the native POST /api/v1/runs, over real HTTP to a real
 * daemon: malformed JSON, wrong types, unknown fields, bodies over the limit, bad ids and bad queries. Every answer
 * is a 4xx in that endpoint's own error shape, never a 5xx; the daemon still answers afterwards, and not one run was
 * started by any of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import http from 'node:http';
import fc from 'fast-check';
import { startDaemon, type Daemon } from './harness.ts';
import { assertMatches, responseDefinition } from './stromboli-swagger.ts';

type Shape = 'run-response' | 'plain' | 'destroy' | 'text' | 'native';
type Answer = { status: number; body: unknown; contentType: string };

/**
 * One request over node:http: a response counts even when the server answered before reading the whole body (a
 * 413 for a body over the limit) and the rest of the upload then fails.
 */
function send(d: Daemon, method: string, path: string, body?: string): Promise<Answer> {
  const url = new URL(path, d.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, contentType: String(res.headers['content-type'] ?? '') });
      });
      res.on('error', reject);
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body === undefined || body.length <= 1024 * 1024) {
      req.end(body);
      return;
    }
    // Over the limit: the server answers from the headers alone; wait for that before sending the body (sent
    // first, the upload can be cut off by the server closing the connection, and the answer lost with it).
    req.flushHeaders();
    setTimeout(() => {
      if (!answered) req.end(body);
      else req.destroy();
    }, 2000);
  });
}

/** A 4xx in the shape; where Stromboli's swagger documents that answer (`op`: path template and method), it validates. */
function assertShape(a: Answer, shape: Shape, what: string, op?: [string, string]): void {
  assert.ok(a.status >= 400 && a.status < 500, `${what}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
  const def = op && responseDefinition(op[0], op[1], a.status);
  if (def) assertMatches(def, a.body, what);
  const b = a.body as Record<string, unknown>;
  const keys = typeof b === 'object' && b !== null ? Object.keys(b).sort() : [];
  switch (shape) {
    case 'run-response':
      assert.deepEqual(keys, ['error', 'id', 'status'], what);
      assert.equal(b.id, '', what);
      assert.equal(b.status, 'error', what);
      assert.ok(typeof b.error === 'string' && b.error.length > 0, what);
      break;
    case 'plain':
      assert.deepEqual(keys, ['error'], what);
      assert.equal(typeof b.error, 'string', what);
      break;
    case 'destroy':
      assert.deepEqual(keys, ['error', 'success'], what);
      assert.equal(b.success, false, what);
      break;
    case 'text':
      assert.match(a.contentType, /^text\/plain/, what);
      assert.ok(typeof a.body === 'string' && a.body.length > 0, what);
      break;
    case 'native': {
      const e = b.error as Record<string, unknown>;
      assert.ok(typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string', `${what}: ${JSON.stringify(b)}`);
      break;
    }
  }
}

const BODY_ROUTES: [string, Shape][] = [
  ['/run', 'run-response'],
  ['/run/async', 'run-response'],
  ['/api/v1/runs', 'native'],
];

/** A body that is valid apart from what the property changes (native: a repo that is not there, so nothing runs). */
const base = (path: string): Record<string, unknown> => (path === '/api/v1/runs' ? { repo: '/nonexistent-paddock-fuzz', task: 'x' } : { prompt: 'x' });

/** Values of any JSON type but the one given (never null: Go, and Paddock, read a null as "not set"). */
const notA = (type: 'string' | 'object' | 'array' | 'boolean' | 'integer'): fc.Arbitrary<unknown> => {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string(),
    boolean: fc.boolean(),
    integer: fc.integer(),
    float: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
    array: fc.array(fc.jsonValue(), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
  };
  // A float is a wrong type for an integer field too.
  const wrong = Object.entries(all)
    .filter(([k]) => k !== type)
    .map(([, a]) => a);
  return fc.oneof(...wrong);
};

/** Fields with their JSON type, per body route. */
const TYPED: Record<string, [string, 'string' | 'object' | 'array' | 'boolean' | 'integer'][]> = {
  compat: [
    ['prompt', 'string'],
    ['workdir', 'string'],
    ['webhook_url', 'string'],
    ['claude', 'object'],
    ['podman', 'object'],
    ['container', 'object'],
    ['claude.model', 'string'],
    ['claude.resume', 'boolean'],
    ['claude.max_turns', 'integer'],
    ['claude.allowed_tools', 'array'],
    ['claude.agents', 'object'],
    ['claude.dangerously_skip_permissions', 'boolean'],
    ['claude.session_id', 'string'],
    ['podman.memory', 'string'],
    ['podman.cpus', 'string'],
    ['podman.timeout', 'string'],
    ['podman.cpu_shares', 'integer'],
    ['podman.volumes', 'array'],
    ['podman.lifecycle', 'object'],
    ['podman.environment', 'object'],
    ['podman.secrets_env', 'object'],
  ],
  native: [
    ['repo', 'string'],
    ['task', 'string'],
    ['type', 'string'],
    ['agentOptions', 'object'],
    ['withChanges', 'boolean'],
    ['sessionId', 'string'],
    ['workspace', 'string'],
  ],
};

function setPath(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let at = body;
  for (const k of keys.slice(0, -1)) at = (at[k] = typeof at[k] === 'object' && at[k] !== null ? at[k] : {}) as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return body;
}

/** A field name no schema has. */
const unknownKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/).map((k) => `zz_${k}`);

describe('Stromboli face: hostile input', () => {
  it("malformed JSON, wrong types, unknown fields, huge bodies, bad ids and queries: a 4xx in the endpoint's shape, never a 5xx", async (t) => {
    const d = await startDaemon(t);
    const runs = { numRuns: 40, endOnFailure: true };

    // Malformed JSON: text that is not JSON, JSON that is not an object, JSON cut short.
    const malformed = fc.oneof(
      fc.string().filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null)).map((v) => JSON.stringify(v)),
      fc.tuple(fc.constantFrom('{"prompt":"x","claude":{"model":"sonnet"}}', '{"repo":"/x","task":"y"}'), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length - 1))),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BODY_ROUTES), malformed, async ([path, shape], body) => {
        assertShape(await send(d, 'POST', path, body), shape, `POST ${path} ${JSON.stringify(body)}`, [path, 'post']);
      }),
      runs,
    );

    // Wrong types, one field at a time.
    const wrongType = fc
      .constantFrom(...BODY_ROUTES)
      .chain(([path, shape]) =>
        fc.constantFrom(...TYPED[path === '/api/v1/runs' ? 'native' : 'compat']!).chain(([field, type]) => notA(type).map((v) => ({ path, shape, field, body: setPath(base(path), field, v) }))),
      );
    await fc.assert(
      fc.asyncProperty(wrongType, async ({ path, shape, field, body }) => {
        const a = await send(d, 'POST', path, JSON.stringify(body));
        assertShape(a, shape, `POST ${path} ${field}=${JSON.stringify(body).slice(0, 200)}`, [path, 'post']);
      }),
      { ...runs, numRuns: 120 },
    );

    // Unknown fields, at the top, in podman/container, in claude (the agent's option parser refuses those).
    const unknown = fc
      .tuple(fc.constantFrom(...BODY_ROUTES), fc.constantFrom('', 'podman.', 'container.', 'claude.', 'agentOptions.'), unknownKey, fc.jsonValue())
      .filter(([[path], where]) => (path === '/api/v1/runs' ? where === 'agentOptions.' : where !== 'agentOptions.'));
    await fc.assert(
      fc.asyncProperty(unknown, async ([[path, shape], where, key, value]) => {
        const a = await send(d, 'POST', path, JSON.stringify(setPath(base(path), `${where}${key}`, value)));
        assertShape(a, shape, `POST ${path} ${where}${key}`, [path, 'post']);
        assert.equal(a.status, 400);
        const message = shape === 'native' ? (a.body as { error: { message: string } }).error.message : (a.body as { error: string }).error;
        assert.ok(message.includes(key), `the message names ${key}: ${message}`);
      }),
      runs,
    );
    for (const [path, shape] of BODY_ROUTES) {
      const top = await send(d, 'POST', path, JSON.stringify({ ...base(path), zz_extra: 1 }));
      assertShape(top, shape, `${path} unknown top-level field`);
      assert.equal(top.status, 400);
    }

    // Bodies over the limit (1 MiB).
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BODY_ROUTES), fc.integer({ min: 1024 * 1024 + 1, max: 3 * 1024 * 1024 }), async ([path, shape], size) => {
        const a = await send(d, 'POST', path, JSON.stringify({ ...base(path), [path === '/api/v1/runs' ? 'task' : 'prompt']: 'x'.repeat(size) }));
        assertShape(a, shape, `POST ${path} of ${size} bytes`, [path, 'post']);
        assert.equal(a.status, 413);
      }),
      { ...runs, numRuns: 6 },
    );

    // Bad ids: anything as a job, session or message id (but "." and "..", which the client's URL resolution eats).
    const encodable = (s: string) => {
      try {
        encodeURIComponent(s);
        return true;
      } catch {
        return false;
      }
    }; // no lone surrogates
    const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((s) => s !== '.' && s !== '..' && encodable(s));
    const idRoutes: [string, (x: string) => string, Shape, string][] = [
      ['GET', (x) => `/jobs/${x}`, 'run-response', '/jobs/{id}'],
      ['DELETE', (x) => `/jobs/${x}`, 'run-response', '/jobs/{id}'],
      ['DELETE', (x) => `/sessions/${x}`, 'destroy', '/sessions/{id}'],
      ['GET', (x) => `/sessions/${x}/messages`, 'plain', '/sessions/{id}/messages'],
      ['GET', (x) => `/sessions/${x}/messages/${x}`, 'plain', '/sessions/{id}/messages/{message_id}'],
      ['GET', (x) => `/sessions/4a1f7d0e-3c2b-4e5f-8a9b-0c1d2e3f4a5b/messages/${x}`, 'plain', '/sessions/{id}/messages/{message_id}'],
      ['GET', (x) => `/api/v1/runs/${x}`, 'native', ''],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idRoutes), id, async ([method, path, shape, template], x) => {
        const p = path(encodeURIComponent(x));
        assertShape(await send(d, method, p), shape, `${method} ${p}`, [template, method.toLowerCase()]);
      }),
      { ...runs, numRuns: 150 },
    );

    // /run/stream: a missing or empty prompt, a session_id that is not one, a workdir that cannot be: text/plain 400s.
    const streamQuery = fc.oneof(
      fc.constant(''),
      fc.string().map((s) => `prompt=&workdir=${encodeURIComponent(s)}`),
      fc
        .tuple(
          fc.string({ minLength: 1 }),
          fc.string({ unit: 'binary' }).filter((s) => encodable(s) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
        )
        .map(([p, s]) => `prompt=${encodeURIComponent(p)}&session_id=${encodeURIComponent(s)}`),
      fc.tuple(fc.string({ minLength: 1 }), fc.stringMatching(/^[a-z][a-z0-9/]{0,20}$/)).map(([p, w]) => `prompt=${encodeURIComponent(p)}&workdir=${w}`),
    );
    await fc.assert(
      fc.asyncProperty(streamQuery, async (q) => {
        const a = await send(d, 'GET', `/run/stream?${q}`);
        assertShape(a, 'text', `GET /run/stream?${q}`);
      }),
      { ...runs, numRuns: 60 },
    );

    const health = await send(d, 'GET', '/health');
    assert.equal(health.status, 200, 'the daemon still answers');
    const jobs = await send(d, 'GET', '/jobs');
    assert.deepEqual(jobs.body, { jobs: [] }, 'no input above started a run');
  });
});
