import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, isEnded, makeRepo, paddockEnv, runIdOf, statusJson, until, type Env } from './harness.ts';

/** Starts the CLI and collects its output; done resolves with the exit code. */
function watch(child: ChildProcess) {
  const io = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (io.stdout += d));
  child.stderr!.on('data', (d: Buffer) => (io.stderr += d));
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, io, done };
}

/** The CLI with text on its stdin. */
async function withStdin(e: Env, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: e.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const w = watch(child);
  child.stdin!.end(input);
  const code = await w.done;
  return { code, ...w.io };
}

describe('exit codes of detaching, cancelling, and where the task comes from', () => {
  it('Ctrl-C: spawn detaches with 75, logs -f with 0, and a cancelled run followed exits 130', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const s = watch(e.start(['spawn', '--repo', repo, '--task', 'Wait [[script:slow 60]]']));
    await until(() => s.io.stdout.includes('⏺'), "the agent's first tool call", 120_000, 100);
    const id = runIdOf({ code: 0, ...s.io });
    // Two Ctrl-C in a row (an impatient user) still detach: never the 130 of a cancelled run.
    s.child.kill('SIGINT');
    s.child.kill('SIGINT');
    assert.equal(await s.done, 75, s.io.stderr);
    assert.match(s.io.stderr, /detached from run [0-9a-f]{12}; it goes on/);
    assert.equal((await statusJson(e, id)).state, 'running', 'the run goes on');

    const f = watch(e.start(['logs', '-f', id]));
    await until(() => f.io.stdout.includes('⏺'), 'logs -f to print the transcript', 60_000, 100);
    f.child.kill('SIGINT');
    assert.equal(await f.done, 0, `logs -f left with Ctrl-C only stopped watching\n${f.io.stderr}`);

    // Following a run that is then stopped: its outcome, cancelled, is 130.
    const g = watch(e.start(['logs', '-f', id]));
    await until(() => g.io.stdout.includes('⏺'), 'logs -f to print the transcript', 60_000, 100);
    const stop = await e.cli(['stop', id]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, new RegExp(`^stopped run ${id}: cancelled`, 'm'));
    assert.equal(await g.done, 130, g.io.stderr);
    assert.ok(isEnded(await statusJson(e, id)));
  });

  it('--task - reads the task from stdin, --task-file from a file; exactly one, never empty', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const task = 'Write the file\nas the second line says [[script:write-file from-stdin]]\n';
    const fromStdin = await withStdin(e, ['spawn', '--repo', repo, '--detach', '--task', '-'], task);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const a = await statusJson(e, fromStdin.stdout.trim());
    assert.equal(a.task, task.trimEnd(), 'the whole of stdin is the task');

    const dir = mkdtempSync(join(tmpdir(), 'paddock-task-'));
    const file = join(dir, 'TASK.md');
    writeFileSync(file, '# Task\n\nSay hello [[script:hello]]\n');
    const fromFile = await e.cli(['spawn', '--repo', repo, '--detach', '--json', '--task-file', file]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const b = JSON.parse(fromFile.stdout) as Record<string, unknown>;
    assert.equal(b.task, '# Task\n\nSay hello [[script:hello]]');
    assert.equal(b.modelToken, undefined);

    const emptyFile = join(dir, 'empty');
    writeFileSync(emptyFile, '  \n\n');
    const cases: [string, string[], RegExp, string?][] = [
      ['no task at all', [], /error: no task: say what the agent should do\nhint: use --task <text>, --task - \(read it from stdin\) or --task-file <file>/],
      ['both', ['--task', 'x', '--task-file', file], /give the task once: --task or --task-file, not both/],
      ['missing file', ['--task-file', join(dir, 'nope.md')], /--task-file .*nope\.md: the file does not exist/],
      ['a directory', ['--task-file', dir], /that is a directory, not a file/],
      ['empty file', ['--task-file', emptyFile], /the task is empty \(--task-file/],
      ['empty stdin', ['--task', '-'], /the task is empty \(--task - \(stdin\)\)/, ' \n '],
    ];
    for (const [what, args, message, input] of cases) {
      const r = await withStdin(e, ['spawn', '--repo', repo, ...args], input ?? '');
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
    }
    const ls = JSON.parse((await e.cli(['ls', '--all', '--json'])).stdout) as unknown[];
    assert.equal(ls.length, 2, 'no bad task made a run');
    await until(async () => isEnded(await statusJson(e, String(b.id))) && isEnded(await statusJson(e, String(a.id))), 'both runs to end', 120_000);

    // resume takes its task the same ways.
    const noTask = await e.cli(['resume', String(b.id)]);
    assert.equal(noTask.code, 2, noTask.stderr);
    assert.match(noTask.stderr, /error: no task/);
    writeFileSync(join(dir, 'NEXT.md'), 'Now say it again [[script:hello again]]\n');
    const resumed = await e.cli(['resume', String(b.id), '--task-file', join(dir, 'NEXT.md'), '--detach', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const c = JSON.parse(resumed.stdout) as Record<string, unknown>;
    assert.equal(c.task, 'Now say it again [[script:hello again]]');
    assert.equal(c.modelToken, undefined);
    await until(async () => isEnded(await statusJson(e, String(c.id))), 'the resumed run to end', 120_000);
  });
});
