/**
 * Projects and personas through a real daemon, the real Claude Code CLI in real containers and the scripted model:
 * the image chain picks each level in turn (the agent image tagged under extra names, so the levels are distinct
 * images), a persona's role prompt reaches the model as part of its system prompt with its model, the project's
 * defaults (base branch, memory, egress additions) are applied, a project's runs write notification files with the
 * right urgency and call notify-send (a fake on the daemon's PATH that records its argv), and a missing image at
 * each level is a clear error that leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startDaemon } from '../api/harness.ts';
import { eventsJson, git, isEnded, makeRepo, statusJson, until, type Env } from '../e2e/harness.ts';

const AGENT_IMAGE = 'localhost/paddock-agent:latest';
const ROLE = 'ROLE-MARKER-7f3a: you are the tester persona; say what you checked.';
const PERSONA_MODEL = 'claude-sonnet-4-5';

const runOf = (stdout: string): { id: string; image: string; baseRef: string; memoryBytes: number; model: string | null } => JSON.parse(stdout);

async function ended(e: Env, id: string): Promise<Record<string, unknown> & { state: string }> {
  return until(
    async () => {
      const s = await statusJson(e, id);
      return isEnded(s) ? s : undefined;
    },
    `run ${id} to end`,
    180_000,
    500,
  );
}

async function leftoverState(e: Env, repo: string): Promise<{ runs: number; containers: number; branches: string }> {
  const ls = await e.cli(['ls', '--all', '--json']);
  const containers = await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.instance=${e.instance()}`] } });
  return { runs: (JSON.parse(ls.stdout) as unknown[]).length, containers: containers.length, branches: await git(repo, 'branch', '--list') };
}

it('project and persona: image chain level by level, role prompt to the model, defaults, notifications, missing images', { timeout: 600_000 }, async (t) => {
  const suffix = Math.random().toString(16).slice(2, 8);
  const tag = (level: string) => `localhost/paddock-chain-${level}-${suffix}:t`;
  const fakeBin = mkdtempSync(join(tmpdir(), 'paddock-fake-notify-'));
  t.after(() => rmSync(fakeBin, { recursive: true, force: true }));
  const calls = join(fakeBin, 'calls');
  writeFileSync(join(fakeBin, 'notify-send'), `#!/bin/sh\nprintf '%s\\036' "$@" >> '${calls}'\nprintf '\\n' >> '${calls}'\n`);
  chmodSync(join(fakeBin, 'notify-send'), 0o755);

  const d = await startDaemon(t, { PATH: `${fakeBin}:${process.env.PATH}` });
  const e = d.e;
  for (const level of ['persona', 'project', 'request', 'server']) {
    const [repoName, tg] = tag(level).split(/:(?=[^:]+$)/) as [string, string];
    await e.engine.getImage(AGENT_IMAGE).tag({ repo: repoName, tag: tg });
  }
  t.after(async () => {
    for (const level of ['persona', 'project', 'request', 'server'])
      await e.engine
        .getImage(tag(level))
        .remove()
        .catch(() => {});
  });

  const repo = await makeRepo(t);
  await git(repo, 'checkout', '-q', '-b', 'dev');
  writeFileSync(join(repo, 'DEV.md'), 'dev only\n');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'dev');
  await git(repo, 'checkout', '-q', 'main');

  // Through the CLI: a project with defaults, a persona with a role, model and image.
  const add = await e.cli([
    'project',
    'add',
    'app',
    '--path',
    repo,
    '--base',
    'dev',
    '--memory',
    '600m',
    '--allow-host',
    'example.org',
    '--image',
    tag('project'),
    '--post-start',
    'echo project-hook-ran',
    '--json',
  ]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(JSON.parse(add.stdout).path, repo);
  const persona = await e.cli(['agent', 'add', 'tester', '--role', ROLE, '--model', PERSONA_MODEL, '--image', tag('persona'), '--json']);
  assert.equal(persona.code, 0, persona.stderr);
  const ls = await e.cli(['agent', 'ls', '--json']);
  assert.deepEqual(
    (JSON.parse(ls.stdout) as { name: string }[]).map((p) => p.name),
    ['analytics', 'devops', 'engineer', 'qa', 'reviewer', 'tech-lead', 'tester', 'writer'],
  );

  // Four runs, one per level of the chain on this daemon (the server level needs a daemon with PADDOCK_IMAGE set).
  const spawn = async (...args: string[]) => {
    const r = await e.cli(['spawn', ...args, '--detach', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return runOf(r.stdout);
  };
  const r1 = await spawn('--project', 'app', '--agent', 'tester', '--task', 'r1-mark: check it [[script:hello checked]]');
  const r2 = await spawn('--project', 'app', '--task', 'r2-mark: refused [[script:http-error 403 permission_error]]');
  const r3 = await spawn('--project', 'app', '--persona', 'tester', '--image', tag('request'), '--task', 'r3-mark [[script:hello]]');
  const r4 = await spawn('--repo', repo, '--task', 'r4-mark [[script:hello]]');
  assert.deepEqual([r1.image, r2.image, r3.image, r4.image], [tag('persona'), tag('project'), tag('request'), AGENT_IMAGE]);

  const [s1, s2, s3, s4] = await Promise.all([r1, r2, r3, r4].map((r) => ended(e, r.id)));
  assert.equal(s1?.state, 'completed', JSON.stringify(s1));
  assert.equal(s2?.state, 'failed');
  assert.equal(s3?.state, 'completed');
  assert.equal(s4?.state, 'completed');

  // The project's defaults: its base branch, memory and egress addition; the persona's model.
  assert.equal(r1.baseRef, 'dev');
  assert.equal(r4.baseRef, 'main');
  assert.equal(r1.memoryBytes, 600 * 1024 ** 2);
  assert.equal(r1.model, PERSONA_MODEL);
  const net = await d.json('GET', `/api/v1/runs/${r1.id}/network`);
  assert.ok((net.body.allow as string[]).includes('example.org'), JSON.stringify(net.body));
  const note = (await eventsJson(e, r1.id)).find((ev) => ev.kind === 'note' && String(ev.data.message).startsWith('spawned with'));
  assert.equal(note?.data.message, 'spawned with project app and persona tester (image from persona tester)');
  // The project's lifecycle hook ran before the agent (its output is a tagged event); not in the run without a project.
  const hookOut = async (id: string) => (await eventsJson(e, id)).filter((ev) => (ev.data.hook as { name?: string } | undefined)?.name === 'post_start#1').map((ev) => String(ev.data.text));
  assert.ok((await hookOut(r1.id)).includes('project-hook-ran'));
  assert.deepEqual(await hookOut(r4.id), []);

  // The persona's role prompt reached the model in the system prompt, with the persona's model; not for a run without it.
  const requestOf = (mark: string) => e.model.mainRequests().filter((r) => JSON.stringify((r.body as { messages?: unknown }).messages).includes(mark));
  const systemOf = (r: { body: unknown }) => JSON.stringify((r.body as { system?: unknown }).system ?? '');
  const main1 = requestOf('r1-mark');
  assert.ok(main1.length > 0, 'r1 reached the model');
  for (const r of main1) {
    assert.ok(systemOf(r).includes('ROLE-MARKER-7f3a'), 'the role prompt is in the system prompt');
    assert.equal((r.body as { model?: string }).model, PERSONA_MODEL);
  }
  for (const r of requestOf('r4-mark')) assert.ok(!systemOf(r).includes('ROLE-MARKER-7f3a'), 'no persona, no role');

  // Notifications: one file per project run's end, by urgency; none for the run without a project; notify-send called.
  const dir = join(e.home, 'notifications');
  const files = await until(() => {
    const f = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
    return f.length >= 3 ? f : undefined;
  }, 'three notification files');
  const notes = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runId: string; urgency: string; event: string; project: string; persona: string | null; id: string });
  for (const n of notes) assert.ok(files.includes(`${n.id}.json`) && new RegExp(`^\\d+-${n.runId}-${n.event}$`).test(n.id), n.id);
  const byRun = new Map(notes.map((n) => [n.runId, n]));
  assert.deepEqual([byRun.get(r1.id)?.urgency, byRun.get(r1.id)?.event, byRun.get(r1.id)?.persona], ['complete', 'completed', 'tester']);
  assert.deepEqual([byRun.get(r2.id)?.urgency, byRun.get(r2.id)?.event], ['error', 'failed']);
  assert.equal(byRun.get(r3.id)?.urgency, 'complete');
  assert.equal(byRun.has(r4.id), false);
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('.')).length, 0, 'no temporary file left');
  const argvs = await until(() => {
    const lines = existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : [];
    return lines.length >= 3 ? lines.map((l) => l.split('\x1e').slice(0, -1)) : undefined;
  }, 'three notify-send calls');
  const forRun = (id: string) => argvs.find((a) => a.some((s) => s.includes(`run ${id}`)));
  assert.deepEqual(forRun(r1.id)?.slice(0, 4), ['--app-name=Paddock', '--urgency=normal', '--category=paddock.complete', '--']);
  assert.equal(forRun(r2.id)?.[1], '--urgency=critical');

  // A persistent run of the project waiting for its next message: clarification. Stopped between turns, it ends like
  // any run (its input closed: completed), and that is notified too.
  const r7 = await spawn('--project', 'app', '--keep-alive', '--task', 'r7-mark [[script:hello]]');
  const waiting = await until(() => {
    const f = readdirSync(dir).find((n) => n.includes(`-${r7.id}-`));
    return f ? (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { urgency: string; event: string; state: string }) : undefined;
  }, 'the waiting notification');
  assert.deepEqual([waiting.urgency, waiting.event, waiting.state], ['clarification', 'waiting_for_input', 'idle']);
  assert.equal((await e.cli(['stop', r7.id])).code, 0);
  assert.equal((await ended(e, r7.id)).state, 'completed');
  const r7files = await until(() => {
    const f = readdirSync(dir).filter((n) => n.includes(`-${r7.id}-`));
    return f.length >= 2 ? f : undefined;
  }, 'the completed notification');
  assert.deepEqual(r7files.map((n) => n.replace(/^\d+-/, '')).sort(), [`${r7.id}-completed.json`, `${r7.id}-waiting_for_input.json`]);

  // A missing image at each level: a clear error (exit 6) naming the level, and nothing made.
  const before = await leftoverState(e, repo);
  assert.equal((await e.cli(['agent', 'add', 'ghost', '--role', 'x', '--image', 'localhost/paddock-missing-persona:1'])).code, 0);
  assert.equal((await e.cli(['project', 'add', 'broken', '--path', repo, '--image', 'localhost/paddock-missing-project:1'])).code, 0);
  const missing: [string[], RegExp][] = [
    [['--project', 'app', '--image', 'localhost/paddock-missing-request:1'], /image localhost\/paddock-missing-request:1 is not in the engine .*it came from the request/],
    [['--project', 'app', '--persona', 'ghost'], /image localhost\/paddock-missing-persona:1 is not in the engine .*it came from persona ghost/],
    [['--project', 'broken'], /image localhost\/paddock-missing-project:1 is not in the engine .*it came from project broken/],
  ];
  for (const [args, message] of missing) {
    const r = await e.cli(['spawn', ...args, '--task', 'never runs', '--detach']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(await leftoverState(e, repo), before);

  // The server level: a daemon whose PADDOCK_IMAGE is set; missing once it is gone.
  const d2 = await startDaemon(t, { PADDOCK_IMAGE: tag('server') });
  const r5 = await d2.e.cli(['spawn', '--repo', repo, '--task', 'r5-mark [[script:hello]]', '--detach', '--json']);
  assert.equal(r5.code, 0, r5.stderr);
  assert.equal(runOf(r5.stdout).image, tag('server'));
  assert.equal((await ended(d2.e, runOf(r5.stdout).id)).state, 'completed');
  await d2.e.engine.getImage(tag('server')).remove();
  const before2 = await leftoverState(d2.e, repo);
  const r6 = await d2.e.cli(['spawn', '--repo', repo, '--task', 'never runs', '--detach']);
  assert.equal(r6.code, 6, r6.stderr);
  assert.match(r6.stderr, new RegExp(`image ${tag('server').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not in the engine .*it came from the server default, PADDOCK_IMAGE`));
  assert.match(r6.stderr, /change PADDOCK_IMAGE/);
  assert.deepEqual(await leftoverState(d2.e, repo), before2);
});

it('the API: projects and personas CRUD with clear errors; a built-in persona is restored, not removed', async (t) => {
  const d = await startDaemon(t);
  const repo = await makeRepo(t);
  const created = await d.json('POST', '/api/v1/projects', { name: 'web', path: repo, timeout: '45m' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await d.json('POST', '/api/v1/projects', { name: 'web', path: repo })).status, 409);
  const bad = await d.json('POST', '/api/v1/projects', { name: 'x', path: '/nonexistent-dir' });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /nonexistent-dir/);
  const patched = await d.json('PATCH', '/api/v1/projects/web', { timeout: null, base: 'main' });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.timeout, undefined);
  assert.equal(patched.body.base, 'main');
  assert.equal((await d.json('GET', '/api/v1/projects')).body.projects.length, 1);
  assert.equal((await d.json('DELETE', '/api/v1/projects/web')).status, 200);
  assert.equal((await d.json('GET', '/api/v1/projects/web')).status, 404);

  const qa = await d.json('PATCH', '/api/v1/personas/qa', { model: 'opus' });
  assert.equal(qa.body.edited, true);
  assert.deepEqual((await d.json('DELETE', '/api/v1/personas/qa')).body, { name: 'qa', action: 'restored' });
  assert.equal((await d.json('GET', '/api/v1/personas/qa')).body.model, undefined);
  assert.equal((await d.json('POST', '/api/v1/personas', { name: 'qa', rolePrompt: 'x' })).status, 409);
  const spawnUnknown = await d.json('POST', '/api/v1/runs', { persona: 'nobody', repo, task: 't' });
  assert.equal(spawnUnknown.status, 404);
  assert.match(JSON.stringify(spawnUnknown.body), /no persona nobody/);
  const doc = await d.json('GET', '/openapi.json');
  for (const path of ['/api/v1/projects', '/api/v1/projects/{name}', '/api/v1/personas', '/api/v1/personas/{name}']) assert.ok(doc.body.paths?.[path], `${path} is in the OpenAPI document`);
  for (const schema of ['Project', 'Persona']) assert.ok(doc.body.components?.schemas?.[schema], `${schema} is a named schema`);
});
