/**
 * The raw baseline of the SSE fan-out benchmark: a bare node:http SSE server, in a process of its own as the daemon
 * is. GET /stream holds a subscriber; POST /emit writes one event, stamped with the time it is written, to every
 * subscriber; GET /count says how many are connected. Prints its port, then serves until killed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const subscribers = new Set<http.ServerResponse>();
let seq = 0;
// About the size of a stored agent event as the daemon sends it.
const padding = 'x'.repeat(Number(process.env.SSE_PADDING ?? 300));
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('event: snapshot\ndata: {}\n\n');
    subscribers.add(res);
    req.on('close', () => subscribers.delete(res));
    return;
  }
  if (req.method === 'GET' && req.url === '/count') return void res.end(String(subscribers.size));
  if (req.method === 'POST' && req.url === '/emit') {
    seq++;
    const data = JSON.stringify({ seq, ts: Date.now(), kind: 'tool_result', data: { padding } });
    for (const s of subscribers) s.write(`event: event\nid: ${seq}\ndata: ${data}\n\n`);
    return void res.end('ok');
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
