/**
 * The canary: the real model key (REAL_KEY, which the scripted model server insists on) is found nowhere a container
 * can see, nor in anything Paddock stores, logs or returns. The agent searches for it with a pattern that does not
 * contain it (`ke[y]`), so the search itself does not put the key into the transcript.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsJson, inspectContainers, makeRepo, paddockEnv, REAL_KEY, runIdOf, statusJson, until } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';
import { filesWith } from './scan.ts';

const PATTERN = REAL_KEY.replace('key', 'ke[y]');
assert.ok(!PATTERN.includes(REAL_KEY));

const SEARCH = [
  `P='${PATTERN}'`,
  'sleep 2',
  'echo "env:$(env | grep -c -e "$P")"',
  'echo "procenv:$(cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c -e "$P")"',
  'echo "cmdline:$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" "\\n" | grep -c -e "$P")"',
  'echo "files:$(grep -rsl -e "$P" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null | wc -l)"',
  'echo canary-done',
].join('\n');

describe('the canary credential', () => {
  it('is nowhere inside a run, in its container inspect, in the database, logs, run files or any API answer', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('canary', [{ tools: [{ name: 'Bash', input: { command: SEARCH, description: 'search' } }] }, { text: 'searched' }]);
    const r = await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Search [[script:canary]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r) || r.stdout.trim().split(/\s+/)[0] || '';
    const filters = { label: [`dev.paddock.run=${id}`] };
    const inspects: string[] = [];
    await until(async () => {
      inspects.push(...(await inspectContainers(e, filters)));
      return inspects.length > 0;
    }, 'the run container to exist');
    await until(async () => ['completed', 'failed'].includes((await statusJson(e, id)).state), 'the run to end');
    const out = String((await eventsJson(e, id)).find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /canary-done/);

    await attempt(t, { id: 'canary-env', area: 'credential', finding: 0, what: "find the real key in the agent's environment or any process's environment or command line" }, () => {
      assert.match(out, /env:0/);
      assert.match(out, /procenv:0/);
      assert.match(out, /cmdline:0/);
      return 'denied: the key is in no environment or command line inside (the agent holds only a run token)';
    });
    await attempt(t, { id: 'canary-files', area: 'credential', finding: 0, what: 'find the real key in any file the container can read' }, () => {
      assert.match(out, /files:0/);
      return 'denied: no file inside holds it (grep -r over /, /proc and /sys aside)';
    });
    await attempt(t, { id: 'canary-inspect', area: 'credential', finding: 0, what: "read the real key from the engine's container inspect (env, labels, mounts)" }, () => {
      for (const i of inspects) assert.ok(!i.includes(REAL_KEY));
      return 'denied: not in inspect';
    });
    await attempt(t, { id: 'canary-store', area: 'credential', finding: 0, what: "find the real key in Paddock's database, WAL, daemon log or run files" }, () => {
      assert.deepEqual(filesWith(e.home, REAL_KEY), []);
      return 'denied: no file under PADDOCK_HOME holds it';
    });
    await attempt(t, { id: 'canary-api', area: 'credential', finding: 0, what: 'read the real key from any CLI or API answer (status, ls, logs, events, diff)' }, async () => {
      const answers = await Promise.all([e.cli(['status', id, '--json']), e.cli(['ls', '--json']), e.cli(['logs', id, '--json']), e.cli(['diff', id]), e.cli(['daemon', 'status', '--json'])]);
      for (const a of answers) assert.ok(!(a.stdout + a.stderr).includes(REAL_KEY));
      return 'denied: in no answer';
    });
  });
});
