/**
 * Every request body in Stromboli's swagger.yaml, sent to `paddock serve`: each property of RunRequest (nested
 * claude, podman, lifecycle and environment too), alone, at its swagger example (or a plausible value where the
 * swagger has none), to POST /run and /run/async and under the `container` alias. Each is accepted (the run is
 * queued, then cancelled before it takes a container) or refused with a 400 that names the field and says why
 * Paddock does not do it, never as an unknown field or a wrong type; the refusals are exactly the list
 * docs/api.md gives. A body with every accepted property together runs to completion, its options on the agent's
 * command line. Request bodies of the other faces' routes (auth, agents, secrets, images) are their tests' business.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';
import { assertMatches, requestDefinitions, resolved, SWAGGER } from './stromboli-swagger.ts';

type Json = Record<string, unknown>;

/** Values for properties the swagger gives no example for: what a real client would send. */
const PLAUSIBLE: Record<string, unknown> = {
  'claude.agents': { reviewer: { description: 'Reviews code', prompt: 'You review code.' } },
  'claude.add_dirs': ['/tmp'],
  'claude.betas': ['interleaved-thinking-2025-05-14'],
  'claude.files': ['file_011CNha8iCJcU1wXNR6q4V8w:notes.txt'],
  'claude.mcp_configs': ['{"mcpServers":{}}'],
  'claude.plugin_dirs': ['/opt/plugins'],
  'claude.settings': '{"model":"sonnet"}',
  'podman.secrets_env': { GH_TOKEN: 'github-token' },
};

/** What Paddock refuses, and the words that say why (docs/api.md lists the same). */
const REFUSED: Record<string, RegExp> = {
  'claude.tools': /claude\.tools is not supported/,
  'claude.agent': /claude\.agent is not supported/,
  'claude.files': /claude\.files is not supported/,
  'claude.plugin_dirs': /claude\.plugin_dirs is not supported/,
  'claude.setting_sources': /claude\.setting_sources is not supported/,
  'claude.debug': /claude\.debug is not supported/,
  'claude.effort': /claude\.effort is not supported/,
  'claude.resume': /claude\.resume: needs session_id/,
  'podman.image': /image python:3\.12 is not in the engine/,
  'podman.volumes': /refused by policy \(PADDOCK_MOUNT_ALLOW\): mount \/data: no extra mounts are allowed/,
  'podman.secrets_env': /secretsEnv\.GH_TOKEN: there is no secret named github-token/,
  // Alone, without the file and the service (a Compose run with both: test/environments/services-compose.test.ts).
  'podman.environment.type': /podman\.environment: type compose needs path \(the Compose file\) and service/,
};

/** Every leaf property of a definition, with the value to send: [path, value]. */
function leaves(schema: Json, prefix: string): [string, unknown][] {
  const s = resolved(schema);
  const out: [string, unknown][] = [];
  for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const r = resolved(prop);
    if (r.type === 'object' && r.properties) out.push(...leaves(r, path));
    else out.push([path, path in PLAUSIBLE ? PLAUSIBLE[path] : (prop.example ?? r.example ?? typeDefault(r))]);
  }
  return out;
}

function typeDefault(s: Json): unknown {
  switch (s.type) {
    case 'string':
      return 'x';
    case 'boolean':
      return true;
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'array':
      return [typeDefault((s.items ?? { type: 'string' }) as Json)];
    default:
      return {};
  }
}

/** {a: {b: v}} from 'a.b', v */
function bodyWith(path: string, value: unknown): Json {
  const keys = path.split('.');
  const body: Json = { prompt: 'Analyze this code and suggest improvements' };
  let at = body;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[keys.at(-1)!] = value;
  return body;
}

