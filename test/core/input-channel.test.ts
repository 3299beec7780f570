/**
 * The input channel of a persistent run, with real things: the image's input reader (images/base/paddock-input-reader,
 * run by Node on the host, as the entry script runs it in the container), the daemon's input server on a real unix
 * socket, and the messages store on real SQLite. The daemon side dies at the two bad moments — after sending but before
 * hearing the ack, and after recording a send that never reached the socket — and every message still reaches the
 * agent's stdin exactly once; the closed marker ends the reader (end of input) instead of a reconnect.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeClaudeMessage } from '../../src/agents/claude/index.ts';
import { startInputServer, type InputServer } from '../../src/jobs/input-server.ts';
import { openDb } from '../../src/store/db.ts';
import { MessagesRepo } from '../../src/store/messages-repo.ts';
import { RunsRepo } from '../../src/store/runs-repo.ts';
import { runRow } from '../fixtures/run-row.ts';
import { ROOT, until } from '../e2e/harness.ts';

const READER = join(ROOT, 'images', 'base', 'paddock-input-reader');

describe('persistent run input: reader in the image ⇄ input server ⇄ messages store', () => {
  it('delivers each message once across daemon deaths, and ends at the closed marker', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-input-'));
    const db = openDb(join(dir, 'p.db'));
    new RunsRepo(db).insert(runRow('run1', { keepAlive: true }));
    const messages = new MessagesRepo(db);
    const socketPath = join(dir, 'relay', 'input.sock');

    /** A daemon's input server: delivers what is pending after each hello; `deaf` drops acks (it dies before them). */
    const serve = async (opts: { deaf?: boolean } = {}): Promise<InputServer> => {
      const server: InputServer = await startInputServer({
        socketPath,
        onHello: (last) => {
          messages.reconcileWithReader('run1', last);
          for (let m = messages.nextPending('run1'); m; m = messages.nextPending('run1')) {
            messages.markSent('run1', m.seq);
            server.send(m.seq, encodeClaudeMessage(m.text));
          }
        },
        onAck: (seq) => {
          if (!opts.deaf) messages.markDelivered('run1', seq);
        },
      });
      return server;
    };

    messages.add('run1', 'one');
    messages.add('run1', 'two\nwith a newline');
    let server = await serve();
    const reader = spawn(process.execPath, [READER, socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => reader.kill('SIGKILL'));
    let stdout = '';
    reader.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((r) => reader.once('exit', (code) => r(code)));
    const got = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { message: { content: { text: string }[] } }).message.content[0]!.text);
    const states = () => messages.list('run1').map((m) => `${m.seq}:${m.state}`);

    await until(() => states().join() === '1:delivered,2:delivered', 'the first two to be acknowledged', 10_000, 20);
    assert.deepEqual(got(), ['one', 'two\nwith a newline'], 'one JSON line each, newlines escaped');

    // The daemon sends 3 and dies before it hears the ack: the message stays "sent".
    await server.close();
    server = await serve({ deaf: true });
    await until(() => server.ready, 'the reader to reconnect', 10_000, 20);
    messages.add('run1', 'three');
    const m3 = messages.nextPending('run1')!;
    messages.markSent('run1', m3.seq);
    server.send(m3.seq, encodeClaudeMessage(m3.text));
    await until(() => got().length === 3, 'three to reach the agent', 10_000, 20);
    assert.deepEqual(states(), ['1:delivered', '2:delivered', '3:sent']);
    await server.close();

    // The next daemon recorded 4 as sent and died before writing it: it never reached the socket.
    messages.add('run1', 'four');
    messages.markSent('run1', 4);
    server = await serve();
    // The reader's hello (last 3) settles both: 3 arrived (delivered, not sent again), 4 did not (pending, sent now).
    await until(() => states().join() === '1:delivered,2:delivered,3:delivered,4:delivered', 'three and four to be settled', 10_000, 20);
    assert.deepEqual(got(), ['one', 'two\nwith a newline', 'three', 'four'], 'each exactly once, in order');

    const before = got().length;
    // Paddock closes the input: the marker first, then the hang-up; the reader ends the agent's stdin and exits 0.
    writeFileSync(join(dir, 'relay', 'input.closed'), 'idle\n');
    server.hangUp();
    assert.equal(await exited, 0);
    assert.equal(got().length, before);
    await server.close();
  });

  it('drops a connection that says anything but hello/ack lines', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-input-'));
    const socketPath = join(dir, 'input.sock');
    const hellos: number[] = [];
    const server = await startInputServer({ socketPath, onHello: (n) => hellos.push(n), onAck: () => {} });
    t.after(() => server.close());
    const net = await import('node:net');
    const talk = (text: string) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(socketPath, () => s.write(text));
        s.on('close', () => resolve(true));
        s.on('error', () => resolve(true));
        setTimeout(() => {
          s.destroy();
          resolve(false);
        }, 1500);
      });
    assert.equal(await talk('hello 0\nGET / HTTP/1.1\n'), true, 'closed by the server');
    assert.equal(await talk(`hello ${'9'.repeat(100)}`), true, 'an over-long line is not waited for');
    assert.deepEqual(hellos, [0]);
  });
});
