/**
 * How the proxy reaches a checked destination: directly, or through an upstream HTTP proxy (a CONNECT tunnel) or a
 * SOCKS5 proxy (the `socks` library). Either way the upstream is given the address Paddock resolved and checked,
 * never the name, so it cannot resolve the name again somewhere else (no DNS rebinding through the upstream).
 */
import net from 'node:net';
import { SocksClient } from 'socks';
import type { EgressUpstream } from './upstream-url.ts';

/** A connected socket to address:port (an IP address), directly or through the upstream. */
export async function dial(address: string, port: number, upstream: EgressUpstream | undefined, timeoutMs: number): Promise<net.Socket> {
  if (upstream?.kind === 'socks5') {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: upstream.host, port: upstream.port, type: 5, ...(upstream.userId ? { userId: upstream.userId, password: upstream.password ?? '' } : {}) },
      destination: { host: address, port },
      command: 'connect',
      timeout: timeoutMs,
    });
    return socket;
  }
  const socket = await connect(upstream ? upstream.host : address, upstream ? upstream.port : port, timeoutMs);
  if (upstream?.kind === 'http') {
    try {
      await tunnel(socket, address, port, upstream.authorization, timeoutMs);
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }
  return socket;
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** CONNECT address:port through an upstream HTTP proxy; resolves once it answers 2xx (the socket is then the tunnel). */
function tunnel(socket: net.Socket, address: string, port: number, authorization: string | undefined, timeoutMs: number): Promise<void> {
  const authority = net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`the upstream proxy did not answer CONNECT within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16384) fail(new Error('the upstream proxy sent an oversized answer to CONNECT'));
        return;
      }
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause(); // nothing may be read (and lost) before the caller pipes the tunnel
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1];
      if (!status?.startsWith('2')) return reject(new Error(`the upstream proxy refused CONNECT ${authority}: ${status ?? 'no HTTP status'}`));
      const rest = buf.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`);
  });
}