async function hookReceiver(t: { after: (fn: () => void) => void }): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe('Stromboli swagger: request bodies', () => {
  it('the request definitions this face serves are RunRequest (for /run and /run/async)', () => {
    const mine = requestDefinitions().filter((r) => r.path.startsWith('/run'));
    assert.deepEqual(
      mine.map((r) => `${r.method} ${r.path} ${r.definition}`),
      ['post /run internal_api.RunRequest', 'post /run/async internal_api.RunRequest'],
    );
  });

  it('each RunRequest property alone is accepted, or refused by name with the reason docs/api.md gives', async (t) => {
    // One slot, held by a slow run: the runs accepted here wait in the queue and are cancelled there (no container).
    const d = await startDaemon(t, { PADDOCK_MAX_RUNNING: '1', PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const hook = await hookReceiver(t);
    const holder = await d.json('POST', '/run/async', { prompt: 'Hold the slot [[script:slow 300]]' });
    assert.equal(holder.status, 202);
    const props = leaves(SWAGGER.definitions['internal_api.RunRequest']!, '').filter(([p]) => p !== 'prompt');
    assert.ok(props.length >= 50, `${props.length} properties`);
    const refused: string[] = [];
    for (const [path, example] of props) {
      const value = path === 'webhook_url' ? hook : example; // never a public address from a test
      for (const [route, alias] of [
        ['/run/async', 'podman'],
        ['/run', 'podman'],
        ['/run/async', 'container'],
      ] as const) {
        if (route === '/run' && !REFUSED[path]) continue; // an accepted body on /run would wait for its run's end
        const sent = alias === 'container' ? path.replace(/^podman\./, 'container.') : path;
        if (alias === 'container' && sent === path) continue;
        const r = await d.json('POST', route, bodyWith(sent, value));
        const what = `${route} ${sent}=${JSON.stringify(value)}`;
        if (REFUSED[path]) {
          // A policy refusal (docs/policy.md) is a 403; other bad input a 400.
          assert.equal(r.status, /refused by policy/.test(String(r.body.error)) ? 403 : 400, `${what}: ${JSON.stringify(r.body)}`);
          assertMatches('internal_api.RunResponse', r.body, what);
          assert.match(r.body.error, REFUSED[path]!.source.includes('podman') ? new RegExp(REFUSED[path]!.source.replace('podman', alias)) : REFUSED[path]!, what);
          assert.doesNotMatch(r.body.error, /unknown field|must be an? (string|boolean|number|integer|array|object)\b/, what);
          if (route === '/run/async' && alias === 'podman') refused.push(path);
        } else {
          assert.equal(r.status, 202, `${what}: ${JSON.stringify(r.body)}`);
          assertMatches('internal_api.AsyncRunResponse', r.body, what);
          const cancel = await d.json('DELETE', `/jobs/${r.body.job_id}`);
          assert.equal(cancel.status, 200, `${what}: cancel ${JSON.stringify(cancel.body)}`);
        }
      }
    }
    assert.deepEqual(refused.sort(), Object.keys(REFUSED).sort());
    // docs/api.md names each refused field.
    const doc = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    for (const path of refused) assert.ok(doc.includes(`\`${path.split('.').slice(1).join('.') || path}\``), `docs/api.md does not name ${path}`);
    await d.json('DELETE', `/jobs/${holder.body.job_id}`);
  });

  it("one body with every accepted property runs to completion, its options on the agent's command line", async (t) => {
    const d = await startDaemon(t, { PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const hook = await hookReceiver(t);
    const body: Json = { prompt: 'Say it [[script:hello all options]]' };
    for (const [path, example] of leaves(SWAGGER.definitions['internal_api.RunRequest']!, '')) {
      // json_schema makes the agent answer through its StructuredOutput tool (tested on its own in compat-runs)
      // lifecycle hooks run for real, and their examples (pip install, npm run setup, redis-server) fail in the agent image: test/environments/hooks.test.ts runs hooks through this face
      if (path === 'prompt' || REFUSED[path] || path === 'claude.json_schema' || path === 'claude.continue' || path === 'claude.fork_session' || path.startsWith('podman.lifecycle.')) continue;
      const b = bodyWith(path, path === 'webhook_url' ? hook : example);
      deepMerge(body, b, path);
    }
    body.prompt = 'Say it [[script:hello all options]]'; // (each merged body brought the example prompt)
    const r = await d.json('POST', '/run/async', body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.session_id, '550e8400-e29b-41d4-a716-446655440000', 'claude.session_id names the new session');
    const done = await until(
      async () => {
        const j = await d.json('GET', `/jobs/${r.body.job_id}`);
        return ['completed', 'failed', 'crashed', 'cancelled'].includes(j.body.status) ? j.body : undefined;
      },
      'the job to end',
      180_000,
      300,
    );
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const envelope = JSON.parse(done.output); // output_format json
    assert.equal(envelope.result, 'all options');
    const argv = (await d.e.engine.getContainer(`paddock-${r.body.job_id.slice(4)}`).inspect()).Config.Cmd as string[];
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    assert.equal(flag('--model'), 'sonnet');
    assert.equal(flag('--fallback-model'), 'haiku');
    assert.equal(flag('--max-turns'), '30');
    assert.equal(flag('--max-budget-usd'), '5');
    assert.equal(flag('--permission-mode'), 'bypassPermissions');
    assert.equal(flag('--append-system-prompt'), 'Focus on security best practices');
    assert.ok(argv.includes('--dangerously-skip-permissions'));
    assert.deepEqual(argv.slice(argv.indexOf('--allowedTools') + 1, argv.indexOf('--allowedTools') + 3), ['Bash(git:*)', 'Read']);
    const run = (await d.json('GET', `/api/v1/runs/${r.body.job_id.slice(4)}`)).body.run;
    assert.equal(run.memoryBytes, 512 * 1024 ** 2);
    assert.equal(run.cpus, 1);
    assert.equal(run.timeoutMs, 5 * 60_000);
    assert.equal(run.workspace, 'scratch', "workdir /workspace is the container's own directory");
  });
});

function deepMerge(into: Json, from: Json, what: string): void {
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof into[k] === 'object' && into[k] !== null) deepMerge(into[k] as Json, v as Json, what);
    else into[k] = v;
  }
}
