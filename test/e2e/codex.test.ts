/**
 * The real Codex CLI (0.169.0, in the agent image) in real containers, talking through Paddock's gateway to the
 * scripted OpenAI Responses server: spawn --cli codex writes a file as scripted and it comes back as a commit on the
 * run branch; logs -f reads well; resume continues the thread in a fresh container (the next model request carries
 * the first exchange); the gateway counts the usage and cost and holds the real OpenAI key (a canary) on the host;
 * a dead upstream ends the run failed within 30 s, saying why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOf } from '../../src/gateway/index.ts';
import { startScriptedOpenAI } from '../fixtures/scripted-openai/server.ts';
import { canarySearch, filesWith } from '../security/scan.ts';
import { deadPort, eventsJson, git, makeRepo, paddockEnv, runIdOf, statusJson } from './harness.ts';

/** The real OpenAI key Paddock holds on the host: it must reach the upstream and never a container. */
const OPENAI_CANARY = 'sk-openai-canary-never-in-a-container-5c1e';
const MODEL = 'gpt-5.5';
const SEARCH = canarySearch(OPENAI_CANARY);

describe('codex', () => {
  it('spawn --cli codex: a commit on the run branch, readable logs, counted usage, no real key inside; resume continues the thread', async (t) => {
    const openai = await startScriptedOpenAI({ apiKey: OPENAI_CANARY });
    t.after(() => openai.close());
    const e = await paddockEnv(t, { PADDOCK_OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: OPENAI_CANARY });
    const repo = await makeRepo(t);
    // The shell step also shows what the agent can see: its identity, its environment and its Codex settings.
    openai.script('codex-e2e', [
      {
        text: 'Writing hello.txt.',
        calls: [{ name: 'exec_command', arguments: { cmd: `printf 'hello from codex\\n' > hello.txt && id -u && env | sort && cat "$CODEX_HOME/config.toml" && ${SEARCH}`, yield_time_ms: 30000 } }],
      },
      { text: 'Wrote hello.txt.' },
    ]);

    // doctor reaches the OpenAI endpoint the way the gateway does (the real key as a Bearer).
    const d = await e.cli(['doctor']);
    assert.match(d.stdout, /✔ openai endpoint: http:\/\/127\.0\.0\.1:\d+ answers \(HTTP 200\)/);
    assert.ok(openai.requests.some((q) => q.path === '/v1/models' && q.headers.authorization === `Bearer ${OPENAI_CANARY}`));
    const r = await e.cli(['spawn', '--repo', repo, '--cli', 'codex', '--model', MODEL, '--branch', 'cx', '--task', 'Write hello [[script:codex-e2e]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'completed', String(s.reason));
    assert.equal(s.agent, 'codex');
    assert.equal(await git(repo, 'show', 'cx:hello.txt'), 'hello from codex');

    // What the agent saw: not root, the run token (never the real key), the config Paddock wrote.
    const events = await eventsJson(e, id);
    const out = String(events.find((ev) => ev.kind === 'tool_result')?.data.content ?? '');
    const [uid] = out.split('\n');
    assert.notEqual(uid, '0', 'codex runs as the run’s own UID, not root');
    assert.match(out, /^PADDOCK_MODEL_TOKEN=pdk_/m);
    assert.match(out, /^CODEX_HOME=\/home\/agent\/\.codex$/m);
    assert.match(out, /base_url = "http:\/\/127\.0\.0\.1:4000\/v1"/);
    assert.ok(!JSON.stringify(events).includes(OPENAI_CANARY), 'the real key is nowhere in what the agent saw or printed');
    // The canary: in no process's environment or command line, no file the container can read, nothing Paddock stored.
    assert.match(out, /^procenv:0$/m);
    assert.match(out, /^cmdline:0$/m);
    assert.match(out, /^files:0$/m);
    assert.deepEqual(filesWith(e.home, OPENAI_CANARY), [], 'no file under PADDOCK_HOME holds the real key');
    const first = openai.mainRequests('codex-e2e');
    assert.equal(first.length, 2);
    assert.ok(
      first.every((q) => q.headers.authorization === `Bearer ${OPENAI_CANARY}`),
      'the gateway sent the real key upstream in place of the run token',
    );

    // The init event carries Codex's thread id; the result its last message.
    const init = events.find((ev) => ev.kind === 'init');
    assert.match(String(init?.data.sessionId), /^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    assert.equal(events.find((ev) => ev.kind === 'result')?.data.result, 'Wrote hello.txt.');

    // Usage and cost as the gateway counted them: two responses of 1000 in (200 cached) and 50 out.
    const usage = { inputTokens: 1600, outputTokens: 100, cacheReadTokens: 400, cacheCreationTokens: 0 };
    assert.deepEqual({ inputTokens: s.inputTokens, outputTokens: s.outputTokens, cacheReadTokens: s.cacheReadTokens, cacheCreationTokens: s.cacheCreationTokens }, usage);
    assert.ok(Math.abs(Number(s.costUsd) - costOf(MODEL, usage)!) < 1e-12, `cost ${String(s.costUsd)}`);

    // logs: the transcript reads as text, the shell command and its output, the result.
    const logs = await e.cli(['logs', '-f', id]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /● Writing hello\.txt\./);
    assert.match(logs.stdout, /⏺ .*hello\.txt/);
    assert.match(logs.stdout, /⎿ /);
    assert.match(logs.stdout, /✔ result/);

    // resume: a fresh container, the same thread; the model gets the first exchange back.
    const second = await e.cli(['resume', id, '--task', 'Show it [[script:bash cat hello.txt]]']);
    assert.equal(second.code, 0, second.stderr);
    const id2 = runIdOf(second);
    const s2 = await statusJson(e, id2);
    assert.equal(s2.state, 'completed', String(s2.reason));
    assert.equal(s2.agent, 'codex');
    assert.notEqual(s2.containerId, s.containerId);
    const events2 = await eventsJson(e, id2);
    assert.equal(events2.find((ev) => ev.kind === 'init')?.data.sessionId, init?.data.sessionId, 'the same Codex thread');
    assert.equal(String(events2.find((ev) => ev.kind === 'tool_result')?.data.content), 'hello from codex\n');
    const resumed = openai.mainRequests('bash')[0];
    const body = JSON.stringify(resumed?.body);
    assert.ok(body.includes('Write hello [[script:codex-e2e]]') && body.includes('Wrote hello.txt.') && body.includes('hello from codex'), 'the resumed request carries the first exchange');

    // A Codex conversation is Codex's: Claude cannot continue it.
    const wrong = await e.cli(['spawn', '--repo', repo, '--session', String(s.sessionId), '--task', 'x']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /is a codex conversation, not claude's/);
  });

  it('a dead upstream ends the run failed within 30 s, saying the model endpoint is unreachable', async (t) => {
    const port = await deadPort();
    const e = await paddockEnv(t, { PADDOCK_OPENAI_BASE_URL: `http://127.0.0.1:${port}`, OPENAI_API_KEY: OPENAI_CANARY });
    const repo = await makeRepo(t);
    // An image that is not Paddock's would run with the toolbox, which has Claude Code only: refused at spawn.
    const other = await e.cli(['spawn', '--repo', repo, '--cli', 'codex', '--image', 'localhost/paddock-base:bookworm', '--task', 'x']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /has Claude Code only, not codex/);
    const d = await e.cli(['doctor']);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /openai endpoint: http:\/\/127\.0\.0\.1:\d+\/? is unreachable: connection refused/);
    const started = Date.now();
    const r = await e.cli(['spawn', '--repo', repo, '--cli', 'codex', '--model', MODEL, '--task', 'hi [[script:hello]]']);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    const s = await statusJson(e, runIdOf(r));
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /^model endpoint unreachable: connection refused \(127\.0\.0\.1:\d+\)$/);
    assert.ok(elapsed < 30_000, `ended after ${elapsed} ms`);
  });
});
