/**
 * npm run bench -- services
 *
 * Spawn → agent started for a run with one PostgreSQL service (health-checked with pg_isready every 200 ms), against
 * the same containers started by hand through the Engine API in the same run: a namespace holder (network none), the
 * PostgreSQL container joined to it, pg_isready exec'd every 200 ms until it passes, then the agent's container
 * joined to it, created and started. Paddock: spawnRun called in this process until the run's state is `running`
 * (its checkout, session HOME, hosts file, health gate and hardened containers included). Median of N (BENCH_N,
 * default 3), alternating which goes first. Prints the ratio (Paddock / by hand) and writes bench/results/services.json.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { gc, openPaddock, spawnRun } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { isTerminal } from '../src/jobs/index.ts';
import { serviceImage } from '../test/environments/services-images.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';

const N = Number(process.env.BENCH_N ?? 3);
const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const IMAGE = process.env.PADDOCK_IMAGE ?? 'localhost/paddock-agent:latest';
const KEY = `sk-bench-${randomBytes(8).toString('hex')}`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const round = (n: number) => Math.round(n * 100) / 100;

const PG = await serviceImage(SOCKET, 'postgres');
const model = await startScriptedModel({ apiKey: KEY });
model.script('idle', [{ tools: [{ name: 'Bash', input: { command: 'timeout 2 tail -f /dev/null; echo ok', description: 'x' } }] }, { text: 'done' }]);
const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-services-'));
const repo = join(scratch, 'repo');
mkdirSync(repo);
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && echo a > a.txt && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);
const p = openPaddock(
  loadConfig({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PADDOCK_HOME: join(scratch, 'home'),
    PADDOCK_ENGINE_SOCKET: SOCKET,
    PADDOCK_IMAGE: IMAGE,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    PADDOCK_ANTHROPIC_API_KEY: KEY,
  }),
);
const docker = new Docker({ socketPath: SOCKET });
const HEALTH = { test: ['CMD', 'pg_isready', '-h', '127.0.0.1'], interval: '200ms', retries: 200 };

async function paddockRun(i: number): Promise<{ total: number; healthyAfter: number }> {
  const t0 = performance.now();
  const started = Date.now();
  const run = await spawnRun(p, { repo, task: `bench ${i} [[script:idle]]`, branch: `bench/services-${i}-${started}`, services: [{ name: 'db', image: PG, healthcheck: HEALTH }] });
  while (p.runs.get(run.id)?.state !== 'running' && !isTerminal(p.runs.get(run.id)?.state ?? 'crashed')) await sleep(5);
  const total = performance.now() - t0;
  const state = p.runs.get(run.id)?.state;
  if (state !== 'running') throw new Error(`run ${run.id} ${state}: ${p.runs.get(run.id)?.reason}`);
  const healthy = p.events.list(run.id).find((e) => e.kind === 'note' && /service db is healthy/.test(String(e.data.message)));
  while (!isTerminal(p.runs.get(run.id)?.state ?? 'crashed')) await sleep(50);
  return { total, healthyAfter: (healthy?.ts ?? started) - started };
}

async function byHand(): Promise<{ total: number; healthyAfter: number }> {
  const t0 = performance.now();
  const holder = await docker.createContainer({ Image: IMAGE, Entrypoint: ['/usr/bin/tini', '--'], Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'none' } });
  await holder.start();
  const db = await docker.createContainer({
    Image: PG,
    HostConfig: { NetworkMode: `container:${holder.id}`, Tmpfs: { '/tmp': 'rw,size=256m,mode=1777', '/run': 'rw,size=256m,mode=1777' }, ReadonlyRootfs: true, CapDrop: ['ALL'] },
  });
  await db.start();
  for (;;) {
    const exec = await db.exec({ Cmd: ['pg_isready', '-h', '127.0.0.1'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    await new Promise((r) => stream.once('end', r));
    let code: number | null = null;
    for (let k = 0; k < 50 && code === null; k++) {
      const info = await exec.inspect();
      if (!info.Running && typeof info.ExitCode === 'number') code = info.ExitCode;
      else await sleep(20);
    }
    if (code === 0) break;
    await sleep(200);
  }
  const healthyAfter = performance.now() - t0;
  const agent = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], User: '1000:1000', HostConfig: { NetworkMode: `container:${holder.id}`, Memory: 512 * 1024 ** 2, PidsLimit: 512 } });
  await agent.start();
  const total = performance.now() - t0;
  await agent.wait();
  for (const c of [agent, db, holder]) await c.remove({ force: true });
  return { total, healthyAfter };
}

await byHand(); // warm the engine's caches
const paddock: { total: number; healthyAfter: number }[] = [];
const hand: { total: number; healthyAfter: number }[] = [];
for (let i = 0; i < N; i++) {
  if (i % 2) hand.push(await byHand());
  paddock.push(await paddockRun(i));
  if (!(i % 2)) hand.push(await byHand());
}
await gc(p, { sessions: true });
await p.close();
const result = {
  paddockSpawnToAgentStartedMs: median(paddock.map((x) => x.total)),
  paddockServiceHealthyAfterMs: median(paddock.map((x) => x.healthyAfter)),
  byHandToAgentStartedMs: median(hand.map((x) => x.total)),
  byHandServiceHealthyAfterMs: median(hand.map((x) => x.healthyAfter)),
};
const ratio = result.paddockSpawnToAgentStartedMs / result.byHandToAgentStartedMs;
console.log(`services: spawn → agent started with one PostgreSQL service (N=${N}, ${SOCKET})`);
console.log(`  Paddock (spawnRun → running):        ${ms(result.paddockSpawnToAgentStartedMs)}   (service healthy after ${ms(result.paddockServiceHealthyAfterMs)})`);
console.log(`  by hand through the Engine API:      ${ms(result.byHandToAgentStartedMs)}   (service healthy after ${ms(result.byHandServiceHealthyAfterMs)})`);
console.log(`  ratio ${ratio.toFixed(2)}×`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/services.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadavg: loadavg().map(round), engine: SOCKET, image: IMAGE, serviceImage: PG, n: N, ...Object.fromEntries(Object.entries(result).map(([k, v]) => [k, round(v)])), ratio: round(ratio), samples: { paddock, byHand: hand } }, null, 2)}\n`,
);
console.log('wrote bench/results/services.json');
await model.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
