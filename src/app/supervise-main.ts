/** Entry of a detached supervisor process: `node supervise-main.js <run-id>`. Started by the host in detached mode. */
import { openPaddock } from './context.ts';

const runId = process.argv[2];
if (!runId) {
  console.error('usage: supervise-main <run-id>');
  process.exit(2);
}
const log = (msg: string) => console.error(`${new Date().toISOString()} [${runId}] ${msg}`);
const p = openPaddock(undefined, { supervision: 'in-process', log });
try {
  log('supervising');
  p.host.start(runId);
  await p.host.supervising(runId);
  log('done');
} catch (e) {
  log(`supervisor failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  await p.close();
  // dockerode keeps sockets alive; the run is over, so leave now.
  process.exit(process.exitCode ?? 0);
}
