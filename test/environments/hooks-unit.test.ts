/**
 * Lifecycle hooks without an engine (pure logic over a real store): what a request settles to, which hooks a run's
 * plan holds, how the supervisor reads stderr lines (tags, markers, the nonce, nothing after done), the failure
 * reason, and how the CLI shows hook lines. The engine cases are in hooks.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig, openPaddock, type Paddock } from '../../src/app/index.ts';
import { hookFailure, hookLines, planHooks, recordRunLifecycle, sessionCreated, settleLifecycle } from '../../src/app/hooks.ts';
import { renderEvent } from '../../src/cli/format.ts';
import { runRow } from '../fixtures/run-row.ts';

function paddock(t: TestContext): Paddock {
  const home = mkdtempSync(join(tmpdir(), 'paddock-hooks-unit-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home, PADDOCK_MAX_TIMEOUT: '1h' }));
  t.after(async () => {
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  return p;
}

/** The supervisor's reader of a run's stderr, applying each marker's effect as the supervisor does once the line is stored. */
function reader(p: Paddock, run: { id: string; sessionId: string }) {
  const read = hookLines(p, run)!;
  return (text: string) => {
    const r = read(text);
    r?.apply?.();
    return r;
  };
}

/** A stored run (and its session) with this lifecycle, its plan written; returns the run and the plan's nonce. */
function runWith(p: Paddock, id: string, lifecycle: Parameters<typeof settleLifecycle>[1], sessionId = `s-${id}`) {
  const now = Date.now();
  if (!p.sessions.get(sessionId)) p.sessions.upsert({ id: sessionId, createdAt: now, updatedAt: now, agent: 'claude', repo: '/r', volume: `v-${sessionId}`, lastRunId: id });
  const runDir = join(p.config.home, 'runs', id);
  p.runs.insert(runRow(id, { sessionId, runDir, state: 'completed' })); // ended: a session has one live run at a time
  recordRunLifecycle(p, id, settleLifecycle(p, lifecycle));
  const plan = planHooks(p, { id, runDir, sessionId }, { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  const text = plan.file ? readFileSync(plan.file, 'utf8') : '';
  return { run: { id, sessionId }, plan, text, nonce: /^nonce ([0-9a-f]{32})$/m.exec(text)?.[1] ?? '' };
}

describe('lifecycle hooks: settling a request', () => {
  it('no commands is no lifecycle; the timeout defaults to 5m and is bounded by PADDOCK_MAX_TIMEOUT', (t) => {
    const p = paddock(t);
    assert.equal(settleLifecycle(p, undefined), undefined);
    assert.equal(settleLifecycle(p, { hooksTimeout: '30s' }), undefined);
    assert.deepEqual(settleLifecycle(p, { postStart: ['redis-server --daemonize yes'] }), { onCreate: [], postCreate: [], postStart: ['redis-server --daemonize yes'], hooksTimeoutMs: 300_000 });
    assert.equal(settleLifecycle(p, { onCreate: ['x'], hooksTimeout: 90 })?.hooksTimeoutMs, 90_000);
    assert.throws(() => settleLifecycle(p, { onCreate: ['x'], hooksTimeout: '2h' }), /hooks timeout 2h is above the longest allowed, 1h/);
    assert.throws(() => settleLifecycle(p, { onCreate: ['x'], hooksTimeout: 'soon' }), /invalid hooks timeout "soon"/);
    assert.throws(() => settleLifecycle(p, { onCreate: ['   '] }), /blank/);
    assert.throws(() => settleLifecycle(p, { onCreate: ['a\0b'] }), /NUL/);
  });
});

describe('lifecycle hooks: the plan', () => {
  it("a session's first run plans all three hooks in order; once the session is created, post_start only", (t) => {
    const p = paddock(t);
    const one = runWith(p, 'aaaaaaaaaaa1', { onCreate: ['install one', 'install two'], postCreate: ['setup'], postStart: ['serve'], hooksTimeout: '90s' });
    const cmds = [...one.text.matchAll(/^hook (\S+) (\d+) (\S+)$/gm)].map((m) => `${m[1]}#${m[2]} ${Buffer.from(m[3]!, 'base64').toString()}`);
    assert.deepEqual(cmds, ['on_create#1 install one', 'on_create#2 install two', 'post_create#1 setup', 'post_start#1 serve']);
    assert.match(one.text, /^timeout 90$/m);
    assert.match(one.text, /^create 1$/m);
    assert.equal(statSync(one.plan.file!).mode & 0o777, 0o400, 'read-only, for the run identity only');
    assert.equal(one.plan.keepLocal, true);
    const read = reader(p, one.run);
    read(`paddock-hooks:${one.nonce} created`);
    assert.equal(sessionCreated(p, one.run.sessionId)?.runId, one.run.id);
    const two = runWith(p, 'aaaaaaaaaaa2', { onCreate: ['install one'], postStart: ['serve'] }, one.run.sessionId);
    assert.deepEqual(
      [...two.text.matchAll(/^hook (\S+) /gm)].map((m) => m[1]),
      ['post_start'],
    );
    assert.match(two.text, /^create 0$/m);
    assert.notEqual(two.nonce, one.nonce, 'a nonce per run');
    // A later run of a created session without hooks keeps ~/.local too (what on_create installed).
    const three = runWith(p, 'aaaaaaaaaaa3', undefined, one.run.sessionId);
    assert.deepEqual(three.plan, { file: undefined, keepLocal: true });
    // A session that never had hooks keeps nothing.
    assert.deepEqual(runWith(p, 'aaaaaaaaaaa4', undefined).plan, { file: undefined, keepLocal: false });
  });
});

describe('lifecycle hooks: reading the stream', () => {
  it('tags hook output; markers count only with the nonce and only until done', (t) => {
    const p = paddock(t);
    const r = runWith(p, 'bbbbbbbbbbb1', { postStart: ['echo hi', 'serve &'] });
    const read = reader(p, r.run);
    assert.deepEqual(read('paddock-hook post_start#1 out: hi'), { text: 'hi', hook: { name: 'post_start#1', stream: 'stdout' } });
    assert.deepEqual(read('paddock-hook post_start#2 err: '), { text: '', hook: { name: 'post_start#2', stream: 'stderr' } });
    assert.equal(read('an agent line'), undefined);
    assert.equal(read(`paddock-hooks:${'0'.repeat(32)} fail post_start#1 3`), undefined, 'a wrong nonce is plain text');
    assert.equal(hookFailure(p, r.run.id), undefined);
    assert.match(read(`paddock-hooks:${r.nonce} start post_start#1`)!.text, /hook post_start#1 started: `echo hi`/);
    assert.equal(read(`paddock-hooks:${r.nonce} done`)!.text, 'hooks done: starting the agent');
    // After done: the agent runs, and even a marker with the right nonce is its text.
    assert.equal(read(`paddock-hooks:${r.nonce} fail post_start#1 3`), undefined);
    assert.equal(reader(p, r.run)(`paddock-hooks:${r.nonce} fail post_start#1 3`), undefined, 'a reader made after a restart knows too');
    assert.equal(hookFailure(p, r.run.id), undefined);
  });

  it('a failure names the hook, the command, the exit code and its last output lines, without control characters', (t) => {
    const p = paddock(t);
    const r = runWith(p, 'ccccccccccc1', { onCreate: ['pip install -r requirements.txt'], hooksTimeout: '2m' });
    const read = reader(p, r.run);
    const lines = ['Collecting x', 'ERROR: \u001b[31mno such file\u001b[0m'].map((l) => read(`paddock-hook on_create#1 err: ${l}`)!);
    // The supervisor stores the tagged lines as stderr events (the reason reads them back).
    p.events.ingest(
      r.run.id,
      lines.map((l, index) => ({ stream: 'stderr' as const, index, events: [], text: l.text, hook: l.hook })),
    );
    assert.equal(read(`paddock-hooks:${r.nonce} fail on_create#1 2`)!.text, 'hook on_create#1 failed with exit code 2: `pip install -r requirements.txt`');
    assert.equal(hookFailure(p, r.run.id), 'hook on_create#1 (`pip install -r requirements.txt`) failed with exit code 2; last output: Collecting x | ERROR: [31mno such file [0m');
    assert.equal(sessionCreated(p, r.run.sessionId), undefined, 'no marker: the next run runs on_create again');
    const timedOut = runWith(p, 'ccccccccccc2', { postStart: ['sleepy'], hooksTimeout: '2m' });
    reader(p, timedOut.run)(`paddock-hooks:${timedOut.nonce} fail post_start#1 timeout`);
    assert.match(hookFailure(p, timedOut.run.id)!, /^hook post_start#1 \(`sleepy`\) was still running when the hooks timeout \(2m, for all hooks together\) was up; no output$/);
  });

  it('a marker read but never stored (the host died in between) is applied by the next reader, which re-reads it', (t) => {
    const p = paddock(t);
    const r = runWith(p, 'ddddddddddd1', { onCreate: ['x'] });
    const dying = hookLines(p, r.run)!;
    dying(`paddock-hooks:${r.nonce} created`);
    dying(`paddock-hooks:${r.nonce} done`);
    assert.equal(sessionCreated(p, r.run.sessionId), undefined, 'nothing applied before the line is stored');
    const next = reader(p, r.run);
    assert.match(next(`paddock-hooks:${r.nonce} created`)!.text, /the session is created/);
    assert.match(next(`paddock-hooks:${r.nonce} done`)!.text, /hooks done/);
    assert.equal(sessionCreated(p, r.run.sessionId)?.runId, r.run.id);
  });

  it('the CLI shows hook lines with their hook, and Paddock’s word on them as a note', () => {
    const ev = (data: Record<string, unknown>) => ({ runId: 'r', seq: 1, ts: 0, source: 'stderr' as const, kind: 'stderr', data });
    assert.match(renderEvent(ev({ text: 'listening', hook: { name: 'post_start#1', stream: 'stdout' } }))!, /post_start#1: listening/);
    assert.match(renderEvent(ev({ text: 'hooks done: starting the agent', hook: { name: 'hooks', stream: 'paddock' } }))!, /— hooks done/);
    assert.match(renderEvent(ev({ text: 'plain' }))!, /stderr: plain/);
  });
});
