/** Entry of a detached supervisor process: `node supervise-main.js <run-id>`. Started by superviseDetached. */
import { openPaddock } from './context.ts';
import { makeSupervisor } from './supervision.ts';

const runId = process.argv[2];
if (!runId) {
  console.error('usage: supervise-main <run-id>');
  process.exit(2);
}
const p = openPaddock();
const log = (msg: string) => console.error(`${new Date().toISOString()} [${runId}] ${msg}`);
try {
  const supervisor = await makeSupervisor(p, log);
  log('supervising');
  await supervisor.supervise(runId);
  log('done');
} catch (e) {
  log(`supervisor failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  p.close();
  // dockerode keeps sockets alive; the run is over, so leave now.
  process.exit(process.exitCode ?? 0);
}
