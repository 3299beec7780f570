import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN, eventsJson, isEnded, makeRepo, paddockEnv, runIdOf, statusJson, until } from './harness.ts';

const pexec = promisify(execFile);
const ESC = '\x1b';
/** What an agent could use to take over the terminal: escape sequences, other control characters, direction overrides. */
const HOSTILE = `${ESC}]0;pwned-title\x07${ESC}[2J${ESC}[H\u202e`;
const inert = (s: string) => !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/.test(s);

describe('ls, status, logs, stop, rm of a live run', () => {
  it('shows what a user needs, filters, fits 100 columns, and never lets agent text reach the terminal raw', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const other = await makeRepo(t);
    e.model.script('hostile', ({ cwd }) => [
      { text: `Hello ${HOSTILE}there`, tools: [{ name: 'Bash', input: { command: `printf '\\033]0;owned\\007\\033[31mred\\033[0m done'`, description: `run ${HOSTILE}` } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/out.txt`, content: 'x\n' } }] },
      { text: `Finished ${HOSTILE}` },
    ]);
    const longTask = `Implement the whole OAuth2 login flow with refresh tokens, PKCE and a logout endpoint ${HOSTILE} [[script:hostile]]`;
    const longBranch = 'feature/a-really-long-branch-name-that-would-never-fit-in-a-column-ok';
    const a = await e.cli(['spawn', '--repo', repo, '--branch', longBranch, '--task', longTask]);
    assert.equal(a.code, 0, a.stderr);
    const idA = runIdOf(a);
    for (const text of [a.stdout, a.stderr]) assert.ok(inert(text.replace(/[\n\t]/g, '')), `spawn output is inert: ${JSON.stringify(text)}`);
    assert.match(a.stdout, /Hello \\u202ethere/, 'escapes gone, the direction override shown escaped');
    assert.match(a.stdout, /red done/, 'tool output keeps its text, loses its escapes');

    const x = await e.cli(['spawn', '--repo', repo, '--type', 'explore', '--task', 'Look around [[script:hello]]']);
    const idX = runIdOf(x);
    const live = await e.cli(['spawn', '--repo', other, '--detach', '--json', '--task', 'Wait [[script:slow 120]]']);
    assert.equal(live.code, 0, live.stderr);
    const liveRun = JSON.parse(live.stdout) as Record<string, unknown>;
    const idL = String(liveRun.id);
    assert.equal(liveRun.modelToken, undefined, 'spawn --detach --json hides the token');
    await until(async () => (await statusJson(e, idL)).state === 'running', 'the live run to start', 120_000);

    // ls: the columns, inside 100 columns, agent text made safe.
    const ls = await e.cli(['ls']);
    assert.equal(ls.code, 0, ls.stderr);
    const lines = ls.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+STATE\s+TYPE\s+TASK\s+BRANCH\s+AGE\s+TIME\s+TOKENS\s+COST\s+MERGED$/);
    for (const l of lines) assert.ok(l.length <= 100, `${l.length} columns: ${l}`);
    assert.ok(inert(ls.stdout.replace(/\n/g, '')));
    const rowA = lines.find((l) => l.startsWith(idA))!;
    assert.match(rowA, new RegExp(`^${idA}\\s+completed\\s+feature\\s+Implement the.*…\\s+featur\\S*…\\S*-ok\\s+\\d+s\\s+\\d+s\\s+\\d+(\\.\\d)?k\\s+\\$\\d+\\.\\d{3}\\s+no$`));
    assert.match(lines.find((l) => l.startsWith(idX))!, /\s+explore\s+.*\s+-$/, 'explore runs have no merge state');
    assert.match(lines.find((l) => l.startsWith(idL))!, /\s+running\s+/);

    // Filters.
    const ids = async (...args: string[]) => {
      const r = await e.cli(['ls', '-q', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim().split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(await ids(), [idA, idX, idL].sort());
    assert.deepEqual(await ids('--state', 'running'), [idL]);
    assert.deepEqual(await ids('--state', 'completed,failed'), [idA, idX].sort());
    assert.deepEqual(await ids('--state', 'live'), [idL]);
    assert.deepEqual(await ids('--repo', other), [idL]);
    assert.deepEqual(await ids('--repo', join(repo, 'src'), '--state', 'ended'), [idA, idX].sort(), 'a path inside the repo names the repo');
    // An old run: created 3 days ago, ended 2 days ago.
    const db = new DatabaseSync(join(e.home, 'paddock.db'));
    db.prepare('UPDATE runs SET created_at = created_at - ?, started_at = started_at - ?, finished_at = finished_at - ? WHERE id = ?').run(3 * 86_400_000, 3 * 86_400_000, 2 * 86_400_000, idX);
    db.close();
    assert.deepEqual(await ids(), [idA, idL].sort(), 'by default, runs that ended over a day ago are not listed');
    assert.deepEqual(await ids('--all'), [idA, idX, idL].sort());
    assert.deepEqual(await ids('--since', '2h'), [idA, idL].sort());
    assert.deepEqual(await ids('--since', '4d'), [idA, idX, idL].sort());
    const bad = await e.cli(['ls', '--state', 'finished']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown state "finished"/);
    assert.match(bad.stderr, /hint: states: .*completed, failed/);
    assert.equal((await e.cli(['ls', '--since', 'soon'])).code, 2);
    const json = await e.cli(['ls', '--all', '--json']);
    const runs = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.equal(runs.length, 3);
    assert.ok(!json.stdout.includes('modelToken') && !json.stdout.includes('pdk_'), 'no capability token in --json');

    // status: created, started, ended, duration; safe text.
    const st = await e.cli(['status', idX]);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /^created\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(3d ago\)$/m);
    assert.match(st.stdout, /^started\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(3d ago\)$/m);
    assert.match(st.stdout, /^ended\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(2d ago\)$/m);
    assert.match(st.stdout, /^duration\s+24h$/m);
    const stL = await e.cli(['status', idL]);
    assert.match(stL.stdout, /^ended\s+- \(running\)$/m);
    assert.match(stL.stdout, /^duration\s+\d+s so far$/m);
    const stA = await e.cli(['status', idA]);
    assert.ok(inert(stA.stdout.replace(/\n/g, '')), JSON.stringify(stA.stdout));
    assert.match(stA.stdout, /^task\s+feature: Implement the whole OAuth2/m);
    assert.ok(!(await e.cli(['status', idA, '--json'])).stdout.includes('modelToken'));

    // logs: times on each line when asked (off when stdout is not a terminal), and nothing raw from the agent.
    const plain = await e.cli(['logs', idA]);
    assert.doesNotMatch(plain.stdout, /^\d\d:\d\d:\d\d /m);
    assert.ok(inert(plain.stdout.replace(/[\n\t]/g, '')), JSON.stringify(plain.stdout));
    assert.match(plain.stdout, /Finished/);
    const stamped = await e.cli(['logs', idA, '--timestamps']);
    const shown = stamped.stdout
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith(' '));
    assert.ok(shown.length >= 5);
    for (const l of shown) assert.match(l, /^\d\d:\d\d:\d\d /, l);
    assert.equal((await e.cli(['logs', idA, '--no-timestamps'])).stdout, plain.stdout);
    // The raw events keep what the agent really sent (for machines), as JSON.
    assert.ok((await eventsJson(e, idA)).some((ev) => ev.kind === 'text' && String(ev.data.text).includes(`${ESC}]0;pwned-title`)));

    // Completion offers run ids, live.
    const { stdout: script } = await pexec(process.execPath, [BIN, 'completion', 'bash'], { env: e.env });
    const binDir = mkdtempSync(join(tmpdir(), 'paddock-bin-'));
    t.after(() => rmSync(binDir, { recursive: true, force: true }));
    symlinkSync(BIN, join(binDir, 'paddock'));
    const { stdout: offered } = await pexec('bash', ['-c', `${script}\nCOMP_WORDS=(paddock status ''); COMP_CWORD=2; _paddock; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      env: { ...e.env, PATH: `${binDir}:${e.env.PATH}` },
    });
    assert.deepEqual(offered.trim().split('\n').sort(), [idA, idX, idL].sort());

    // rm refuses a live run, clearly, and removes nothing.
    const rmLive = await e.cli(['rm', idA, idL]);
    assert.equal(rmLive.code, 4, rmLive.stderr);
    assert.match(rmLive.stderr, new RegExp(`error: run ${idL} is still running; only a finished run can be removed`));
    assert.match(rmLive.stderr, new RegExp(`hint: stop it first \\(paddock stop ${idL}\\)`));
    assert.equal((await statusJson(e, idA)).state, 'completed', 'the finished run named with it is still there');

    // stop --no-wait says what it did; --json.
    const stop = await e.cli(['stop', idL, '--no-wait']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, new RegExp(`^stop requested; run ${idL} is ending: its container is stopped`, 'm'));
    assert.doesNotMatch(stop.stderr, /running$/m);
    const s = await until(
      async () => {
        const v = await statusJson(e, idL);
        return isEnded(v) && v;
      },
      'the run to end',
      60_000,
    );
    assert.equal(s.state, 'cancelled');
    const again = await e.cli(['stop', idL, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const sj = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.equal(sj.alreadyEnded, true);
    assert.equal(sj.ended, true);
    assert.equal(sj.state, 'cancelled');
    assert.equal(sj.modelToken, undefined);
  });
});
