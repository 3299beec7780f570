/** A real `paddock serve --port 0` for a benchmark, started the way a user starts it; ready once its daemon.json names it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function startServe(bin: string, home: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  let out = '';
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`paddock serve exited ${child.exitCode}:\n${out}`);
    try {
      const r = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number; tcp: string | null };
      if (r.pid === child.pid && r.tcp) return { child, url: `http://${r.tcp}`, log: () => out };
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`paddock serve did not listen:\n${out}`);
}
