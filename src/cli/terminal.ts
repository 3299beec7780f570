/**
 * The CLI's end of a terminal on a run (docs/shell.md): a WebSocket to the daemon (over its unix socket, or to
 * PADDOCK_URL with PADDOCK_TOKEN), the user's terminal in raw mode, its size sent at start and on every resize, and
 * Ctrl-] to detach. What the container prints goes to this terminal as it is: that is what an interactive terminal is,
 * and this is the only place Paddock lets a container's bytes through unfiltered.
 */
import { ErrorCode, PaddockError } from '../app/light.ts';
import { target } from './client.ts';

/** Ctrl-] (GS), as telnet and `docker attach --detach-keys` users know it: leaves the terminal, the run goes on. */
export const DETACH_BYTE = 0x1d;
export const DETACH_KEY = 'Ctrl-]';

export type TerminalEnd = { how: 'exit'; code: number | null } | { how: 'detached' } | { how: 'closed'; reason: string };

/** Opens the terminal at path (/api/v1/runs/{id}/terminal?mode=…) and joins it to this process's stdin and stdout until it ends. */
export async function joinTerminal(path: string, opts: { onReady?: () => void } = {}): Promise<TerminalEnd> {
  const { WebSocket } = await import('ws');
  const t = target();
  const ws =
    t.kind === 'socket'
      ? new WebSocket(`ws+unix://${t.socket}:${path}`)
      : new WebSocket(`${t.url.protocol === 'https:' ? 'wss' : 'ws'}://${t.url.host}${t.url.pathname.replace(/\/$/, '')}${path}`, t.token ? { headers: { authorization: `Bearer ${t.token}` } } : {});
  const stdin = process.stdin;
  const stdout = process.stdout;
  const raw = stdin.isTTY === true;
  let end: TerminalEnd | undefined;
  let failure: PaddockError | undefined;

  const sendSize = () => {
    if (ws.readyState === ws.OPEN && stdout.isTTY) ws.send(JSON.stringify({ type: 'resize', cols: stdout.columns || 80, rows: stdout.rows || 24 }));
  };
  const onInput = (chunk: Buffer) => {
    const at = raw ? chunk.indexOf(DETACH_BYTE) : -1;
    if (at !== -1) {
      if (at > 0) ws.send(chunk.subarray(0, at), { binary: true });
      end = { how: 'detached' };
      ws.close(1000, 'detached');
      return;
    }
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  };

  return new Promise<TerminalEnd>((resolve, reject) => {
    const cleanup = () => {
      stdin.off('data', onInput);
      stdout.off('resize', sendSize);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
    };
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => {
        failure = errorOf(res.statusCode ?? 0, text);
        ws.terminate();
      });
    });
    ws.on('open', () => {
      stdout.on('resize', sendSize);
      sendSize();
    });
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        stdout.write(bytes);
        return;
      }
      const msg = JSON.parse(bytes.toString('utf8')) as { type: string; code?: unknown; message?: string; hint?: string };
      if (msg.type === 'ready') {
        // Raw input from here on (until then Ctrl-C still interrupts the wait for a queued run): what was typed ahead
        // waits in the terminal until the run's TTY is joined.
        if (raw) stdin.setRawMode(true);
        stdin.on('data', onInput);
        stdin.resume();
        opts.onReady?.();
        // Once more, now that the TTY is joined: the shell redraws its prompt for the new size.
        sendSize();
      } else if (msg.type === 'exit') end ??= { how: 'exit', code: typeof msg.code === 'number' ? msg.code : null };
      else if (msg.type === 'error') {
        const code = (Object.values(ErrorCode) as string[]).includes(String(msg.code)) ? (msg.code as ErrorCode) : ErrorCode.Internal;
        failure = new PaddockError(code, msg.message ?? 'the terminal failed', msg.hint ? { hint: msg.hint } : {});
      }
    });
    ws.on('error', (e: NodeJS.ErrnoException) => {
      if (failure || end) return;
      failure =
        e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
          ? new PaddockError(ErrorCode.DaemonUnavailable, `no Paddock daemon answers: ${e.message}`, { hint: 'any paddock command starts the local one; check PADDOCK_URL for a remote one' })
          : new PaddockError(ErrorCode.Internal, `the terminal connection failed: ${e.message}`, {});
    });
    ws.on('close', (_code, reason) => {
      cleanup();
      if (failure) reject(failure);
      else resolve(end ?? { how: 'closed', reason: reason.toString('utf8') || 'the daemon closed the terminal' });
    });
  });
}

/** An HTTP refusal of the upgrade, as the PaddockError the daemon described. */
function errorOf(status: number, text: string): PaddockError {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } }).error;
    if (e?.message) {
      const code = (Object.values(ErrorCode) as string[]).includes(e.code ?? '') ? (e.code as ErrorCode) : ErrorCode.Internal;
      return new PaddockError(code, e.message, e.hint ? { hint: e.hint } : {});
    }
  } catch {
    // not JSON
  }
  const code = status === 401 || status === 403 ? ErrorCode.Unauthorized : status === 429 ? ErrorCode.RateLimited : ErrorCode.Internal;
  return new PaddockError(code, `the daemon refused the terminal (HTTP ${status}): ${text.slice(0, 200)}`, {});
}
