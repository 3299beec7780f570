/**
 * Stromboli's README, run: every curl example in it (test/fixtures/stromboli/README.txt, verbatim) is run with the
 * real curl through bash against `paddock serve`, substituting only addresses (the server's host:port, and the
 * webhook receiver: a loopback server of this test instead of myapp.com) and the ids the README says earlier
 * responses hand back (job-abc123def456, sess-abc123). The README's /home/user/… workdirs are made as git
 * repositories for the test. Status and body are checked against Stromboli's swagger for that endpoint.
 * Not run here: the /auth examples (their own tests, test/api/auth*.test.ts) and one that is not a complete command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { git, ROOT, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';
import { assertMatches, responseDefinition } from './stromboli-swagger.ts';

const pexec = promisify(execFile);
const README = readFileSync(join(ROOT, 'test', 'fixtures', 'stromboli', 'README.txt'), 'utf8');

/** Every curl command in the text: from a line starting with `curl` through its continuations and quoted lines. */
export function curlCommands(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^curl\s/.test(lines[i]!)) continue;
    const cmd: string[] = [lines[i]!];
    let open = quoteOpen(lines[i]!, false);
    while ((open || cmd.at(-1)!.endsWith('\\')) && i + 1 < lines.length) {
      i++;
      cmd.push(lines[i]!);
      open = quoteOpen(lines[i]!, open);
    }
    out.push(cmd.join('\n'));
  }
  return out;
}

/** Whether a single-quoted string is still open at the end of the line (the README's -d '{ … }' spans lines). */
function quoteOpen(line: string, open: boolean): boolean {
  let o = open;
  let dq = false;
  for (const ch of line) {
    if (ch === '"' && !o) dq = !dq;
    else if (ch === "'" && !dq) o = !o;
  }
  return o;
}

/** A git repository where the README's workdirs are, with a little Go in it. */
async function goRepo(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.email', 'dev@example.invalid');
  await git(dir, 'config', 'user.name', 'Dev');
  writeFileSync(join(dir, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
}

describe('Stromboli README', () => {
  it('parses its curl examples', () => {
    const cmds = curlCommands(README);
    assert.equal(cmds.length, 16);
    assert.ok(cmds.every((c) => c.includes('http://localhost:8080')));
  });

  it('every curl example works against paddock serve, with real curl', {
    skip: existsSync('/home/user') ? '/home/user exists on this machine: the test makes it and would not remove what it did not make' : false,
  }, async (t) => {
    for (const dir of ['myproject', 'large-project', 'newproject']) await goRepo(join('/home/user', dir));
    t.after(() => rmSync('/home/user', { recursive: true, force: true }));

    // The webhook receiver the README's async example notifies (instead of https://myapp.com/webhook).
    const hooks: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    t.after(() => receiver.close());
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;

    const d = await startDaemon(t, { PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true' });
    // curl's own switches for the test (quiet, and the status after the body) go in its config file, not in the commands.
    const curlHome = mkdtempSync(join(tmpdir(), 'paddock-curlrc-'));
    t.after(() => rmSync(curlHome, { recursive: true, force: true }));
    writeFileSync(join(curlHome, '.curlrc'), '-s\n-w "\\n%{http_code}"\n--max-time 180\n');

    const ids: Record<string, string> = {};
    const run = async (cmd: string): Promise<{ status: number; body: string; json: any }> => {
      let c = cmd.replaceAll('http://localhost:8080', d.url).replaceAll('https://myapp.com/webhook', hookUrl);
      for (const [placeholder, real] of Object.entries(ids)) c = c.replaceAll(placeholder, real);
      const { stdout } = await pexec('bash', ['--norc', '--noprofile', '-c', c], { env: { PATH: process.env.PATH, CURL_HOME: curlHome, HOME: curlHome }, maxBuffer: 16 << 20 });
      const cut = stdout.lastIndexOf('\n');
      const body = stdout.slice(0, cut);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      return { status: Number(stdout.slice(cut + 1)), body, json };
    };
    const check = (cmd: string, r: { status: number; json: unknown }, swaggerPath: string, method: string) => {
      const def = responseDefinition(swaggerPath, method, r.status);
      assert.ok(def, `${swaggerPath} ${method} ${r.status} is not a documented answer:\n${cmd}\n${JSON.stringify(r.json)}`);
      assertMatches(def, r.json, cmd.split('\n')[0]);
    };

    const cmds = curlCommands(README).filter((c) => !c.includes('/auth/') && !c.trimEnd().endsWith('...'));
    assert.equal(cmds.length, 13);
    let sawStream = false;
    for (const cmd of cmds) {
      const first = cmd.split('\n')[0]!;
      const r = await run(cmd);
      if (first.includes('/health')) {
        assert.equal(r.status, 200);
        check(cmd, r, '/health', 'get');
        assert.equal(r.json.status, 'ok', r.body);
      } else if (first.includes('/run/stream')) {
        sawStream = true;
        assert.equal(r.status, 200, r.body);
        const frames = r.body.split('\n\n').filter(Boolean);
        assert.ok(frames.length >= 2, r.body);
        const done = frames.at(-1)!;
        assert.match(done, /^event: done\ndata: \{"id":"run-[0-9a-f]{12}","session_id":"[0-9a-f-]{36}","status":"completed"\}\nid: /);
        assert.ok(
          frames.slice(0, -1).every((f) => /^data: .*\nid: [0-9a-f]{12}\.\d+$/s.test(f)),
          r.body,
        );
      } else if (first.includes('/run/async')) {
        assert.equal(r.status, 202, r.body);
        check(cmd, r, '/run/async', 'post');
        ids['job-abc123def456'] = r.json.job_id;
      } else if (first.includes('DELETE') && first.includes('/jobs/')) {
        // The scripted answer is quick: the job has usually ended by now (409), else it is stopped (200).
        assert.ok([200, 409].includes(r.status), r.body);
        check(cmd, r, '/jobs/{id}', 'delete');
      } else if (first.includes('/jobs/')) {
        assert.equal(r.status, 200, r.body);
        check(cmd, r, '/jobs/{id}', 'get');
        assert.equal(r.json.id, ids['job-abc123def456']);
      } else if (first.includes('/run')) {
        assert.equal(r.status, 200, `${cmd}\n${r.body}`);
        check(cmd, r, '/run', 'post');
        assert.equal(r.json.status, 'completed');
        if (cmd.includes('Create a new Go project structure')) ids['sess-abc123'] = r.json.session_id;
        if (cmd.includes('Now add unit tests')) assert.equal(r.json.session_id, ids['sess-abc123'], 'the conversation continued');
      } else {
        assert.fail(`an example this test does not know: ${cmd}`);
      }
    }
    assert.ok(sawStream);
    // The async example's webhook arrived, for its job.
    const hook = await until(() => hooks.find((h) => h.body.includes(ids['job-abc123def456']!)), 'the webhook', 60_000);
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(JSON.parse(hook.body).job_id, ids['job-abc123def456']);
    // The runs on the README's repositories were clones: their branches came back, the checkouts are untouched.
    assert.equal(await git('/home/user/myproject', 'status', '--porcelain'), '');
    assert.match(await git('/home/user/newproject', 'branch', '--list', 'paddock/*'), /paddock\//);
  });
});
