/** What runs cost, counted by Paddock's relay: per run (not per conversation), for every end, and past 10,000 events. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOf } from '../../src/gateway/index.ts';
import { eventsJson, git, makeRepo, paddockEnv, runIdOf, statusJson, until } from './harness.ts';

describe('accounting', () => {
  it('a session resumed twice: each run records its own tokens and cost, and the three add up to what the model server billed', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('note', ({ arg, cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/${arg}.txt`, content: `${arg}\n` } }] }, { text: `wrote ${arg}` }]);
    const first = await e.cli(['spawn', '--repo', repo, '--branch', 'acct', '--task', 'First [[script:note one]]']);
    assert.equal(first.code, 0, first.stderr);
    const r1 = runIdOf(first);
    const second = await e.cli(['resume', r1, '--task', 'Second [[script:note two]]']);
    assert.equal(second.code, 0, second.stderr);
    const r2 = runIdOf(second);
    const third = await e.cli(['resume', r2, '--task', 'Third [[script:note three]]']);
    assert.equal(third.code, 0, third.stderr);
    const r3 = runIdOf(third);

    const runs = await Promise.all([r1, r2, r3].map((id) => statusJson(e, id)));
    assert.deepEqual(
      runs.map((r) => r.state),
      ['completed', 'completed', 'completed'],
    );
    assert.equal(new Set(runs.map((r) => r.sessionId)).size, 1, 'one conversation');
    assert.deepEqual(
      runs.map((r) => r.branch),
      ['acct', 'acct', 'acct'],
      "resume stays on the run's branch",
    );
    assert.deepEqual(
      (await git(repo, 'ls-tree', '--name-only', 'acct'))
        .split('\n')
        .filter((f) => /^(one|two|three)\.txt$/.test(f))
        .sort(),
      ['one.txt', 'three.txt', 'two.txt'],
      'each resume started from what the earlier run brought back',
    );

    const billed = e.model.requests.filter((r) => r.billed).map((r) => costOf(r.billed!.model, r.billed!.usage) ?? NaN);
    const billedTokens = e.model.requests.filter((r) => r.billed).reduce((n, r) => n + r.billed!.usage.inputTokens, 0);
    const recorded = runs.map((r) => Number(r.costUsd));
    assert.ok(
      recorded.every((c) => c > 0),
      `every run has its own cost: ${recorded}`,
    );
    const sum = recorded.reduce((a, b) => a + b, 0);
    const bill = billed.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - bill) < 1e-9, `recorded ${sum} vs billed ${bill}`);
    assert.equal(
      runs.reduce((n, r) => n + Number(r.inputTokens), 0),
      billedTokens,
    );
    // The agent's own figure for the last run is the whole conversation's: not what Paddock records for it.
    const lastResult = (await eventsJson(e, r3)).find((ev) => ev.kind === 'result');
    assert.ok(Number(lastResult?.data.costUsd) > recorded[2]! + 1e-9, 'the CLI reports the session total after --resume');
    // The second model call of the resumed run carries the first conversation.
    const resumed = e.model.mainRequests('note').find((r) => JSON.stringify(r.body).includes('Second'));
    assert.ok(resumed && JSON.stringify(resumed.body).includes('First [[script:note one]]'), 'the resumed run sent the earlier conversation');
  });

  it('a stopped run shows the tokens and cost it spent, and a live run shows them as they grow', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Wait [[script:slow 120]]'])).stdout.trim();
    const live = await until(
      async () => {
        const s = await statusJson(e, id);
        return Number(s.inputTokens) > 0 && s.state === 'running' ? s : undefined;
      },
      'the live run to show tokens',
      120_000,
      300,
    );
    assert.ok(Number(live.costUsd) > 0);
    const stop = await e.cli(['stop', id]);
    assert.equal(stop.code, 0, stop.stderr);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'cancelled');
    const billed = e.model.requests.filter((r) => r.billed);
    assert.equal(
      Number(s.inputTokens),
      billed.reduce((n, r) => n + r.billed!.usage.inputTokens, 0),
    );
    assert.equal(
      Number(s.outputTokens),
      billed.reduce((n, r) => n + r.billed!.usage.outputTokens, 0),
    );
    assert.ok(Number(s.costUsd) > 0);
  });

  it('a run with more than 10,000 events before its result is recorded as completed', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('chatty', [{ text: 'start', texts: Array.from({ length: 10_050 }, (_, i) => `block ${i}`) }]);
    const r = await e.cli(['spawn', '--repo', repo, '--type', 'explore', '--task', 'Talk a lot [[script:chatty]]'], { timeoutMs: 300_000 });
    const s = await statusJson(e, runIdOf(r));
    assert.ok(Number(s.stdoutLines) > 10_000, `stdout lines: ${s.stdoutLines}`);
    assert.equal(s.state, 'completed', `${s.reason}`);
    assert.equal(r.code, 0);
  });
});
