/**
 * A run's secrets file goes however the run ends: adopted by a new daemon after the old one was killed (and the
 * adopter still redacts), stopped by the user; and a resumed run gets the same secrets again. Real runs (Podman).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { BIN, type Env, eventsJson, killDaemon, makeRepo, paddockEnv, statusJson, until } from '../e2e/harness.ts';

const VALUE = 'ghp_lifecycleSecretValue0123456789';
const SHA = createHash('sha256').update(VALUE).digest('hex');

function secretSet(e: Env, name: string, value: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, 'secret', 'set', name], { env: e.env, stdio: ['pipe', 'ignore', 'inherit'] });
    c.on('close', (code) => resolve(code ?? -1));
    c.stdin.end(value);
  });
}

const spawned = async (e: Env, args: string[]) => {
  const r = await e.cli(['spawn', '--detach', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split(/\s+/)[0] ?? '';
};
const toolUsed = (e: Env, id: string) => until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use'), 'the agent to call its tool');
const ended = (e: Env, id: string) => until(async () => !['queued', 'pending', 'starting', 'running', 'stalled', 'idle'].includes((await statusJson(e, id)).state), 'the run to end');

describe("a run's secrets file", () => {
  it('goes when an adopted run ends (the adopter redacts), when a run is stopped; resume gives the secrets again', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    assert.equal(await secretSet(e, 'gh', VALUE), 0);
    const fileOf = (id: string) => join('/dev/shm', `paddock-${e.instance()}`, id, 'env');

    // Adopted: the daemon is killed mid-run; the container runs on; the next daemon adopts, redacts and cleans up.
    e.model.script('wait-echo', [{ tools: [{ name: 'Bash', input: { command: 'timeout 6 tail -f /dev/null; echo "after:$GH_TOKEN"', description: 'wait' } }] }, { text: 'done' }]);
    const a = await spawned(e, ['--repo', repo, '--secret-env', 'GH_TOKEN=gh', '--task', 'Wait [[script:wait-echo]]']);
    await toolUsed(e, a);
    assert.ok(existsSync(fileOf(a)), 'the file is there while the run runs');
    await killDaemon(e.home);
    assert.ok(existsSync(fileOf(a)), 'a dead daemon leaves the file to the live container');
    assert.equal((await e.cli(['ls'])).code, 0); // a new daemon, which adopts the run
    await ended(e, a);
    const events = await eventsJson(e, a);
    assert.match(JSON.stringify(events), /after:\[secret GH_TOKEN\]/);
    assert.ok(!JSON.stringify(events).includes(VALUE));
    await until(() => !existsSync(fileOf(a)), 'the adopted run to lose its file', 10_000);

    // Stopped.
    const b = await spawned(e, ['--repo', repo, '--branch', 'sec/b', '--secret-env', 'GH_TOKEN=gh', '--task', 'Wait [[script:slow 120]]']);
    await toolUsed(e, b);
    assert.ok(existsSync(fileOf(b)));
    assert.equal((await e.cli(['stop', b])).code, 0);
    assert.equal((await statusJson(e, b)).state, 'cancelled');
    await until(() => !existsSync(fileOf(b)), 'the stopped run to lose its file', 10_000);

    // Resumed: the same secret again. (A run that ended normally: resuming the adopted one above fails in Claude Code
    // with "No conversation found", secrets or not; that is the session's, not this test's.)
    e.model.script('first', [{ text: 'first turn' }]);
    const d = await spawned(e, ['--repo', repo, '--branch', 'sec/d', '--secret-env', 'GH_TOKEN=gh', '--task', 'First [[script:first]]']);
    await ended(e, d);
    e.model.script('sha', [{ tools: [{ name: 'Bash', input: { command: 'echo "sha:$(printf %s "$GH_TOKEN" | sha256sum | cut -c1-64)"', description: 'sha' } }] }, { text: 'ok' }]);
    const r = await e.cli(['resume', d, '--detach', '--task', 'Again [[script:sha]]']);
    assert.equal(r.code, 0, r.stderr);
    const c = r.stdout.trim().split(/\s+/)[0] ?? '';
    await ended(e, c);
    // What the resumed run was granted (names only), as spawn recorded it; the value never in the database.
    const db = new DatabaseSync(join(e.home, 'paddock.db'), { readOnly: true });
    const row = db.prepare('SELECT secrets_env FROM run_grants WHERE run_id = ?').get(c) as { secrets_env: string } | undefined;
    db.close();
    assert.deepEqual(JSON.parse(row?.secrets_env ?? '{}'), { GH_TOKEN: 'gh' });
    const resumed = JSON.stringify(await eventsJson(e, c));
    assert.match(resumed, new RegExp(`sha:${SHA}`), resumed.slice(0, 2000));
    assert.ok(!resumed.includes(VALUE));
    await until(() => !existsSync(fileOf(c)), 'the resumed run to lose its file', 10_000);
  });
});
