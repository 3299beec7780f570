/**
 * Lifecycle hooks (docs/hooks.md), end to end: the real Claude Code CLI in real containers (Podman), driven by the
 * scripted model. on_create installs a tool into ~/.local and counts itself; the session's next run (a resume) finds
 * the tool without installing it again; post_start starts a background HTTP server on loopback that the agent's Bash
 * tool queries, and the answer is the run's result; a marker the agent forges (with the run's nonce, read from the
 * plan) changes nothing; a failing hook fails the run with its output and exit code, and nothing of it keeps running.
 * One case goes through Stromboli's face (podman.lifecycle on POST /run), on Docker's engine.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon } from '../api/harness.ts';
import { eventsJson, isEnded, killDaemon, makeRepo, paddockEnv, runIdOf, statusJson, until } from '../e2e/harness.ts';

/** A tool on_create writes into ~/.local/bin, and a line it adds to a counter each time it runs. */
const INSTALL =
  "mkdir -p ~/.local/bin ~/.local/share && printf '#!/bin/sh\\necho greet-from-local\\n' > ~/.local/bin/greet && chmod +x ~/.local/bin/greet && echo ran >> ~/.local/share/on-create-count && echo installed greet";
/** A background HTTP server on loopback (node is in the agent image), and a wait until it answers. */
const SERVE = (port: number, word: string) =>
  `node -e "require('http').createServer((q, s) => s.end('${word}-' + q.url)).listen(${port}, '127.0.0.1', () => console.log('listening on ${port}'))" & ` +
  `for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; read -t 0.05 <> <(:) || true; done; echo 'the server never listened' >&2; exit 1`;
/** What the agent runs: the installed tool, the counter, and the server. */
const PROBE = (port: number) => `greet; echo count=$(wc -l < ~/.local/share/on-create-count); curl -s --noproxy '*' http://127.0.0.1:${port}/probe; echo`;

const DOCKER = process.env.PADDOCK_TEST_DOCKER_SOCKET ?? '/run/paddock/docker.sock';

type Ev = { seq: number; kind: string; source: string; data: Record<string, unknown> };
const hookLines = (evs: Ev[], name: string) => evs.filter((e) => (e.data.hook as { name?: string } | undefined)?.name === name).map((e) => String(e.data.text));

