/**
 * Interactive sessions on the real engines (docs/shell.md): the real `paddock shell` CLI under a pseudo-terminal
 * (python3's pty, test/environments/shell-pty.py), typed into and read back like a person would.
 * - A shell run: type commands, edit a file, resize the window, detach with Ctrl-], attach again, exit: the edit comes
 *   back on the run's branch, and none of the terminal's output is in the run's events.
 * - `paddock shell <id>` beside a live agent run: the shell is the run's UID in its /workspace, and what it writes the
 *   agent reads (and its branch brings back). Attaching to a headless run is refused.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startDaemon } from '../api/harness.ts';
import { BIN, type Env, eventsJson, git, isEnded, makeRepo, paddockEnv, statusJson, until } from '../e2e/harness.ts';

const PTY = join(dirname(fileURLToPath(import.meta.url)), 'shell-pty.py');

/** The CLI under a pty: what it printed so far, typing, resizing, and its exit. */
class Terminal {
  screen = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number>;
  constructor(e: Env, args: string[], cwd: string) {
    this.child = spawn('python3', [PTY, process.execPath, BIN, ...args], { env: e.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (b: Buffer) => (this.screen += b.toString('utf8')));
    let err = '';
    this.child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('close', () => resolve(Number(/PTY-EXIT (-?\d+)/.exec(err)?.[1] ?? -1))));
  }
  type(text: string): void {
    this.child.stdin!.write(`${JSON.stringify({ w: text })}\n`);
  }
  resize(rows: number, cols: number): void {
    this.child.stdin!.write(`${JSON.stringify({ resize: [rows, cols] })}\n`);
  }
  /** Waits until the screen (from `from` on) shows the pattern; returns the index just past it. */
  async see(pattern: RegExp, what: string, from = 0, timeoutMs = 120_000): Promise<number> {
    try {
      return await until(
        () => {
          const m = pattern.exec(this.screen.slice(from));
          return m ? from + m.index + m[0].length : undefined;
        },
        what,
        timeoutMs,
        50,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; the terminal shows:\n${JSON.stringify(this.screen.slice(-1500))}`);
    }
  }
  /** Types a command line and waits for a marker only its output (not its echo) holds. */
  async run(command: string, marker: string, from = this.screen.length): Promise<{ out: string; end: number }> {
    // The marker is printed as two halves joined by the shell, so the echoed command line never matches it.
    const half = Math.floor(marker.length / 2);
    this.type(`${command}; echo "${marker.slice(0, half)}""${marker.slice(half)}"\r`);
    const end = await this.see(new RegExp(`(?<!")${marker}`), marker, from);
    return { out: this.screen.slice(from, end), end };
  }
}

async function shellTest(t: TestContext, socket: string): Promise<void> {
  const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: socket });
  const repo = await makeRepo(t);

  // A shell run, attached from the start.
  const first = new Terminal(e, ['shell', '--branch', 'try/shell'], repo);
  const ready = await first.run('echo $((6*7))', 'READY-1');
  assert.match(ready.out, /\b42\b/);
  const id = /shell run ([0-9a-f]{12})/.exec(first.screen)?.[1];
  assert.ok(id, `the CLI names the shell run: ${first.screen.slice(0, 400)}`);
  const inside = await first.run("printf 'from the shell\\n' > notes.txt; id -u; pwd; ls; stty size", 'EDITED-1');
  assert.match(inside.out, /\/workspace/);
  assert.match(inside.out, /notes\.txt/);
  assert.match(inside.out, /README\.md/);
  assert.match(inside.out, /\b30 100\b/, 'the terminal has the window size of the pty');
  first.resize(40, 120);
  await until(async () => /\b40 120\b/.test((await first.run('stty size', `SIZE-${Date.now()}`)).out), 'the resize to reach the shell', 20_000, 300);

  // Ctrl-] detaches: the CLI exits 75, the run goes on.
  first.type('\x1d');
  assert.equal(await first.exited, 75, first.screen.slice(-500));
  assert.match(first.screen, /detached from run/);
  const live = await statusJson(e, id);
  assert.equal(live.state, 'running');
  assert.equal(live.interactive, 'shell');

  // A daemon that stops closes the terminal like a detach (exit 75); the shell lives on, and the next daemon adopts it.
  const cut = new Terminal(e, ['shell', '--attach', id], repo);
  await cut.run('echo still here', 'STILL-1');
  const stop = await e.cli(['daemon', 'stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(await cut.exited, 75, cut.screen.slice(-500));
  assert.match(cut.screen, /terminal connection closed/);

  // Attach again (a new daemon starts): the same shell (its file is there), then exit ends the run and brings the branch back.
  const again = new Terminal(e, ['shell', '--attach', id], repo);
  const back = await again.run('cat notes.txt', 'BACK-1');
  assert.match(back.out, /from the shell/);
  again.type('exit\r');
  assert.equal(await again.exited, 0, again.screen.slice(-800));
  assert.match(again.screen, /completed · the shell exited · branch try\/shell \(1 commit\(s\) ahead\)/);
  assert.equal(await git(repo, 'show', 'try/shell:notes.txt'), 'from the shell');
  const ended = await statusJson(e, id);
  assert.equal(ended.state, 'completed');
  const ls = await e.cli(['ls']);
  assert.match(ls.stdout, new RegExp(`${id}\\s+completed\\s+shell\\s+interactive shell`), ls.stdout);

  // Terminal safety: nothing the terminal showed is in the run's events (status, logs).
  const events = JSON.stringify(await eventsJson(e, id));
  for (const seen of ['from the shell', 'READY-1', 'EDITED-1', '/workspace$']) assert.ok(!events.includes(seen), `the events hold terminal output (${seen})`);
}

async function execTest(t: TestContext, socket: string): Promise<void> {
  const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: socket });
  const repo = await makeRepo(t);
  // The agent waits for go.txt in its workspace, then prints it: only the shell beside it writes that file.
  const task = "[[script:bash-echo timeout 120 sh -c 'until [ -f go.txt ]; do sleep 0.2; done'; cat go.txt]]";
  const spawned = await e.cli(['spawn', '--repo', repo, '--task', task, '--branch', 'agent/waits', '--detach']);
  assert.equal(spawned.code, 0, spawned.stderr);
  const id = spawned.stdout.trim();
  await until(async () => (await statusJson(e, id)).state === 'running', 'the agent run to run');

  // Attaching to a headless run is refused: it has no terminal of its own.
  const attach = await e.cli(['shell', '--attach', id]);
  assert.equal(attach.code, 4, attach.stderr);
  assert.match(attach.stderr, /not interactive/);

  // The terminal endpoint is a WebSocket only, and never opened from a browser page of another origin.
  const sock = join(e.home, 'paddock.sock');
  const plain = await new Promise<number>((resolve, reject) =>
    request({ socketPath: sock, path: `/api/v1/runs/${id}/terminal?mode=exec` }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end(),
  );
  assert.equal(plain, 426);
  const fromPage = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws+unix://${sock}:/api/v1/runs/${id}/terminal?mode=exec`, { origin: 'http://page.example' });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => {});
  });
  assert.equal(fromPage, 403);

