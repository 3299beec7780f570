/**
 * A persistent run's input socket: a unix socket in the run's relay directory (mounted into the container at
 * /run/paddock), served by the run's supervisor. The container's input reader (images/base/paddock-input-reader)
 * connects, says `hello <last seq it passed on>`, and then gets `msg <seq> <json line>` and answers `ack <seq>`.
 *
 * Whatever connects is inside the agent's container, so every line it sends is hostile input: lines are short and
 * strictly shaped, anything else ends the connection. One connection at a time: a newer one replaces the older.
 */
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { restrictSocket } from '../runtime/socket-access.ts';
import { dirname } from 'node:path';

/** The longest line the reader ever sends ("hello 123…"): anything longer is not the reader. */
const MAX_LINE = 64;

export interface InputServerOptions {
  socketPath: string;
  /** The reader connected and passed on every message up to lastSeq (0: none yet). */
  onHello: (lastSeq: number) => void;
  onAck: (seq: number) => void;
  /** The reader went away (the daemon stays; the reader reconnects). */
  onDisconnect?: () => void;
}

export interface InputServer {
  /** A reader is connected and has said hello. */
  readonly ready: boolean;
  /** Writes one message; false when no reader is there to take it (it is sent again after the next hello). */
  send(seq: number, jsonLine: string): boolean;
  /** Ends the current connection (the reader then looks for input.closed, or reconnects). */
  hangUp(): void;
  close(): Promise<void>;
}

export async function startInputServer(opts: InputServerOptions): Promise<InputServer> {
  let current: net.Socket | undefined;
  let greeted = false;

  const server = net.createServer((socket) => {
    current?.destroy();
    current = socket;
    greeted = false;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('close', () => {
      if (current !== socket) return;
      current = undefined;
      greeted = false;
      opts.onDisconnect?.();
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!handle(socket, line)) return;
      }
      if (buffer.length > MAX_LINE) socket.destroy();
    });
  });

  /** One line from the reader; false when it was not one the protocol has (the connection is dropped). */
  function handle(socket: net.Socket, line: string): boolean {
    const m = /^(hello|ack) (\d{1,15})$/.exec(line);
    if (!m || current !== socket) {
      socket.destroy();
      return false;
    }
    const n = Number(m[2]);
    if (m[1] === 'hello') {
      greeted = true;
      opts.onHello(n);
    } else if (greeted) {
      opts.onAck(n);
    }
    return true;
  }

  mkdirSync(dirname(opts.socketPath), { recursive: true });
  rmSync(opts.socketPath, { force: true }); // a previous supervisor's socket (it died): replace it
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  // Only the run's container identity (the relay directory's owner) may connect: runtime/socket-access.ts.
  restrictSocket(opts.socketPath);

  return {
    get ready() {
      return current !== undefined && greeted && !current.destroyed;
    },
    send(seq, jsonLine) {
      if (!current || !greeted || current.destroyed) return false;
      return current.write(`msg ${seq} ${jsonLine}\n`) || true;
    },
    hangUp() {
      current?.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        current?.destroy();
        server.close(() => resolve());
      }),
  };
}
