/**
 * npm run bench -- spawn
 *
 * 1. What a user gets: `paddock spawn --repo R --task "… [[script:hello]]"` run as a real process (node bin/paddock.js,
 *    its own PADDOCK_HOME, the scripted model behind Paddock's relay), against the raw baseline measured in the same
 *    run: the engine's own CLI (`podman`, or `docker -H` for any other socket) running the same image with the same
 *    hardening flags as src/runtime/container-spec.ts, the same agent argv and env (buildClaudeArgv, buildClaudeEnv), a
 *    prepared `git clone --shared` of the same repo at /workspace, and the model reached the same way (a relay started
 *    here with startModelRelay, its socket directory mounted at /run/paddock, PADDOCK_RUN_ID set so the image's entry
 *    script bridges it). Median of N (BENCH_N, default 5), alternating which goes first.
 *      - agent started:  Paddock: the run's state becomes `running` (from its events in $PADDOCK_HOME/paddock.db)
 *                        baseline: `<engine> create` + `<engine> start` returned
 *      - completed:      Paddock: the `paddock spawn` process exits (the run is final and its branch brought back)
 *                        baseline: `<engine> run --rm` exits
 *    with Paddock's phases from the events, and the first agent output on both sides. The first spawn (it creates the
 *    database and starts the home's daemon) is reported apart and left out of the medians.
 * 2. In-process (not what the CLI user gets): spawnRun called in this process until `running`, against a bare engine
 *    API create+start of the same image (the figure this benchmark used to report).
 * 3. The workspace benchmark (clone + checkout and fetch-back vs raw `git worktree add` / `git fetch` on a generated
 *    20k-file repo), run as part of this one.
 * Prints ratios (Paddock / raw baseline) and writes bench/results/spawn.json.
 */
import { execFile as execFileCb, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { buildClaudeArgv, buildClaudeEnv, buildPrompt, parseClaudeOptions } from '../src/agents/claude/index.ts';
import { gc, openPaddock, spawnRun } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { startModelRelay } from '../src/gateway/index.ts';
import { isTerminal } from '../src/jobs/index.ts';
import { IN_CONTAINER } from '../src/runtime/index.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';
import { measureDaemonFigures, printDaemonFigures } from './daemon-figures.ts';

const execFile = promisify(execFileCb);
const N = Number(process.env.BENCH_N ?? 5);
const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const IMAGE = process.env.PADDOCK_IMAGE ?? 'localhost/paddock-agent:latest';
const BIN = new URL('../bin/paddock.js', import.meta.url).pathname;
const KEY = `sk-bench-${randomBytes(8).toString('hex')}`;
const TASK = 'Say hello. [[script:hello]]';
/** The loopback port the image's entry script bridges to the relay socket (its default; spawn.ts uses the same). */
const MODEL_PORT = 4000;
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const round = (n: number) => Math.round(n * 100) / 100;

// The engine's own CLI for the baseline: podman on a Podman socket (when installed), else the docker CLI at the socket
// (it speaks the same Engine API to Podman or Docker).
const engineKind = (await new Docker({ socketPath: SOCKET }).version()).Components?.some((c) => /podman/i.test(c.Name)) ? 'podman' : 'docker';
const hasPodmanCli = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ENGINE_CLI: [string, ...string[]] = engineKind === 'podman' && hasPodmanCli ? ['podman'] : ['docker', '-H', `unix://${SOCKET}`];

const model = await startScriptedModel({ apiKey: KEY });
model.script('idle', [{ tools: [{ name: 'Bash', input: { command: 'timeout 2 tail -f /dev/null; echo ok', description: 'x' } }] }, { text: 'done' }]);
const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
const repo = join(scratch, 'repo');
mkdirSync(repo);
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && for i in $(seq 1 200); do echo $i > f$i.txt; done && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);
const cliHome = join(scratch, 'cli-home');
const cliEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'C.UTF-8',
  NO_COLOR: '1',
  PADDOCK_HOME: cliHome,
  PADDOCK_ENGINE_SOCKET: SOCKET,
  PADDOCK_IMAGE: IMAGE,
  PADDOCK_ANTHROPIC_BASE_URL: model.url,
  PADDOCK_ANTHROPIC_API_KEY: KEY,
};
const cfg = loadConfig({ PADDOCK_HOME: cliHome });