  const container = await e.engine.getContainer(`paddock-${id}`).inspect();
  const uid = container.Config.User.split(':')[0];
  const shell = new Terminal(e, ['shell', id], repo);
  const seen = await shell.run("id -u; pwd; ls; echo 'written beside the agent' > go.txt; stat -c %u go.txt; env | grep -c sk-ant- || true", 'EXEC-1');
  // The screen as text: bracketed-paste switches and carriage returns out.
  const lines = seen.out
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .split(/\r?\n|\r/)
    .map((l) => l.trim());
  assert.ok(lines.filter((l) => l === uid).length >= 2, `the shell runs as the run's UID ${uid} and writes as it: ${seen.out}`);
  assert.match(seen.out, /\/workspace/);
  assert.match(seen.out, /README\.md/);
  assert.ok(lines.includes('0'), `no real key in the shell's environment: ${seen.out}`);
  shell.type('exit\r');
  assert.equal(await shell.exited, 0, shell.screen.slice(-500));
  assert.match(shell.screen, new RegExp(`shell in run ${id} ended`));

  const done = await until(async () => {
    const s = await statusJson(e, id);
    return isEnded(s) ? s : undefined;
  }, 'the agent run to end');
  assert.equal(done.state, 'completed', String(done.reason));
  assert.match(String(done.resultText), /written beside the agent/);
  assert.equal(await git(repo, 'show', 'agent/waits:go.txt'), 'written beside the agent');
}