describe('lifecycle hooks', () => {
  it('on_create installs once per session, post_start serves the agent, a forged marker changes nothing', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const one = await e.cli([
      'spawn',
      '--repo',
      repo,
      '--on-create',
      INSTALL,
      '--post-create',
      'echo post-create ran >> ~/.local/share/post-create-count',
      '--post-start',
      SERVE(8765, 'pong'),
      '--hooks-timeout',
      '2m',
      '--task',
      `Probe the environment [[script:bash-echo ${PROBE(8765)}]]`,
    ]);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const id1 = runIdOf(one);
    const s1 = await statusJson(e, id1);
    assert.equal(s1.state, 'completed', String(s1.reason));
    assert.match(String(s1.resultText), /greet-from-local/);
    assert.match(String(s1.resultText), /count=1\b/);
    assert.match(String(s1.resultText), /pong-\/probe/, 'the agent reached the server post_start left running');
    const ev1 = await eventsJson(e, id1);
    assert.ok(hookLines(ev1, 'on_create#1').includes('installed greet'), 'on_create output is a tagged event');
    assert.ok(
      hookLines(ev1, 'post_start#1').some((l) => l === 'listening on 8765'),
      "the background server's own output is tagged post_start#1",
    );
    assert.ok(hookLines(ev1, 'hooks').some((l) => /the session is created/.test(l)));
    const init1 = ev1.findIndex((x) => x.kind === 'init');
    const done1 = ev1.findIndex((x) => x.source === 'stderr' && /hooks done/.test(String(x.data.text)));
    assert.ok(done1 >= 0 && init1 > done1, 'the agent started after the hooks were done');

    // The session's next run: on_create and post_create do not run again, what they installed is there, post_start
    // runs again. The agent also forges a failure marker with the run's own nonce onto the container's stderr.
    const forge = `printf 'paddock-hooks:%s fail post_start#1 9\\n' "$(sed -n 's/^nonce //p' /run/paddock-hooks/plan)" > /proc/1/fd/2`;
    const two = await e.cli(['resume', id1, '--task', `Again [[script:bash-echo ${PROBE(8765)}; ${forge}; cat ~/.local/share/post-create-count]]`]);
    assert.equal(two.code, 0, `${two.stdout}\n${two.stderr}`);
    const id2 = runIdOf(two);
    const s2 = await statusJson(e, id2);
    assert.equal(s2.sessionId, s1.sessionId);
    assert.equal(s2.state, 'completed', `a forged marker after the hooks changes nothing: ${String(s2.reason)}`);
    assert.equal(s2.reason, 'the agent finished');
    assert.match(String(s2.resultText), /greet-from-local/, 'the tool on_create installed is still there');
    assert.match(String(s2.resultText), /count=1\b/, 'on_create did not run again');
    assert.equal((String(s2.resultText).match(/post-create ran/g) ?? []).length, 1, 'post_create ran once');
    assert.match(String(s2.resultText), /pong-\/probe/, 'post_start ran again and its server answers');
    const ev2 = await eventsJson(e, id2);
    assert.deepEqual(hookLines(ev2, 'on_create#1'), []);
    assert.ok(hookLines(ev2, 'post_start#1').includes('listening on 8765'));
    const forged = ev2.filter((x) => x.source === 'stderr' && /^paddock-hooks:[0-9a-f]{32} fail post_start#1 9$/.test(String(x.data.text)));
    assert.equal(forged.length, 1, 'the forged marker reached the stream, and was kept as plain text');
    assert.equal(forged[0]!.data.hook, undefined);
  });

  it('a failing hook fails the run with its output and exit code, and nothing of it keeps running', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli([
      'spawn',
      '--repo',
      repo,
      '--post-start',
      'node -e "setInterval(() => {}, 1000)" > /dev/null 2>&1 & echo started a background process',
      '--post-start',
      'echo preparing; echo "the database is broken" >&2; exit 7',
      '--post-start',
      'echo never runs',
      '--task',
      'Never starts [[script:hello]]',
    ]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'failed');
    assert.equal(s.exitCode, 7);
    assert.match(String(s.reason), /^hook post_start#2 \(`echo preparing; .*`\) failed with exit code 7; last output: .*preparing.*the database is broken/);
    const evs = await eventsJson(e, id);
    assert.equal(
      evs.find((x) => x.kind === 'init'),
      undefined,
      'the agent never started',
    );
    assert.deepEqual(hookLines(evs, 'post_start#3'), [], 'the chain stopped at the failing hook');
    const c = await e.engine.getContainer(`paddock-${id}`).inspect();
    assert.equal(c.State.Running, false, 'the container (and the background process a hook left) ended');
    assert.equal(c.State.ExitCode, 7);
  });

  it('a hook that outlives the hooks timeout fails the run, naming it', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--on-create', 'echo waiting; read -t 60 <> <(:)', '--hooks-timeout', '2s', '--task', 'Never starts [[script:hello]]']);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const s = await statusJson(e, runIdOf(r));
    assert.equal(s.state, 'failed');
    assert.equal(s.exitCode, 124);
    assert.match(String(s.reason), /^hook on_create#1 .* was still running when the hooks timeout \(2s, for all hooks together\) was up; last output: waiting/);
    const bad = await e.cli(['spawn', '--repo', repo, '--post-start', 'true', '--hooks-timeout', '100d', '--task', 'x']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /hooks timeout 100d is above the longest allowed/);
  });

  it('a daemon killed while on_create runs: the next one adopts the run, stores the session marker (hooks-unit: its next plan is post_start only), and the run completes', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    // on_create waits for a file the test writes after the daemon is gone (bounded), so the kill lands mid-hook.
    const onCreate = 'echo waiting for the go; for i in $(seq 1 600); do [ -e /workspace/.go ] && break; read -t 0.05 <> <(:) || true; done; echo went';
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--on-create', onCreate, '--task', 'After a restart [[script:bash-echo echo agent ran]]'])).stdout.trim();
    await until(async () => hookLines(await eventsJson(e, id), 'on_create#1').includes('waiting for the go'), 'on_create to start', 120_000, 250);
    await killDaemon(e.home);
    writeFileSync(join(e.home, 'runs', id, 'src', '.go'), '');
    const s = await until(
      async () => {
        const x = await statusJson(e, id); // starts a daemon, which adopts the run
        return isEnded(x) && x;
      },
      'the adopted run to end',
      120_000,
      500,
    );
    assert.equal(s.state, 'completed', String(s.reason));
    assert.match(String(s.resultText), /agent ran/);
    const evs = await eventsJson(e, id);
    const seen = JSON.stringify(evs.filter((x) => x.source === 'stderr' || x.kind === 'note').map((x) => x.data));
    assert.ok(hookLines(evs, 'on_create#1').includes('went'), seen);
    assert.ok(
      hookLines(evs, 'hooks').some((l) => /the session is created/.test(l)),
      `the adopting daemon stored the session marker: ${seen}`,
    );
  });

  // On Docker's engine (the other engine: its plain ro binds, its log stream), through Stromboli's face.
  it("Stromboli's podman.lifecycle runs the hooks too (POST /run, on Docker)", { skip: existsSync(DOCKER) ? false : `no Docker engine at ${DOCKER}` }, async (t) => {
    const d = await startDaemon(t, { PADDOCK_ENGINE_SOCKET: DOCKER });
    const r = await d.json('POST', '/run', {
      prompt: `Probe [[script:bash-echo ${PROBE(8766)}]]`,
      podman: { lifecycle: { on_create_command: [INSTALL], post_start: [SERVE(8766, 'stromboli')], hooks_timeout: '2m' } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'completed');
    assert.match(r.body.output, /greet-from-local/);
    assert.match(r.body.output, /count=1\b/);
    assert.match(r.body.output, /stromboli-\/probe/);
    const failed = await d.json('POST', '/run', { prompt: 'Never starts [[script:hello]]', podman: { lifecycle: { post_start: ['echo nope; exit 3'] } } });
    assert.equal(failed.status, 500, JSON.stringify(failed.body));
    assert.match(failed.body.error, /hook post_start#1 \(`echo nope; exit 3`\) failed with exit code 3; last output: nope/);
  });
});
