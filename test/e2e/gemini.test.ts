/**
 * The real Gemini CLI (0.61.0, in the agent image) in real containers, talking through Paddock's gateway to the
 * scripted Gemini API server: spawn --cli gemini writes a file as scripted and it comes back as a commit on the run
 * branch; logs -f reads well; resume continues the session in a fresh container (the next model request carries the
 * first exchange); the gateway counts the usage and cost and holds the real Gemini key (a canary) on the host; an
 * upstream error ends the run naming what the exit code means; a dead upstream ends it failed within 30 s, saying why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOf } from '../../src/gateway/index.ts';
import { startScriptedGemini } from '../fixtures/scripted-gemini/server.ts';
import { canarySearch, filesWith } from '../security/scan.ts';
import { deadPort, eventsJson, git, makeRepo, paddockEnv, runIdOf, statusJson } from './harness.ts';

/** The real Gemini key Paddock holds on the host: it must reach the upstream and never a container. */
const GEMINI_CANARY = 'AIza-gemini-canary-never-in-a-container-7d2f';
const MODEL = 'gemini-2.5-flash';
const SEARCH = canarySearch(GEMINI_CANARY);

describe('gemini', () => {
  it('spawn --cli gemini: a commit on the run branch, readable logs, counted usage, no real key inside; resume continues the session', async (t) => {
    const gemini = await startScriptedGemini({ apiKey: GEMINI_CANARY });
    t.after(() => gemini.close());
    const e = await paddockEnv(t, { PADDOCK_GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: GEMINI_CANARY });
    const repo = await makeRepo(t);
    // The shell step also shows what the agent can see: its identity, its environment and its Gemini settings.
    const usage = { cachedContentTokenCount: 200 };
    gemini.script('gemini-e2e', [
      {
        text: 'Writing hello.txt.',
        calls: [
          {
            name: 'run_shell_command',
            args: { command: `printf 'hello from gemini\\n' > hello.txt && id -u && env | sort && cat ~/.gemini/settings.json && ${SEARCH}`, description: 'Write hello.txt' },
          },
        ],
        usage,
      },
      { text: 'Wrote hello.txt.', usage },
    ]);

    const r = await e.cli(['spawn', '--repo', repo, '--cli', 'gemini', '--model', MODEL, '--branch', 'gm', '--task', 'Write hello [[script:gemini-e2e]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'completed', String(s.reason));
    assert.equal(s.agent, 'gemini');
    assert.equal(s.memoryBytes, 1024 ** 3, 'a gemini run gets at least 1g (the CLI needs more than the 512m default)');
    const events = await eventsJson(e, id);
    const result = events.find((ev) => ev.kind === 'tool_result');
    const out = String(result?.data.content ?? '');
    assert.equal(result?.data.isError, false, out);
    assert.equal(await git(repo, 'show', 'gm:hello.txt'), 'hello from gemini');

    // What the agent saw: not root, the run token (never the real key), the settings Paddock wrote.
    const [uid] = out.split('\n');
    assert.notEqual(uid, '0', 'gemini runs as the run’s own UID, not root');
    assert.match(out, /^GEMINI_API_KEY=pdk_/m);
    assert.match(out, /^GOOGLE_GEMINI_BASE_URL=http:\/\/127\.0\.0\.1:4000$/m);
    assert.match(out, /"selectedType": "gemini-api-key"/);
    assert.match(out, /"maxAttempts": 1/);
    assert.ok(!JSON.stringify(events).includes(GEMINI_CANARY), 'the real key is nowhere in what the agent saw or printed');
    // The canary: in no process's environment or command line, no file the container can read, nothing Paddock stored.
    assert.match(out, /^procenv:0$/m);
    assert.match(out, /^cmdline:0$/m);
    assert.match(out, /^files:0$/m);
    assert.deepEqual(filesWith(e.home, GEMINI_CANARY), [], 'no file under PADDOCK_HOME holds the real key');
    const first = gemini.mainRequests('gemini-e2e');
    assert.equal(first.length, 2);
    assert.ok(
      first.every((q) => q.headers['x-goog-api-key'] === GEMINI_CANARY && q.path === `/v1beta/models/${MODEL}:streamGenerateContent`),
      'the gateway sent the real key upstream in place of the run token',
    );

    // The init event carries Paddock's session id (given with --session-id); the result its last answer, whole.
    const init = events.find((ev) => ev.kind === 'init');
    assert.equal(init?.data.model, MODEL);
    assert.match(String(init?.data.sessionId), /^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    assert.equal(events.find((ev) => ev.kind === 'result')?.data.result, 'Wrote hello.txt.');
    assert.deepEqual(
      events.filter((ev) => ev.kind === 'text').map((ev) => ev.data.text),
      ['Writing hello.txt.', 'Wrote hello.txt.'],
      'each answer is one text event, its streamed pieces joined',
    );

    // Usage and cost as the gateway counted them: two answers of 1000 prompt tokens (200 cached) and 50 out.
    const counted = { inputTokens: 1600, outputTokens: 100, cacheReadTokens: 400, cacheCreationTokens: 0 };
    assert.deepEqual({ inputTokens: s.inputTokens, outputTokens: s.outputTokens, cacheReadTokens: s.cacheReadTokens, cacheCreationTokens: s.cacheCreationTokens }, counted);
    assert.ok(Math.abs(Number(s.costUsd) - costOf(MODEL, counted)!) < 1e-12, `cost ${String(s.costUsd)}`);

    // logs: the transcript reads as text, the shell command and its output, the result.
    const logs = await e.cli(['logs', '-f', id]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /● Writing hello\.txt\./);
    assert.match(logs.stdout, /⏺ run_shell_command\(printf/);
    assert.match(logs.stdout, /⎿ /);
    assert.match(logs.stdout, /✔ result/);

    // resume: a fresh container, the same session; the model gets the first exchange back.
    const second = await e.cli(['resume', id, '--task', 'Show it [[script:bash cat hello.txt]]']);
    assert.equal(second.code, 0, second.stderr);
    const id2 = runIdOf(second);
    const s2 = await statusJson(e, id2);
    assert.equal(s2.state, 'completed', String(s2.reason));
    assert.equal(s2.agent, 'gemini');
    assert.notEqual(s2.containerId, s.containerId);
    const events2 = await eventsJson(e, id2);
    assert.equal(events2.find((ev) => ev.kind === 'init')?.data.sessionId, init?.data.sessionId, 'the same Gemini session');
    assert.equal(String(events2.find((ev) => ev.kind === 'tool_result')?.data.content), 'hello from gemini');
    const resumed = gemini.mainRequests('bash')[0];
    const body = JSON.stringify(resumed?.body);
    assert.ok(body.includes('Write hello [[script:gemini-e2e]]') && body.includes('Wrote hello.txt.') && body.includes('hello from gemini'), 'the resumed request carries the first exchange');

    // An upstream error the CLI gives up on (maxAttempts 1): the run fails at once, its exit code explained.
    const failed = await e.cli(['spawn', '--repo', repo, '--cli', 'gemini', '--model', MODEL, '--task', 'fail [[script:server-error]]']);
    assert.equal(failed.code, 1, failed.stderr);
    const s3 = await statusJson(e, runIdOf(failed));
    assert.equal(s3.state, 'failed');
    assert.match(String(s3.reason), /exited with code 244 \(the model API answered HTTP 500\)/);
    assert.equal(gemini.mainRequests('server-error').length, 1, 'one attempt, no retries');
  });

  it('a dead upstream ends the run failed within 30 s, saying the model endpoint is unreachable', async (t) => {
    const port = await deadPort();
    const e = await paddockEnv(t, { PADDOCK_GEMINI_BASE_URL: `http://127.0.0.1:${port}`, GEMINI_API_KEY: GEMINI_CANARY });
    const repo = await makeRepo(t);
    const started = Date.now();
    const r = await e.cli(['spawn', '--repo', repo, '--cli', 'gemini', '--model', MODEL, '--task', 'hi [[script:hello]]']);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    const s = await statusJson(e, runIdOf(r));
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /^model endpoint unreachable: connection refused \(127\.0\.0\.1:\d+\)$/);
    assert.ok(elapsed < 30_000, `ended after ${elapsed} ms`);
  });
});