async function tuiTest(t: TestContext, socket: string): Promise<void> {
  const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: socket });
  const repo = await makeRepo(t);
  const tui = new Terminal(e, ['spawn', '--repo', repo, '--interactive', '--branch', 'agent/tui', '--task', '[[script:write-file]]'], repo);
  // Claude Code's TUI draws with cursor moves between words: read the screen without escapes and spaces.
  const flat = () => tui.screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, '');
  await until(() => flat().includes('Createdhello.txt.'), 'the TUI to show the agent wrote hello.txt', 120_000, 100).catch((err: Error) => {
    throw new Error(`${err.message}; the terminal shows:\n${JSON.stringify(tui.screen.slice(-2000))}`);
  });
  const id = /run ([0-9a-f]{12})/.exec(tui.screen)?.[1];
  assert.ok(id, tui.screen.slice(0, 300));
  assert.equal((await statusJson(e, id)).interactive, 'agent');
  // Leave the TUI: the agent exits, the run ends, and its work comes back.
  tui.type('/exit');
  await new Promise((r) => setTimeout(r, 500));
  tui.type('\r');
  assert.equal(await tui.exited, 0, tui.screen.slice(-800));
  const ended = await statusJson(e, id);
  assert.equal(ended.state, 'completed', String(ended.reason));
  assert.ok(Number(ended.inputTokens) > 0, "the gateway counted the TUI's model calls");
  assert.equal(await git(repo, 'show', 'agent/tui:hello.txt'), 'hello from paddock');
  const events = JSON.stringify(await eventsJson(e, id));
  assert.ok(!events.includes('Created hello.txt'), "the TUI's screen is not in the run's events");
}

async function remoteTest(t: TestContext, socket: string): Promise<void> {
  const token = 'shell-test-token-0123456789abcdef';
  const d = await startDaemon(t, { PADDOCK_ENGINE_SOCKET: socket, PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: token });
  const repo = await makeRepo(t);
  // The CLI against the daemon's TCP address with a bearer token, as from another machine.
  const remote: Env = { ...d.e, env: { ...d.e.env, PADDOCK_URL: d.url, PADDOCK_TOKEN: token } };
  const term = new Terminal(remote, ['shell', '--repo', repo, '--branch', 'remote/shell'], repo);
  await term.run("printf 'over tcp\\n' > tcp.txt", 'TCP-1');
  const id = /shell run ([0-9a-f]{12})/.exec(term.screen)?.[1];
  assert.ok(id, term.screen.slice(0, 300));
  // Without the token the upgrade is refused like any request (401: exit 8), and nothing is opened.
  const anon = await new Promise<number>((resolve) =>
    spawn(process.execPath, [BIN, 'shell', '--attach', id], { env: { ...d.e.env, PADDOCK_URL: d.url }, stdio: 'ignore' }).on('close', (code) => resolve(code ?? -1)),
  );
  assert.equal(anon, 8);
  term.type('exit\r');
  assert.equal(await term.exited, 0, term.screen.slice(-500));
  assert.equal(await git(repo, 'show', 'remote/shell:tcp.txt'), 'over tcp');
}

describe('interactive sessions: paddock shell under a pseudo-terminal', () => {
  it('Podman: a shell run edits a file that comes back on its branch; resize, detach and attach again', (t) => shellTest(t, '/run/paddock/podman.sock'));
  it("Podman: spawn --interactive runs Claude Code's TUI on the terminal against the scripted model; leaving it brings the branch back", (t) => tuiTest(t, '/run/paddock/podman.sock'));
  it('Docker: over TCP with a bearer token (PADDOCK_URL), and refused without one', (t) => remoteTest(t, '/run/paddock/docker.sock'));
  it('Docker: a shell beside a live agent run is the run UID in its workspace, and the agent reads what it wrote', (t) => execTest(t, '/run/paddock/docker.sock'));
});