// ---------------------------------------------------------------------------------------------------------------
// 1a. paddock spawn, as a process
// ---------------------------------------------------------------------------------------------------------------
interface CliSample {
  toRunning: number;
  firstOutput: number;
  toExit: number;
  phases: Record<string, number>;
}

async function paddockCli(tag: string): Promise<CliSample> {
  const branch = `bench/${tag}-${Date.now()}`;
  const t0 = performance.now();
  const epoch0 = Date.now();
  const child = spawn(process.execPath, [BIN, 'spawn', '--repo', repo, '--branch', branch, '--task', TASK], { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const toExit = performance.now() - t0;
  clearTimeout(killer);
  if (code !== 0) throw new Error(`paddock spawn exited with ${code}:\n${output}`);

  const db = new DatabaseSync(join(cliHome, 'paddock.db'), { readOnly: true });
  try {
    const run = db.prepare('SELECT id FROM runs WHERE repo = ? AND branch = ?').get(repo, branch) as unknown as { id: string } | undefined;
    if (!run) throw new Error(`no run for branch ${branch} in ${cliHome}/paddock.db`);
    const events = (
      db.prepare('SELECT seq, ts, source, kind, data FROM events WHERE run_id = ? ORDER BY seq').all(run.id) as unknown as { ts: number; source: string; kind: string; data: string }[]
    ).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
    const at = (pred: (e: (typeof events)[number]) => boolean) => {
      const e = events.find(pred);
      return e ? e.ts - epoch0 : NaN;
    };
    const state = (to: string) => at((e) => e.kind === 'state' && e.data.to === to);
    const final = events.findLast((e) => e.kind === 'state' && isTerminal(String(e.data.to) as never));
    if (final?.data.to !== 'completed') throw new Error(`run ${run.id} ended ${String(final?.data.to)}:\n${output}`);
    const phases = {
      'run recorded': at(() => true),
      'checkout + session volume': at((e) => e.kind === 'phase' && e.data.phase === 'creating-container'),
      'container created': state('starting'),
      'container running': state('running'),
      'first agent output': at((e) => e.source === 'agent'),
      'agent result': at((e) => e.kind === 'result'),
      'brought back (completed)': final.ts - epoch0,
      'process exited': toExit,
    };
    return { toRunning: phases['container running'], firstOutput: phases['first agent output'], toExit, phases };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1b. the raw baseline: the engine CLI, same image, flags, argv, env, clone and model path
// ---------------------------------------------------------------------------------------------------------------
const relayDir = join(scratch, 'relay');
mkdirSync(relayDir);
chmodSync(relayDir, 0o755);
const relayToken = `pdk_${randomBytes(24).toString('base64url')}`;
const relay = await startModelRelay({ socketPath: join(relayDir, 'model.sock'), upstream: model.url, token: relayToken, credential: { apiKey: KEY } });
const objectsDir = execFileSync('git', ['-C', repo, 'rev-parse', '--path-format=absolute', '--git-common-dir'], { encoding: 'utf8' }).trim() + '/objects';
const agentOptions = parseClaudeOptions({});
const agentEnv = { ...buildClaudeEnv({ baseUrl: `http://127.0.0.1:${MODEL_PORT}`, token: relayToken }), HOME: IN_CONTAINER.home, PADDOCK_RUN_ID: 'bench-baseline' };

/** The bare-engine baseline runs as the image's own user (Paddock gives each run a UID of its own; that costs nothing here). */
const BASELINE_USER = '1000:1000';

/** A fresh private clone and HOME for one baseline container, prepared outside the timing; returns the engine CLI args. */
function prepareBaseline(tag: string): string[] {
  const dir = join(scratch, `baseline-${tag}`);
  const src = join(dir, 'src');
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  execFileSync('git', ['clone', '-q', '--shared', repo, src]);
  execFileSync('chown', ['-R', BASELINE_USER, src, home]);
  const prompt = buildPrompt('feature', TASK, { branch: `bench/${tag}`, base: 'main' });
  const argv = buildClaudeArgv(prompt, agentOptions, { sessionId: randomUUID(), resume: false });
  return [
    '--user',
    BASELINE_USER,
    '--workdir',
    IN_CONTAINER.workspace,
    '--hostname',
    `paddock-bench`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--read-only',
    '--tmpfs',
    '/tmp:rw,nosuid,nodev,size=512m,mode=1777',
    '--tmpfs',
    '/var/tmp:rw,nosuid,nodev,size=64m,mode=1777',
    '--network',
    'none',
    '--ipc',
    'private',
    '--memory',
    String(cfg.memory),
    '--memory-swap',
    String(cfg.memory),
    '--cpus',
    String(cfg.cpus),
    '--pids-limit',
    String(cfg.pids),
    '-v',
    `${src}:${IN_CONTAINER.workspace}:rw`,
    '-v',
    `${objectsDir}:${objectsDir}:ro`,
    '-v',
    `${home}:${IN_CONTAINER.home}:rw`,
    '-v',
    `${relayDir}:${IN_CONTAINER.relayDir}:ro`,
    ...Object.entries(agentEnv).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    IMAGE,
    ...argv,
  ];
}

const [cli, ...cliPre] = ENGINE_CLI;
const engine = (args: string[]) => execFile(cli, [...cliPre, ...args], { maxBuffer: 64 << 20 });
const succeeded = (stdout: string) => stdout.split('\n').some((l) => l.includes('"type":"result"') && l.includes('"subtype":"success"') && l.includes('Hello from the scripted model'));

/** `<engine> create` + `<engine> start`: time until the container runs (then it is waited for, checked, removed). */
async function baselineCreateStart(tag: string): Promise<number> {
  const args = prepareBaseline(`cs-${tag}`);
  const t0 = performance.now();
  const id = (await engine(['create', ...args])).stdout.trim().split('\n').pop()!;
  await engine(['start', id]);
  const started = performance.now() - t0;
  await engine(['wait', id]);
  const { stdout } = await engine(['logs', id]);
  await engine(['rm', '-f', id]);
  if (!succeeded(stdout)) throw new Error(`baseline create+start: the agent did not answer:\n${stdout.slice(0, 2000)}`);
  return started;
}

/** `<engine> run --rm`: time to its first output (the agent's init line) and to its exit. */
async function baselineRun(tag: string): Promise<{ firstOutput: number; toExit: number }> {
  const args = prepareBaseline(`run-${tag}`);
  const t0 = performance.now();
  const child = spawn(cli, [...cliPre, 'run', '--rm', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let firstOutput = NaN;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    if (Number.isNaN(firstOutput)) firstOutput = performance.now() - t0;
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const toExit = performance.now() - t0;
  clearTimeout(killer);
  if (code !== 0 || !succeeded(stdout)) throw new Error(`baseline ${ENGINE_CLI.join(' ')} run exited with ${code}:\n${stdout.slice(0, 2000)}\n${stderr}`);
  return { firstOutput, toExit };
}

console.log(
  `spawn benchmark: N=${N}, engine ${SOCKET} (${engineKind}), image ${IMAGE}, baseline CLI \`${ENGINE_CLI.join(' ')}\`, task "${TASK}", ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
// The first spawn in a fresh PADDOCK_HOME also creates the database and starts the daemon: reported on its own, not
// counted in the medians (a user pays it once). The baseline's first run warms the image and page cache the same way.
const firstSpawn = await paddockCli('first');
await baselineRun('warmup');

const cliSamples: CliSample[] = [];
const baseStart: number[] = [];
const baseRuns: { firstOutput: number; toExit: number }[] = [];
for (let i = 0; i < N; i++) {
  const paddockFirst = i % 2 === 0;
  if (!paddockFirst) {
    baseStart.push(await baselineCreateStart(String(i)));
    baseRuns.push(await baselineRun(String(i)));
  }
  cliSamples.push(await paddockCli(String(i)));
  if (paddockFirst) {
    baseStart.push(await baselineCreateStart(String(i)));
    baseRuns.push(await baselineRun(String(i)));
  }
  process.stdout.write(
    `  run ${i + 1}/${N}: paddock running ${ms(cliSamples.at(-1)!.toRunning)}, exit ${ms(cliSamples.at(-1)!.toExit)}; baseline started ${ms(baseStart.at(-1)!)}, exit ${ms(baseRuns.at(-1)!.toExit)}\n`,
  );
}
await relay.close();

const cliResult = {
  task: TASK,
  baselineCli: ENGINE_CLI.join(' '),
  paddock: {
    toRunningMs: median(cliSamples.map((s) => s.toRunning)),
    firstAgentOutputMs: median(cliSamples.map((s) => s.firstOutput)),
    toExitMs: median(cliSamples.map((s) => s.toExit)),
    phaseMediansMs: Object.fromEntries(Object.keys(cliSamples[0]!.phases).map((k) => [k, median(cliSamples.map((s) => s.phases[k]!))])),
    firstSpawnInFreshHome: firstSpawn,
  },
  baseline: {
    createStartMs: median(baseStart),
    runFirstOutputMs: median(baseRuns.map((r) => r.firstOutput)),
    runExitMs: median(baseRuns.map((r) => r.toExit)),
  },
  ratios: {} as Record<string, number>,
  samples: { paddock: cliSamples, baselineCreateStartMs: baseStart, baselineRun: baseRuns },
};
cliResult.ratios = {
  agentStarted: cliResult.paddock.toRunningMs / cliResult.baseline.createStartMs,
  firstAgentOutput: cliResult.paddock.firstAgentOutputMs / cliResult.baseline.runFirstOutputMs,
  completed: cliResult.paddock.toExitMs / cliResult.baseline.runExitMs,
};

// ---------------------------------------------------------------------------------------------------------------
// 2. in-process (not what the CLI user gets): spawnRun in this process, vs a bare engine API create+start
// ---------------------------------------------------------------------------------------------------------------
const inHome = join(scratch, 'in-process-home');
const p = openPaddock(loadConfig({ ...cliEnv, PADDOCK_HOME: inHome }));
const docker = new Docker({ socketPath: SOCKET });

async function rawCreateStart(): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: IMAGE,
    Cmd: ['true'],
    User: '1000:1000',
    HostConfig: { NetworkMode: 'none', Memory: 512 * 1024 ** 2, NanoCpus: 1e9, PidsLimit: 512 },
  });
  await c.start();
  const t = performance.now() - t0;
  await c.wait();
  await c.remove({ force: true });
  return t;
}

async function inProcessSpawn(i: number): Promise<{ total: number; phases: Record<string, number> }> {
  const t0 = performance.now();
  const started = Date.now();
  const run = await spawnRun(p, { repo, task: `bench ${i} [[script:idle]]`, branch: `bench/in-process-${i}-${started}` });
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

await rawCreateStart(); // warm the engine's image cache
const raw: number[] = [];
const pad: number[] = [];
const inPhases: Record<string, number>[] = [];
for (let i = 0; i < N; i++) {
  if (i % 2) raw.push(await rawCreateStart());
  const r = await inProcessSpawn(i);
  pad.push(r.total);
  inPhases.push(r.phases);
  if (!(i % 2)) raw.push(await rawCreateStart());
}
await gc(p, { sessions: true });
await p.close();
const inProcess = {
  note: 'spawnRun called in the benchmark process until `running`; not what the CLI user gets',
  rawCreateStartMs: median(raw),
  paddockSpawnToRunningMs: median(pad),
  ratio: median(pad) / median(raw),
  phaseMediansMs: Object.fromEntries(Object.keys(inPhases[0] ?? {}).map((k) => [k, median(inPhases.map((x) => x[k] ?? NaN))])),
};
// The daemon's figures (bench/daemon-figures.ts): `paddock ls` vs `docker ps` while the CLI's daemon holds the runs
// above, and the resident memory of a daemon of its own with 16 idle runs.
const daemonFigures = await measureDaemonFigures({ bin: BIN, cliEnv, socket: SOCKET, repo, scratch });
// The CLI runs' containers and session volumes, through the CLI (its daemon owns that home); then stop the daemon.
for (const args of [
  ['gc', '--sessions'],
  ['daemon', 'stop'],
]) {
  await execFile(process.execPath, [BIN, ...args], { env: cliEnv }).catch((e: unknown) => console.error(`paddock ${args.join(' ')}: ${(e as Error).message}`));
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------
const c = cliResult;
const b = `\`${c.baselineCli} …\``;
console.log(`\n  paddock spawn (the CLI, a real process) vs ${b}, median of ${N}:`);
console.log(`                                      paddock   baseline                    ratio`);
console.log(
  `    agent started (container running) ${ms(c.paddock.toRunningMs).padStart(8)}  ${ms(c.baseline.createStartMs).padStart(8)} create + start     ${ratio(c.paddock.toRunningMs, c.baseline.createStartMs)}`,
);
console.log(
  `    first agent output                ${ms(c.paddock.firstAgentOutputMs).padStart(8)}  ${ms(c.baseline.runFirstOutputMs).padStart(8)} run --rm           ${ratio(c.paddock.firstAgentOutputMs, c.baseline.runFirstOutputMs)}`,
);
console.log(
  `    completed (process exit)          ${ms(c.paddock.toExitMs).padStart(8)}  ${ms(c.baseline.runExitMs).padStart(8)} run --rm           ${ratio(c.paddock.toExitMs, c.baseline.runExitMs)}`,
);
console.log('    paddock phases (median, from the start of the `paddock spawn` process):');
for (const [k, v] of Object.entries(c.paddock.phaseMediansMs)) console.log(`      ${k.padEnd(34)} at ${ms(v)}`);
console.log(`    the first spawn in a fresh PADDOCK_HOME (creates the database, starts the daemon; not in the medians): running ${ms(firstSpawn.toRunning)}, exit ${ms(firstSpawn.toExit)}`);
console.log(
  `\n  in-process (not what the CLI user gets): spawnRun → running ${ms(inProcess.paddockSpawnToRunningMs)} vs bare API create+start ${ms(inProcess.rawCreateStartMs)}   ratio ${ratio(inProcess.paddockSpawnToRunningMs, inProcess.rawCreateStartMs)}`,
);

printDaemonFigures(daemonFigures, cliResult.ratios.agentStarted ?? NaN);

// BENCH_WORKSPACE=0 leaves the (slow) workspace part out, for a quick look at the spawn figures.
let workspace: unknown = 'not run (BENCH_WORKSPACE=0)';
if (process.env.BENCH_WORKSPACE !== '0') {
  console.log('\nworkspace benchmark (20k-file repo):');
  execFileSync(process.execPath, [new URL('./workspace.bench.ts', import.meta.url).pathname], { stdio: 'inherit' });
  workspace = JSON.parse(readFileSync(new URL('./results/workspace.json', import.meta.url), 'utf8')) as unknown;
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const roundAll = (v: unknown): unknown =>
  typeof v === 'number' ? round(v) : Array.isArray(v) ? v.map(roundAll) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundAll(x)])) : v;
const out = {
  date: new Date().toISOString(),
  cores: cpus().length,
  loadavg: loadavg().map(round),
  engine: SOCKET,
  engineKind,
  image: IMAGE,
  n: N,
  cli: roundAll(cliResult),
  inProcess: roundAll(inProcess),
  workspace,
};
Object.assign(out, { daemon: roundAll(daemonFigures) });
writeFileSync(new URL('./results/spawn.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log('\nwrote bench/results/spawn.json');
await model.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
