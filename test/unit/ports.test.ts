import assert from 'node:assert/strict';
import { it } from 'node:test';
import { listeningPorts } from '../../src/app/ports.ts';

// /proc/net/tcp and tcp6 as a container shows them: the model relay (4000), the egress proxy (3128) and the
// coordinator's MCP bridge (4100) on loopback, a dev server on 0.0.0.0:8080, one on [::]:5173, one on 127.0.0.1:5432,
// and established connections (state 01), which are not listening.
const PROC = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0FA0 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0C38 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001        0 2 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1004 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001        0 3 1 0000000000000000 100 0 0 10 0
   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001        0 4 1 0000000000000000 100 0 0 10 0
   4: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001        0 5 1 0000000000000000 100 0 0 10 0
   5: 0100007F:0FA0 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000 1000001        0 6 1 0000000000000000 100 0 0 10 0
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1435 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001 0 7 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 1000001 0 8 1 0000000000000000 100 0 0 10 0
garbage line
`;

it("lists the run's listening ports with their addresses, once each, without Paddock's own bridges or connections", () => {
  assert.deepEqual(listeningPorts(PROC), [
    { port: 5173, address: '::' },
    { port: 5432, address: '127.0.0.1' },
    { port: 8080, address: '0.0.0.0' },
  ]);
  assert.deepEqual(listeningPorts(''), []);
});
