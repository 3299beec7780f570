/**
 * npm run bench -- spawn
 * 1. spawn → agent started (container running) with Paddock, vs a bare engine create+start of the same image, both
 *    measured here in one run (median of N, alternating order).
 * 2. The workspace benchmark (clone + checkout and fetch-back vs raw `git worktree add` / `git fetch` on a generated
 *    20k-file repo), run as part of this one.
 * Prints ratios (Paddock / raw) and writes bench/results/spawn.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { openPaddock, spawnRun, gc } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { isTerminal } from '../src/jobs/index.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';

const N = Number(process.env.BENCH_N ?? 7);
const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const IMAGE = process.env.PADDOCK_IMAGE ?? 'localhost/paddock-agent:latest';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (n: number) => `${n.toFixed(0)} ms`;

const model = await startScriptedModel();
model.script('idle', [{ tools: [{ name: 'Bash', input: { command: 'timeout 2 tail -f /dev/null; echo ok', description: 'x' } }] }, { text: 'done' }]);
const home = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
const repo = mkdtempSync(join(tmpdir(), 'paddock-bench-repo-'));
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && for i in $(seq 1 200); do echo $i > f$i.txt; done && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);
const p = openPaddock(loadConfig({ ...process.env, PADDOCK_HOME: home, PADDOCK_ENGINE_SOCKET: SOCKET, PADDOCK_ANTHROPIC_BASE_URL: model.url }));
const docker = new Docker({ socketPath: SOCKET });

async function rawCreateStart(): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: IMAGE, Cmd: ['true'], User: '1000:1000',
    HostConfig: { NetworkMode: 'none', Memory: 512 * 1024 ** 2, NanoCpus: 1e9, PidsLimit: 512 },
  });
  await c.start();
  const t = performance.now() - t0;
  await c.wait();
  await c.remove({ force: true });
  return t;
}

async function paddockSpawn(i: number): Promise<{ total: number; phases: Record<string, number> }> {
  const t0 = performance.now();
  const started = Date.now();
  const run = await spawnRun(p, { repo, task: `bench ${i} [[script:idle]]`, branch: `bench/${i}-${started}` }, { supervision: 'in-process' });
  while (p.runs.get(run.id)?.state !== 'running' && !isTerminal(p.runs.get(run.id)?.state ?? 'crashed')) await sleep(5);
  const total = performance.now() - t0;
  const ev = p.events.list(run.id);
  const at = (pred: (e: (typeof ev)[number]) => boolean) => (ev.find(pred)?.ts ?? started) - started;
  const phases = {
    'checkout+volume': at((e) => e.kind === 'phase' && e.data.phase === 'creating-container'),
    'container created': at((e) => e.kind === 'state' && e.data.to === 'starting'),
    'container running': at((e) => e.kind === 'state' && e.data.to === 'running'),
  };
  while (!isTerminal(p.runs.get(run.id)?.state ?? 'crashed')) await sleep(50);
  return { total, phases };
}

console.log(`spawn benchmark: ${N} runs each, engine ${SOCKET}, image ${IMAGE}`);
await rawCreateStart(); // warm the engine's image cache
const raw: number[] = [];
const pad: number[] = [];
const phases: Record<string, number>[] = [];
for (let i = 0; i < N; i++) {
  if (i % 2) raw.push(await rawCreateStart());
  const r = await paddockSpawn(i);
  pad.push(r.total);
  phases.push(r.phases);
  if (!(i % 2)) raw.push(await rawCreateStart());
}
await gc(p, { sessions: true });
const phaseMedians = Object.fromEntries(Object.keys(phases[0] ?? {}).map((k) => [k, median(phases.map((x) => x[k] ?? NaN))]));
const spawnResult = { rawCreateStartMs: median(raw), paddockSpawnToRunningMs: median(pad), ratio: median(pad) / median(raw), phaseMediansMs: phaseMedians };

console.log(`\n  bare create+start            ${ms(spawnResult.rawCreateStartMs)}`);
console.log(`  paddock spawn → running      ${ms(spawnResult.paddockSpawnToRunningMs)}   ratio ${spawnResult.ratio.toFixed(2)}×`);
for (const [k, v] of Object.entries(phaseMedians)) console.log(`    ${k.padEnd(26)} at ${ms(v)}`);

console.log('\nworkspace benchmark (20k-file repo):');
execFileSync(process.execPath, [new URL('./workspace.bench.ts', import.meta.url).pathname], { stdio: 'inherit' });
const workspace = JSON.parse(readFileSync(new URL('./results/workspace.json', import.meta.url), 'utf8')) as unknown;

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = { date: new Date().toISOString(), cores: cpus().length, engine: p.config.engineSocket, n: N, spawn: spawnResult, workspace };
writeFileSync(new URL('./results/spawn.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log('\nwrote bench/results/spawn.json');
p.close();
await model.close();
rmSync(home, { recursive: true, force: true });
rmSync(repo, { recursive: true, force: true });
process.exit(0);
