/**
 * npm run bench -- agents
 *
 * Per agent CLI (Claude Code, Codex, Gemini), what a user gets against the raw baseline measured in the same run:
 *   - Paddock: `paddock spawn --cli <cli> --repo R --task "… [[script:bench]]"` as a real process (node bin/paddock.js,
 *     its own PADDOCK_HOME, the vendor's scripted server behind Paddock's gateway). The script is one shell tool call
 *     and a final answer: a full tool round trip.
 *   - baseline: the same CLI binary run directly on this host (no container, no gateway) with the adapter's own argv,
 *     environment and HOME files, in a plain clone of R, against the same scripted server.
 * Two figures each, median of N (BENCH_N, default 3), alternating which goes first:
 *   - first event: Paddock: `spawn --json` prints the run's first agent event; baseline: the CLI's first stdout line
 *   - round trip:  the process exits (Paddock: the run is final and its branch brought back)
 * Prints ratios (Paddock / baseline) and writes bench/results/agents.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { agentFor } from '../src/app/agents.ts';
import { loadConfig } from '../src/config/index.ts';
import { ensureClaudeBinary } from '../src/images/claude-binary.ts';
import { ensureCodexBinary } from '../src/images/codex-binary.ts';
import { ensureGeminiCli, GEMINI_ENTRY } from '../src/images/gemini-cli.ts';
import { startScriptedGemini } from '../test/fixtures/scripted-gemini/server.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';
import { startScriptedOpenAI } from '../test/fixtures/scripted-openai/server.ts';

const N = Number(process.env.BENCH_N ?? 3);
const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const BIN = new URL('../bin/paddock.js', import.meta.url).pathname;
const KEY = 'bench-key-not-real';
const MODELS = { claude: 'sonnet', codex: 'gpt-5.5', gemini: 'gemini-2.5-flash' } as const;
type Cli = keyof typeof MODELS;
const CLIS = (process.env.BENCH_CLIS?.split(',') ?? ['claude', 'codex', 'gemini']) as Cli[];

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);

const cfg = loadConfig(process.env);
const quiet = () => {};
const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-agents-'));
chmodSync(scratch, 0o755);
// The host copies of the CLIs the agent image carries (the same versions, from the same cache).
const bin = join(scratch, 'bin');
mkdirSync(bin);
symlinkSync(await ensureClaudeBinary(cfg.cacheDir, cfg.claudeCodeVersion, quiet), join(bin, 'claude'));
symlinkSync(await ensureCodexBinary(cfg.cacheDir, cfg.codexVersion, quiet), join(bin, 'codex'));
const geminiDir = await ensureGeminiCli(cfg.cacheDir, cfg.geminiCliVersion, quiet);
writeFileSync(join(bin, 'gemini'), `#!/bin/sh\nexec ${process.execPath} ${geminiDir}/${GEMINI_ENTRY} "$@"\n`);
chmodSync(join(bin, 'gemini'), 0o755);

const repo = join(scratch, 'repo');
mkdirSync(repo);
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && echo hi > README.md && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);

const claude = await startScriptedModel({ apiKey: KEY });
const openai = await startScriptedOpenAI({ apiKey: KEY });
const gemini = await startScriptedGemini({ apiKey: KEY });
claude.script('bench', [{ tools: [{ name: 'Bash', input: { command: 'echo round-trip', description: 'echo' } }] }, { text: 'done' }]);
openai.script('bench', [{ calls: [{ name: 'exec_command', arguments: { cmd: 'echo round-trip', yield_time_ms: 10000 } }] }, { text: 'done' }]);
gemini.script('bench', [{ calls: [{ name: 'run_shell_command', args: { command: 'echo round-trip', description: 'echo' } }] }, { text: 'done' }]);
const URLS: Record<Cli, string> = { claude: claude.url, codex: openai.url, gemini: gemini.url };

const home = join(scratch, 'paddock-home');
const paddockEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: '1',
  PADDOCK_HOME: home,
  PADDOCK_ENGINE_SOCKET: SOCKET,
  PADDOCK_CACHE_DIR: cfg.cacheDir,
  PADDOCK_ANTHROPIC_BASE_URL: claude.url,
  PADDOCK_ANTHROPIC_API_KEY: KEY,
  PADDOCK_OPENAI_BASE_URL: openai.url,
  OPENAI_API_KEY: KEY,
  PADDOCK_GEMINI_BASE_URL: gemini.url,
  GEMINI_API_KEY: KEY,
};

/** Runs a command; resolves with the time to its first stdout line and to its exit, ms. */
function timed(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; isEvent?: (line: string) => boolean }): Promise<{ first: number; total: number; code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = NaN;
    let out = '';
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const isEvent = opts.isEvent ?? (() => true);
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!Number.isNaN(first)) return;
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.some(isEvent)) first = performance.now() - t0;
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ first, total: performance.now() - t0, code: code ?? -1, out }));
  });
}

