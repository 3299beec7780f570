/**
 * Escape suite, supervision (issue 14, findings 6 and 7): output from inside a real run (Podman) that used to kill
 * supervision or fill the disk — one 600 MiB stdout line and a 100 MB flood of lines, both written to the stream
 * Paddock reads (/proc/1/fd/1) — and a run recorded as ended while its container still runs, which `stop` must stop.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDb } from '../../src/store/db.ts';
import { eventsJson, git, killDaemon, makeRepo, paddockEnv, runIdOf, statusJson, until } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const MiB = 1024 * 1024;
const fileSize = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

describe('supervision against hostile output (real runs)', () => {
  it('a 600 MiB line and a 100 MB flood: supervision lives, output and logs stay bounded, the container stops, the work comes back', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const flood = [
      'set +e',
      'echo work > work.txt',
      // Markers go to a file in the workspace: the tool's own output comes after the flood, past the output cap.
      'if [ -w /proc/1/fd/1 ]; then echo "pid1-stdout:writable"; else echo "pid1-stdout:not-writable"; fi >> markers.txt',
      // One line of 600 MiB, then a newline.
      'head -c 629145600 /dev/zero | tr \'\\0\' a > /proc/1/fd/1; echo > /proc/1/fd/1; echo "line:$?" >> markers.txt',
      // 100 MB of short lines.
      'yes \'flood flood flood flood flood flood flood flood flood flood flood\' | head -c 100000000 > /proc/1/fd/1; echo "flood:$?" >> markers.txt',
      'echo flood-done',
    ].join('\n');
    e.model.script('flood', [{ tools: [{ name: 'Bash', input: { command: flood, description: 'flood the log' } }] }, { text: 'done' }]);
    const t0 = Date.now();
    const spawned = await e.cli(['spawn', '--repo', repo, '--branch', 'flood/run', '--task', 'Flood [[script:flood]]'], { timeoutMs: 540_000 });
    const tookMs = Date.now() - t0;
    const id = runIdOf(spawned);
    assert.ok(id, spawned.stderr);
    const status = await statusJson(e, id);
    const events = await eventsJson(e, id);
    const notes = events.filter((ev) => ev.kind === 'note').map((ev) => String(ev.data.message));
    const out = status.headSha ? await git(repo, 'show', 'flood/run:markers.txt').catch(() => '') : '';
    const containerId = String(status.containerId ?? '');
    const inspect = containerId ? await e.engine.getContainer(containerId).inspect() : undefined;
    const logPath = (inspect as { LogPath?: string } | undefined)?.LogPath ?? '';
    const dbBytes = fileSize(join(e.home, 'paddock.db')) + fileSize(join(e.home, 'paddock.db-wal'));

    await attempt(t, { id: 'supervision-600mib-line', area: 'supervision', finding: 6, what: "one 600 MiB line on the stream Paddock parses (/proc/1/fd/1), past V8's string limit" }, async () => {
      assert.match(out, /pid1-stdout:writable/, out);
      assert.match(out, /line:0/);
      assert.ok(['completed', 'failed'].includes(status.state), `ended ${status.state}: ${String(status.reason)}`);
      assert.equal(inspect?.State.Running, false, 'the container is stopped');
      assert.ok(status.headSha, 'the work came back');
      assert.equal(await git(repo, 'show', 'flood/run:work.txt'), 'work');
      assert.ok(
        notes.some((n) => /line \d+ was cut at \d+ characters/.test(n)),
        notes.join('\n'),
      );
      return `neutralised: the line cut at 1 Mi characters with a note; supervision lived, the run ended ${status.state}, its container stopped and its work came back (${Math.round(tookMs / 1000)} s in all)`;
    });
    await attempt(t, { id: 'supervision-log-flood', area: 'supervision', finding: 7, what: 'a 100 MB flood of log lines (it made a 142 MB log and a 204 MB database)' }, () => {
      assert.match(out, /flood:0/);
      assert.ok(
        notes.some((n) => n.startsWith('output cap reached')),
        notes.join('\n'),
      );
      assert.ok(dbBytes < 64 * MiB, `database ${dbBytes} bytes`);
      const logBytes = fileSize(logPath);
      assert.ok(logPath === '' || logBytes <= 130 * MiB, `container log ${logBytes} bytes at ${logPath}`);
      return `neutralised: stored output capped (one note), database ${(dbBytes / MiB).toFixed(1)} MiB; the engine's log held to ${(fileSize(logPath) / MiB).toFixed(0)} MiB (LogConfig max-size 128 MiB)`;
    });
  });

  it('stop stops a container that still runs after its run was recorded as ended', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('sleeper', [{ tools: [{ name: 'Bash', input: { command: 'sleep 600', description: 'sleep', timeout: 600000 } }] }, { text: 'done' }]);
    const spawned = await e.cli(['spawn', '--detach', '--repo', repo, '--branch', 'sleep/run', '--task', 'Sleep [[script:sleeper]]']);
    const id = runIdOf(spawned);
    assert.ok(id, spawned.stderr);
    const running = await until(async () => {
      const s = await statusJson(e, id);
      return s.state === 'running' && s.containerId ? s : undefined;
    }, 'the run to be running');
    const containerId = String(running.containerId);
    // Its supervisor dies, and the record says it ended (what a supervisor that gave up used to leave behind).
    await killDaemon(e.home);
    const db = openDb(join(e.home, 'paddock.db'));
    db.prepare("UPDATE runs SET state = 'crashed', phase = 'done', reason = 'supervisor error: test', finished_at = ?, owner_pid = NULL, owner_start = NULL, owner_id = NULL WHERE id = ?").run(
      Date.now(),
      id,
    );
    db.close();
    assert.equal((await e.engine.getContainer(containerId).inspect()).State.Running, true);
    const stop = await e.cli(['stop', id, '--json']);
    const stopped = JSON.parse(stop.stdout) as { alreadyEnded: boolean };
    await attempt(
      t,
      { id: 'supervision-stop-orphan', area: 'supervision', finding: 6, what: 'a run recorded as ended (crashed) whose container runs on unsupervised; stop used to say it had already ended' },
      async () => {
        assert.equal(stop.code, 0, stop.stderr);
        assert.equal(stopped.alreadyEnded, false);
        const state = await until(
          async () => {
            const c = await e.engine.getContainer(containerId).inspect();
            return c.State.Running ? undefined : c.State;
          },
          'the container to stop',
          30_000,
        );
        assert.equal(state.Running, false);
        return 'denied: stop inspects the container whatever the stored state says, and stopped it';
      },
    );
  });
});
