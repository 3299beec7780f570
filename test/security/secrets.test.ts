/**
 * Secrets from inside a real run (docs/secrets.md): the agent reads its GH_TOKEN, and the value is nowhere else:
 * not in the engine's inspect (env, labels, mounts), the database or its WAL, the daemon log, `logs`, `status`, the
 * API; what the agent prints is redacted in the stored transcript; the tmpfs file is gone once the run has ended.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, eventsJson, makeRepo, paddockEnv, runIdOf, statusJson, until, type Env } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const VALUE = `ghp_paddockCanary${randomBytes(12).toString('hex')}`;
const SHA = createHash('sha256').update(VALUE).digest('hex');

const SCRIPT = [
  'echo "sha:$(printf %s "$GH_TOKEN" | sha256sum | cut -c1-64)"',
  'echo "echoed:$GH_TOKEN"',
  'echo "procenv1:$(tr "\\0" "\\n" < /proc/1/environ | grep -c GH_TOKEN)"',
  'echo "file:$(stat -c %a /run/paddock-secrets/env 2>&1)"',
  'echo "write:$(echo x 2>&1 >> /run/paddock-secrets/env && echo ok || echo refused)"',
  'echo secrets-done',
].join('\n');

function filesWith(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

function secretSet(e: Env, name: string, value: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, 'secret', 'set', name], { env: e.env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    c.stdin.end(`${value}\n`);
  });
}

describe('secrets', () => {
  it('a run reads its GH_TOKEN; the value is nowhere else, and its file is gone after the run', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const set = await secretSet(e, 'github-token', VALUE);
    assert.equal(set.code, 0, set.stderr);
    const ls = await e.cli(['secret', 'ls', '--json']);
    assert.match(ls.stdout, /github-token/);
    assert.ok(!ls.stdout.includes(VALUE));

    e.model.script('secret', [{ tools: [{ name: 'Bash', input: { command: SCRIPT, description: 'secret' } }] }, { text: 'done' }]);
    const r = await e.cli(['spawn', '--repo', repo, '--detach', '--secret-env', 'GH_TOKEN=github-token', '--task', 'Use it [[script:secret]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r) || r.stdout.trim().split(/\s+/)[0] || '';
    const secretsDir = join('/dev/shm', `paddock-${e.instance()}`);
    const file = join(secretsDir, id, 'env');
    const inspects: string[] = [];
    let dirMode = -1;
    await until(async () => {
      for (const c of await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.run=${id}`] } })) inspects.push(JSON.stringify(await e.engine.getContainer(c.Id).inspect()));
      if (existsSync(secretsDir)) dirMode = statSync(secretsDir).mode & 0o777;
      return inspects.length > 0;
    }, 'the run container to exist');
    await until(async () => ['completed', 'failed'].includes((await statusJson(e, id)).state), 'the run to end');
    const events = await eventsJson(e, id);
    const out = String(events.find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /secrets-done/, out);

    await attempt(t, { id: 'secret-readable-inside', area: 'secrets', finding: 0, what: 'the run reads the secret it was given as $GH_TOKEN' }, () => {
      assert.match(out, new RegExp(`sha:${SHA}`));
      return 'neutralised: $GH_TOKEN holds the value inside (its sha256 matches), given through the tmpfs file, not the engine environment';
    });
    await attempt(t, { id: 'secret-echo-redacted', area: 'secrets', finding: 0, what: 'print the secret so it lands in the transcript' }, () => {
      assert.match(out, /echoed:\[secret GH_TOKEN\]/);
      assert.ok(!JSON.stringify(events).includes(VALUE));
      return 'neutralised: the stored transcript says [secret GH_TOKEN]';
    });
    await attempt(t, { id: 'secret-pid1-environ', area: 'secrets', finding: 0, what: "read the secret from PID 1's (the engine-given) environment" }, () => {
      assert.match(out, /procenv1:0/);
      return "denied: not in the container's own environment (only the agent CLI's)";
    });
    await attempt(t, { id: 'secret-file-write', area: 'secrets', finding: 0, what: "write into the run's secrets file" }, () => {
      assert.match(out, /write:[^\n]*(?:Permission denied|Read-only)[\s\S]*refused/);
      return 'denied: the file is mounted read-only';
    });
    await attempt(t, { id: 'secret-inspect', area: 'secrets', finding: 0, what: "read the secret from the engine's container inspect (env, labels, mounts)" }, () => {
      assert.ok(inspects.length > 0);
      for (const i of inspects) assert.ok(!i.includes(VALUE));
      return 'denied: not in inspect (env, labels, mounts)';
    });
    await attempt(t, { id: 'secret-host-dir', area: 'secrets', finding: 0, what: "another local user reads the run's secrets file on the host tmpfs" }, () => {
      assert.equal(dirMode, 0o700);
      return 'denied: /dev/shm/paddock-<instance> is 0700, owned by the daemon user';
    });
    await attempt(t, { id: 'secret-store', area: 'secrets', finding: 0, what: 'find the secret in the database, its WAL, the daemon log, run files or the secret store' }, () => {
      assert.deepEqual(filesWith(e.home, VALUE), []);
      const store = join(e.home, 'secrets');
      assert.equal(statSync(store).mode & 0o777, 0o700);
      assert.equal(statSync(join(store, 'key')).mode & 0o777, 0o600);
      assert.equal(statSync(join(store, 'secrets.json')).mode & 0o777, 0o600);
      return 'denied: no file under PADDOCK_HOME holds it in plain text (the store is AES-256-GCM, 0600, its key 0600)';
    });
    await attempt(t, { id: 'secret-api', area: 'secrets', finding: 0, what: 'read the secret from a CLI or API answer (status, ls, logs, events, secret ls)' }, async () => {
      const answers = await Promise.all([e.cli(['status', id, '--json']), e.cli(['ls', '--json']), e.cli(['logs', id, '--json']), e.cli(['logs', id]), e.cli(['secret', 'ls', '--json'])]);
      for (const a of answers) assert.ok(!(a.stdout + a.stderr).includes(VALUE));
      return 'denied: in no answer';
    });
    await attempt(t, { id: 'secret-file-after-end', area: 'secrets', finding: 0, what: "read the run's secrets file after the run has ended" }, async () => {
      await until(() => !existsSync(file), 'the secrets file to go', 10_000);
      return 'denied: the file is removed when the run ends';
    });
  });
});
