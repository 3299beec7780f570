/** The CLI against a remote daemon: PADDOCK_URL with PADDOCK_TOKEN; a wrong token is exit 8, no daemon there exit 10. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN, makeRepo } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';

const pexec = promisify(execFile);
const TOKEN = 'pdk-test-static-token-0123456789abcdef';

async function remote(url: string, token: string | undefined, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A home of its own that holds no daemon: the CLI must not start one when PADDOCK_URL is set.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    PADDOCK_HOME: mkdtempSync(join(tmpdir(), 'paddock-remote-cli-')),
    PADDOCK_URL: url,
    ...(token ? { PADDOCK_TOKEN: token } : {}),
  };
  try {
    const { stdout, stderr } = await pexec(process.execPath, [BIN, ...args], { env, timeout: 180_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the CLI against PADDOCK_URL', () => {
  it('spawns and lists with a token; a wrong or missing token is refused (exit 8); nothing answering is exit 10', async (t) => {
    const d = await startDaemon(t, { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: TOKEN });
    const repo = await makeRepo(t);
    const spawned = await remote(d.url, TOKEN, ['spawn', '--repo', repo, '--type', 'explore', '--task', 'Hi [[script:hello from afar]]']);
    assert.equal(spawned.code, 0, spawned.stderr);
    assert.match(spawned.stdout, /from afar/);
    const ls = await remote(d.url, TOKEN, ['ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal((JSON.parse(ls.stdout) as unknown[]).length, 1);
    for (const token of ['wrong-token', undefined]) {
      const r = await remote(d.url, token, ['ls']);
      assert.equal(r.code, 8, `${token}: ${r.stderr}`);
      assert.match(r.stderr, /PADDOCK_TOKEN|token|unauthori/i);
    }
    const none = await remote('http://127.0.0.1:1', TOKEN, ['ls']);
    assert.equal(none.code, 10, none.stderr);
    assert.match(none.stderr, /no Paddock daemon answers at http:\/\/127\.0\.0\.1:1/);
  });
});