let branch = 0;
async function viaPaddock(cli: Cli) {
  const r = await timed(
    process.execPath,
    [
      BIN,
      'spawn',
      '--json',
      '--repo',
      repo,
      '--cli',
      cli,
      '--branch',
      `bench-${cli}-${branch++}`,
      '--task',
      'Bench [[script:bench]]',
      ...(cli === 'claude' ? ['--model', MODELS.claude] : [`--${cli}-option`, `model=${MODELS[cli]}`]),
    ],
    // --json: the run's events as they are stored, one a line; the first the agent said is its first event.
    { env: paddockEnv, isEvent: (l) => l.includes('"source":"agent"') },
  );
  if (r.code !== 0) throw new Error(`paddock spawn --cli ${cli} exited ${r.code}:\n${r.out.slice(-2000)}`);
  return r;
}

async function direct(cli: Cli) {
  const adapter = agentFor(cli);
  const options = adapter.parseOptions({ model: MODELS[cli] });
  const dir = mkdtempSync(join(scratch, `direct-${cli}-`));
  const work = join(dir, 'work');
  const hostHome = join(dir, 'home');
  execFileSync('git', ['clone', '-q', '--shared', repo, work]);
  mkdirSync(hostHome);
  const access = { baseUrl: URLS[cli], token: KEY };
  for (const [path, text] of Object.entries(adapter.homeFiles?.(access, options) ?? {})) {
    mkdirSync(dirname(join(hostHome, path)), { recursive: true });
    writeFileSync(join(hostHome, path), text);
  }
  // The adapter speaks of the container's HOME: the same files, in this run's own HOME here.
  const env = Object.fromEntries(Object.entries(adapter.buildEnv(access)).map(([k, v]) => [k, v.replaceAll('/home/agent', hostHome)]));
  const argv = adapter.buildArgv('Bench [[script:bench]]', options, { sessionId: crypto.randomUUID(), resume: false });
  const [cmd, ...args] = argv;
  // Not as root (Claude Code refuses to skip permissions as root), as the container's agent is not either.
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
  if (asUser.length) execFileSync('chown', ['-R', '65534:65534', dir]);
  const [run, ...runArgs] = [...asUser, join(bin, cmd!), ...args];
  const r = await timed(run!, runArgs, { env: { PATH: `${bin}:${process.env.PATH}`, HOME: hostHome, ...env }, cwd: work });
  rmSync(dir, { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`${cli} on the host exited ${r.code}:\n${r.out.slice(-2000)}`);
  return r;
}

console.log(`agents bench: ${CLIS.join(', ')}; N=${N}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; engine ${SOCKET}`);
const results: Record<string, unknown> = {};
try {
  // Warm-up: the daemon starts, the database is made, each CLI's first start fills the page cache.
  for (const cli of CLIS) {
    await viaPaddock(cli);
    await direct(cli);
  }
  console.log('\n| CLI | figure | Paddock | host, direct | ratio |\n|---|---|---|---|---|');
  for (const cli of CLIS) {
    const p: { first: number; total: number }[] = [];
    const d: { first: number; total: number }[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 2 === 0) {
        p.push(await viaPaddock(cli));
        d.push(await direct(cli));
      } else {
        d.push(await direct(cli));
        p.push(await viaPaddock(cli));
      }
    }
    const row = {
      firstEventMs: { paddock: median(p.map((x) => x.first)), direct: median(d.map((x) => x.first)) },
      roundTripMs: { paddock: median(p.map((x) => x.total)), direct: median(d.map((x) => x.total)) },
    };
    results[cli] = { ...row, firstEventRatio: row.firstEventMs.paddock / row.firstEventMs.direct, roundTripRatio: row.roundTripMs.paddock / row.roundTripMs.direct };
    for (const [name, f] of [
      ['first event', row.firstEventMs],
      ['tool round trip (exit)', row.roundTripMs],
    ] as const)
      console.log(`| ${cli} | ${name} | ${ms(f.paddock)} | ${ms(f.direct)} | ${(f.paddock / f.direct).toFixed(1)}× |`);
  }
} finally {
  execFileSync(process.execPath, [BIN, 'gc'], { env: paddockEnv, stdio: 'ignore' });
  execFileSync(process.execPath, [BIN, 'daemon', 'stop'], { env: paddockEnv, stdio: 'ignore' });
  await Promise.all([claude.close(), openai.close(), gemini.close()]);
  rmSync(scratch, { recursive: true, force: true });
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = { when: new Date().toISOString(), n: N, cores: cpus().length, load: loadavg()[0], engine: SOCKET, results };
writeFileSync(new URL('./results/agents.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log('\nwrote bench/results/agents.json');
