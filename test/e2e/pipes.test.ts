/** Output through pipes: never cut short, and a reader that goes away ends the command quietly. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Run } from '../../src/jobs/index.ts';
import { runRow } from '../fixtures/run-row.ts';
import { openDb } from '../../src/store/db.ts';
import { RunsRepo } from '../../src/store/runs-repo.ts';
import { BIN, makeRepo, paddockEnv, runIdOf, statusJson, until, type Env } from './harness.ts';

const pexec = promisify(execFile);

/** Runs a shell pipeline with the paddock command as $P; returns each stage's exit code and stderr. */
async function pipeline(e: Env, script: string): Promise<{ codes: number[]; stdout: string; stderr: string }> {
  const { stdout, stderr } = await pexec('bash', ['-c', `set -o pipefail; ${script}; echo "codes:\${PIPESTATUS[*]}"`], {
    env: { ...e.env, P: `${process.execPath} ${BIN}` },
    maxBuffer: 64 << 20,
    timeout: 120_000,
  }).catch((err: { stdout: string; stderr: string }) => err);
  const codes = (/codes:([\d ]+)\s*$/.exec(stdout)?.[1] ?? '').trim().split(' ').map(Number);
  return { codes, stdout, stderr };
}

describe('output through pipes', () => {
  it('a 300 KB diff through a pipe is as long as the same diff written to a file', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('big', [{ tools: [{ name: 'Bash', input: { command: 'seq 1 60000 > big.txt && wc -c big.txt', description: 'write' } }] }, { text: 'wrote big.txt' }]);
    const id = runIdOf(await e.cli(['spawn', '--repo', repo, '--task', 'Big [[script:big]]']));
    const file = join(e.home, 'diff.out');
    const toFile = await pipeline(e, `$P diff ${id} > ${file}`);
    assert.equal(toFile.codes[0], 0, toFile.stderr);
    const size = statSync(file).size;
    assert.ok(size > 300_000, `diff is ${size} bytes`);
    const piped = await pipeline(e, `$P diff ${id} | wc -c`);
    assert.equal(Number(piped.stdout.split('\n')[0]), size);
    assert.deepEqual(piped.codes, [0, 0]);
  });

  it('ls --json with 60 runs parses through a pipe', async (t) => {
    const e = await paddockEnv(t);
    await e.cli(['doctor']); // creates the state directory and database
    const runs = new RunsRepo(openDb(join(e.home, 'paddock.db')));
    const now = Date.now();
    for (let i = 0; i < 60; i++) runs.insert(finishedRun(`${randomBytes(6).toString('hex')}`, now - i * 1000, e.home));
    const r = await pipeline(e, `$P ls --json | ${process.execPath} -e 'const a = JSON.parse(require("fs").readFileSync(0)); console.log(a.length)'`);
    assert.deepEqual(r.codes, [0, 0], r.stderr);
    assert.equal(Number(r.stdout.split('\n')[0]), 60);
  });

  it('logs -f | head -1 and spawn --json | head -1 end quietly with exit 0, and the run goes on', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const spawned = await pipeline(e, `$P spawn --repo ${repo} --json --task 'Wait [[script:slow 60]]' | head -1`);
    assert.deepEqual(spawned.codes, [0, 0], spawned.stderr);
    assert.doesNotMatch(spawned.stderr, /EPIPE|at .*\.js:\d+/);
    const id = /"runId":"([0-9a-f]{12})"/.exec(spawned.stdout)?.[1] ?? '';
    assert.ok(id, spawned.stdout);
    await until(async () => (await statusJson(e, id)).state === 'running', 'the run to be running', 120_000, 300);
    const tail = await pipeline(e, `$P logs -f ${id} | head -1`);
    assert.deepEqual(tail.codes, [0, 0], tail.stderr);
    assert.doesNotMatch(tail.stderr, /EPIPE|Error|at .*\.js:\d+/);
    assert.equal((await statusJson(e, id)).state, 'running', 'the run goes on');
    await e.cli(['stop', id]);
    assert.ok(readFileSync(join(e.home, 'paddock.db')).length > 0);
  });
});

function finishedRun(id: string, at: number, home: string): Run {
  return runRow(id, {
    createdAt: at,
    updatedAt: at,
    task: `task number ${id} with a long description `.repeat(4),
    repo: '/tmp/some/repo',
    baseSha: '0'.repeat(40),
    branch: `paddock/run-${id}`,
    image: 'localhost/paddock-agent:latest',
    memoryBytes: 512 * 1024 ** 2,
    pids: 512,
    timeoutMs: 1_800_000,
    sessionId: `00000000-0000-4000-8000-${id}`,
    state: 'completed',
    phase: 'done',
    reason: 'the agent finished',
    exitCode: 0,
    runDir: join(home, 'runs', id),
    containerName: `paddock-${id}`,
    modelToken: 'pdk_x',
    startedAt: at,
    finishedAt: at + 500,
    lastOutputAt: at,
    stdoutLines: 10,
    resultText: 'done',
    numTurns: 2,
    costUsd: 0.01,
    inputTokens: 2000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
  });
}
