/** The logger port, request/run context, the engine path template, the traces URL and the observability settings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { enginePathTemplate } from '../../src/runtime/engine-path.ts';
import { currentLogContext, logLineFields, loggerFor, nodeDebugWantsPaddock, setLogSink, track, withRequestContext, withRunContext } from '../../src/telemetry/index.ts';
import { tracesUrl } from '../../src/telemetry/otel.ts';

function sink() {
  const got: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => void got.push({ level, obj: { ...obj, ...logLineFields() }, ...(msg ? { msg } : {}) });
  return { got, s: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('telemetry', () => {
  it('debug lines reach the sink only at debug; info always; each names its component', (t) => {
    t.after(() => setLogSink(undefined));
    const { got, s } = sink();
    setLogSink(s, { debug: false });
    const git = loggerFor('git');
    assert.equal(git.debugEnabled, process.env.NODE_DEBUG?.includes('paddock') ?? false);
    git.info({ a: 1 }, 'hello');
    track('git', 'status', { args: 'git status' }).end();
    assert.deepEqual(
      got.map((g) => [g.level, g.obj.component, g.msg]),
      [['info', 'git', 'hello']],
    );
    setLogSink(s, { debug: true });
    track('git', 'status', { args: 'git status' }).end(undefined, { code: 0 });
    track('engine', 'GET /_ping', { path: '/_ping' }).end(new Error('refused'), { status: 0 });
    const [ok, failed] = got.slice(1);
    assert.equal(ok?.obj.component, 'git');
    assert.equal(ok?.obj.code, 0);
    assert.equal(typeof ok?.obj.ms, 'number');
    assert.equal(failed?.obj.err, 'refused');
    assert.equal(failed?.msg, 'engine GET /_ping');
  });

  it("a request's context reaches lines written deep below it, across awaits; a run's replaces it", async (t) => {
    t.after(() => setLogSink(undefined));
    const { got, s } = sink();
    setLogSink(s, { debug: true });
    const log = loggerFor('engine');
    await withRequestContext('req-1', async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.debug({}, 'in request');
      // A run started while the request is served: its lines are the run's, not the request's.
      await withRunContext('run-1', async () => {
        await Promise.resolve();
        log.debug({}, 'in run');
      });
      log.debug({}, 'back in request');
    });
    log.debug({}, 'outside');
    assert.deepEqual(
      got.map((g) => [g.msg, g.obj.requestId, g.obj.runId]),
      [
        ['in request', 'req-1', undefined],
        ['in run', undefined, 'run-1'],
        ['back in request', 'req-1', undefined],
        ['outside', undefined, undefined],
      ],
    );
    assert.equal(currentLogContext(), undefined);
  });

  it('NODE_DEBUG names paddock components', () => {
    assert.equal(nodeDebugWantsPaddock({ NODE_DEBUG: 'paddock*' }), true);
    assert.equal(nodeDebugWantsPaddock({ NODE_DEBUG: 'http,paddock-git' }), true);
    assert.equal(nodeDebugWantsPaddock({ NODE_DEBUG: 'http net' }), false);
    assert.equal(nodeDebugWantsPaddock({}), false);
  });

  it('engine paths become templates: one op per kind of call, whatever the container', () => {
    const cases: [string, string][] = [
      ['/_ping', '/_ping'],
      ['/containers/json?', '/containers/json'],
      ['/containers/create?', '/containers/create'],
      ['/containers/3f2a/start', '/containers/{id}/start'],
      ['/containers/3f2a?', '/containers/{id}'],
      ['/containers/3f2a/logs?', '/containers/{id}/logs'],
      ['/images/localhost/paddock-agent:latest/json', '/images/{ref}/json'],
      ['/images/sha256:ab/tag?', '/images/{ref}/tag'],
      ['/images/localhost/x:1', '/images/{ref}'],
      ['/images/json', '/images/json'],
      ['/volumes/create', '/volumes/create'],
      ['/volumes/paddock-session-1', '/volumes/{id}'],
      ['/build?', '/build'],
      ['/v1.41/containers/3f2a/wait', '/containers/{id}/wait'],
    ];
    for (const [path, want] of cases) assert.equal(enginePathTemplate(path), want, path);
  });

  it('the traces URL: a bare collector address gets /v1/traces', () => {
    assert.equal(tracesUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
    assert.equal(tracesUrl('http://127.0.0.1:4318/'), 'http://127.0.0.1:4318/v1/traces');
    assert.equal(tracesUrl('https://otel.example.invalid/custom/traces'), 'https://otel.example.invalid/custom/traces');
  });

  it('observability settings: defaults, aliases, and bad values named at start', () => {
    const base = { PADDOCK_HOME: '/tmp/paddock-unit-telemetry-home' };
    const c = loadConfig(base);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.metricsEnabled, true);
    assert.equal(c.metricsAddress, undefined);
    assert.equal(c.tracingEndpoint, undefined);
    assert.equal(c.tracingServiceName, 'paddock');
    const s = loadConfig({
      ...base,
      STROMBOLI_METRICS_ENABLED: 'false',
      STROMBOLI_METRICS_ADDRESS: '127.0.0.1:9090',
      PADDOCK_TRACING_ENDPOINT: 'http://127.0.0.1:4318',
      STROMBOLI_TRACING_SERVICE_NAME: 'x',
    });
    assert.equal(s.metricsEnabled, false);
    assert.deepEqual(s.metricsAddress, { host: '127.0.0.1', port: 9090 });
    assert.equal(s.tracingEndpoint, 'http://127.0.0.1:4318');
    assert.equal(s.tracingServiceName, 'x');
    assert.equal(loadConfig({ ...base, PADDOCK_METRICS_ENABLED: 'true', STROMBOLI_METRICS_ENABLED: 'false' }).metricsEnabled, true, 'the Paddock name wins');
    const bad: [NodeJS.ProcessEnv, RegExp][] = [
      [{ PADDOCK_LOG_LEVEL: 'loud' }, /PADDOCK_LOG_LEVEL/],
      [{ PADDOCK_METRICS_ENABLED: 'maybe' }, /PADDOCK_METRICS_ENABLED/],
      [{ PADDOCK_METRICS_ADDRESS: '0.0.0.0:9090' }, /PADDOCK_METRICS_ADDRESS.*not a loopback address/],
      [{ STROMBOLI_METRICS_ADDRESS: '9090' }, /STROMBOLI_METRICS_ADDRESS/],
      [{ PADDOCK_METRICS_ADDRESS: '127.0.0.1:70000' }, /PADDOCK_METRICS_ADDRESS/],
      [{ PADDOCK_TRACING_ENDPOINT: 'localhost:4317' }, /PADDOCK_TRACING_ENDPOINT.*OTLP\/HTTP/],
    ];
    for (const [env, message] of bad) assert.throws(() => loadConfig({ ...base, ...env }), message, JSON.stringify(env));
  });
});
