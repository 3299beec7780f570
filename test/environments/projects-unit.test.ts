/**
 * Projects and personas without an engine: the image chain level by level, the precedence of request > persona >
 * project > server default, the built-in roles (editable, restorable, not deletable), project checks, the
 * notification classes and their file and notify-send argv.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig, openPaddock, type Paddock } from '../../src/app/index.ts';
import { chooseImage, missingImageHint, PADDOCK_AGENT_IMAGE } from '../../src/app/image-chain.ts';
import { classify, findNotifySend, notifySendArgs, plainText } from '../../src/app/notifications/index.ts';
import { writeNotification } from '../../src/app/notifications/folder.ts';
import { addPersona, BUILTIN_PERSONAS, listPersonas, removePersona, setPersona, showPersona } from '../../src/app/personas.ts';
import { addProject, removeProject, setProject, showProject } from '../../src/app/projects.ts';
import { applyProfile, profileOfRun } from '../../src/app/spawn-profile.ts';
import { runProfiles } from '../../src/app/projects.ts';
import { coordinatorToolArgs } from '../../src/app/coordinator.ts';
import { runRow } from '../fixtures/run-row.ts';
import { spawnInputSchema } from '../../src/app/spawn-input.ts';
import { makeRepo } from '../e2e/harness.ts';

function paddock(t: TestContext, env: Record<string, string> = {}): Paddock {
  const home = mkdtempSync(join(tmpdir(), 'paddock-projects-unit-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home, ...env }));
  t.after(async () => {
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  return p;
}

describe('image chain', () => {
  const persona = { name: 'qa', image: 'localhost/paddock-qa:1' };
  const project = { name: 'app', image: 'localhost/paddock-app:1' };
  it('picks each level in turn: request, persona, project, server default, base', () => {
    assert.deepEqual(chooseImage({ request: 'r:1', persona, project, serverDefault: 's:1' }), { image: 'r:1', level: 'request', from: 'the request' });
    assert.deepEqual(chooseImage({ persona, project, serverDefault: 's:1' }), { image: persona.image, level: 'persona', from: 'persona qa' });
    assert.deepEqual(chooseImage({ persona: { name: 'qa' }, project, serverDefault: 's:1' }), { image: project.image, level: 'project', from: 'project app' });
    assert.deepEqual(chooseImage({ persona: { name: 'qa' }, project: { name: 'app' }, serverDefault: 's:1' }), { image: 's:1', level: 'server', from: 'the server default, PADDOCK_IMAGE' });
    assert.equal(chooseImage({ serverDefault: PADDOCK_AGENT_IMAGE }).level, 'base');
  });
  it("the base level is the config's own default image; each level has a hint that says what to change", () => {
    assert.equal(loadConfig({ PADDOCK_HOME: '/nonexistent' }).image, PADDOCK_AGENT_IMAGE);
    assert.match(missingImageHint(chooseImage({ persona, serverDefault: PADDOCK_AGENT_IMAGE })), /paddock agent set qa --image/);
    assert.match(missingImageHint(chooseImage({ project, serverDefault: PADDOCK_AGENT_IMAGE })), /paddock project set app --image/);
    assert.match(missingImageHint(chooseImage({ serverDefault: 'x:1' })), /PADDOCK_IMAGE/);
    assert.match(missingImageHint(chooseImage({ serverDefault: PADDOCK_AGENT_IMAGE })), /paddock image build/);
  });
});

describe('personas', () => {
  it('the built-in roles are in a fresh database; an edit is kept, rm restores it, and none can be added over or removed', (t) => {
    const p = paddock(t);
    const names = listPersonas(p).map((v) => v.name);
    for (const n of ['tech-lead', 'engineer', 'qa', 'reviewer', 'writer', 'devops', 'analytics']) assert.ok(names.includes(n), n);
    assert.equal(showPersona(p, 'qa').rolePrompt, BUILTIN_PERSONAS.qa?.rolePrompt);
    const edited = setPersona(p, 'qa', { model: 'opus', timeout: '1h' });
    assert.equal(edited.model, 'opus');
    assert.equal(edited.edited, true);
    assert.equal(edited.rolePrompt, BUILTIN_PERSONAS.qa?.rolePrompt, 'the rest of the role stays');
    assert.throws(() => addPersona(p, { name: 'qa', rolePrompt: 'x' }), /built-in persona/);
    assert.deepEqual(removePersona(p, 'qa'), { name: 'qa', action: 'restored' });
    assert.equal(showPersona(p, 'qa').edited, false);
    assert.equal(showPersona(p, 'qa').model, undefined);
    assert.deepEqual(removePersona(p, 'qa'), { name: 'qa', action: 'unchanged' });
    assert.ok(
      listPersonas(p).some((v) => v.name === 'qa'),
      'still there',
    );
  });
  it('a stored persona: added, changed (null clears), removed; bad input names the field', (t) => {
    const p = paddock(t);
    addPersona(p, { name: 'dba', rolePrompt: 'You are a DBA.', model: 'sonnet', allowedTools: ['Bash(psql *)'] });
    assert.equal(setPersona(p, 'dba', { model: null }).model, undefined);
    assert.throws(() => addPersona(p, { name: 'dba', rolePrompt: 'again' }), /already exists/);
    assert.throws(() => addPersona(p, { name: 'Bad Name', rolePrompt: 'x' }), /name/);
    assert.throws(() => addPersona(p, { name: 'x', rolePrompt: 'x', disallowedTools: ['--evil'] }), /must not start with "-"/);
    assert.throws(() => addPersona(p, { name: 'x', rolePrompt: 'x', memory: '10m' }), /below 64m/);
    assert.throws(() => addPersona(p, { name: 'x', rolePrompt: 'x', timeout: '999h' }), /above the longest allowed/);
    assert.deepEqual(removePersona(p, 'dba'), { name: 'dba', action: 'removed' });
    assert.throws(() => showPersona(p, 'dba'), /no persona dba/);
  });
});

describe('projects', () => {
  it('a project is a git repository (stored as its top level), with checked limits, rules and webhook', async (t) => {
    const p = paddock(t);
    const repo = await makeRepo(t);
    const v = await addProject(p, { name: 'app', path: join(repo, 'src'), base: 'main', memory: '1g', allow: ['registry.npmjs.org'] });
    assert.equal(v.path, repo);
    assert.deepEqual(v.notifications, { folder: true, desktop: true });
    await assert.rejects(addProject(p, { name: 'app', path: repo }), /already exists/);
    await assert.rejects(addProject(p, { name: 'nogit', path: tmpdir() }), /git/i);
    await assert.rejects(addProject(p, { name: 'bad', path: repo, allow: ['not a host!'] }), /invalid allow rule/);
    await assert.rejects(addProject(p, { name: 'bad', path: repo, notifications: { folder: true, desktop: true, webhookUrl: 'http://127.0.0.1:9/x' } }), /private|loopback/i);
    const changed = await setProject(p, 'app', { memory: null, image: 'localhost/paddock-x:1', notifications: { folder: false, desktop: true } });
    assert.equal(changed.memory, undefined);
    assert.equal(changed.image, 'localhost/paddock-x:1');
    assert.equal(changed.notifications.folder, false);
    assert.deepEqual(removeProject(p, 'app'), { removed: 'app', runs: 0 });
    assert.throws(() => showProject(p, 'app'), /no project app/);
  });

  it('spawn defaults: request > persona > project > server default, for every setting', async (t) => {
    const p = paddock(t);
    const repo = await makeRepo(t);
    await addProject(p, { name: 'app', path: repo, base: 'main', image: 'localhost/paddock-app:1', memory: '1g', cpus: 2, timeout: '20m', allow: ['example.org'] });
    addPersona(p, { name: 'tester', rolePrompt: 'You test.', model: 'opus', image: 'localhost/paddock-qa:1', memory: '2g', allowedTools: ['Bash'], disallowedTools: ['Write'] });
    const parse = (x: Record<string, unknown>) => spawnInputSchema.parse({ task: 't', ...x });

    const both = applyProfile(p, parse({ project: 'app', persona: 'tester' }));
    assert.equal(both.req.repo, repo, 'the project gives the repository');
    assert.equal(both.req.base, 'main');
    assert.equal(both.req.memory, '2g', 'persona over project');
    assert.equal(both.req.cpus, 2, 'project where the persona is silent');
    assert.equal(both.req.timeout, '20m');
    assert.equal(both.req.pids, undefined, 'server default');
    assert.equal(both.req.model, 'opus');
    assert.deepEqual(both.req.network?.allow, ['example.org']);
    assert.equal(both.req.agentOptions.append_system_prompt, 'You test.');
    assert.deepEqual(both.req.agentOptions.allowed_tools, ['Bash']);
    assert.deepEqual(both.req.agentOptions.disallowed_tools, ['Write']);
    assert.equal(chooseImage(both.imageChain(PADDOCK_AGENT_IMAGE)).image, 'localhost/paddock-qa:1');

    const explicit = applyProfile(
      p,
      parse({
        project: 'app',
        persona: 'tester',
        repo: '/elsewhere',
        base: 'dev',
        memory: '3g',
        model: 'haiku',
        image: 'i:1',
        network: { allow: ['a.example'] },
        agentOptions: { append_system_prompt: 'mine', allowed_tools: ['Read'] },
      }),
    );
    assert.equal(explicit.req.repo, '/elsewhere');
    assert.equal(explicit.req.base, 'dev');
    assert.equal(explicit.req.memory, '3g');
    assert.equal(explicit.req.model, 'haiku');
    assert.deepEqual(explicit.req.network?.allow, ['a.example', 'example.org'], "the project's egress additions join the request's");
    assert.equal(explicit.req.agentOptions.append_system_prompt, 'mine');
    assert.deepEqual(explicit.req.agentOptions.allowed_tools, ['Read']);
    assert.equal(chooseImage(explicit.imageChain(PADDOCK_AGENT_IMAGE)).level, 'request');

    // No base where it cannot apply (an existing branch, the working tree), no egress additions for network none.
    assert.equal(applyProfile(p, parse({ project: 'app', reuseBranch: true, branch: 'x' })).req.base, undefined);
    assert.equal(applyProfile(p, parse({ project: 'app', withChanges: true })).req.base, undefined);
    assert.deepEqual(applyProfile(p, parse({ project: 'app', network: { mode: 'none' } })).req.network, { mode: 'none', allow: [] });
    assert.throws(() => applyProfile(p, parse({ project: 'nope' })), /no project nope/);

    // Hooks: request > persona > project (whole lifecycles); services: the project's when the request names none.
    await setProject(p, 'app', { lifecycle: { postStart: ['echo project'] }, services: [{ name: 'db', image: 'localhost/paddock-pg:1' }] });
    assert.deepEqual(applyProfile(p, parse({ project: 'app' })).req.lifecycle?.postStart, ['echo project']);
    assert.deepEqual(
      applyProfile(p, parse({ project: 'app' })).req.services?.map((x) => x.name),
      ['db'],
    );
    setPersona(p, 'tester', { lifecycle: { onCreate: ['echo persona'] } });
    assert.deepEqual(applyProfile(p, parse({ project: 'app', persona: 'tester' })).req.lifecycle?.onCreate, ['echo persona']);
    assert.deepEqual(applyProfile(p, parse({ project: 'app', persona: 'tester', lifecycle: { postStart: ['echo mine'] } })).req.lifecycle?.postStart, ['echo mine']);
    assert.deepEqual(
      applyProfile(p, parse({ project: 'app', services: [{ name: 'cache', image: 'localhost/paddock-redis:1' }] })).req.services?.map((x) => x.name),
      ['cache'],
    );
    await assert.rejects(setProject(p, 'app', { lifecycle: { postStart: ['x'], hooksTimeout: '999h' } }), /hooks timeout/);
    await assert.rejects(
      setProject(p, 'app', {
        services: [
          { name: 'a', image: 'i:1' },
          { name: 'a', image: 'i:1' },
        ],
      }),
      /two services are named a/,
    );
    assert.throws(() => applyProfile(p, parse({ persona: 'nope' })), /no persona nope/);
  });
});

describe('runs and their profile', () => {
  it("a resume carries the run's project and persona while they exist; a coordinator may name a persona, not a project", async (t) => {
    const p = paddock(t);
    const repo = await makeRepo(t);
    await addProject(p, { name: 'app', path: repo });
    addPersona(p, { name: 'dba', rolePrompt: 'You are a DBA.' });
    p.runs.insert(runRow('abcdef012345', { repo, coordinator: true }));
    runProfiles(p).set('abcdef012345', { project: 'app', persona: 'dba' });
    assert.deepEqual(profileOfRun(p, 'abcdef012345'), { project: 'app', persona: 'dba' });
    removeProject(p, 'app');
    removePersona(p, 'dba');
    assert.deepEqual(profileOfRun(p, 'abcdef012345'), {}, 'gone since: the resume goes on without them');
    assert.throws(() => coordinatorToolArgs(p, 'abcdef012345', 'spawn_run', { task: 't', project: 'app' }), /project is not allowed/);
    assert.equal(coordinatorToolArgs(p, 'abcdef012345', 'spawn_run', { task: 't', persona: 'qa' }).persona, 'qa');
    assert.deepEqual(coordinatorToolArgs(p, 'abcdef012345', 'list_personas', {}), {});
    assert.throws(() => coordinatorToolArgs(p, 'abcdef012345', 'list_projects', {}), /not allowed from inside a run/);
  });
});

describe('notifications', () => {
  it('urgency by state: complete, error (failed, budget, timeout, crash, stall), clarification (waiting); none for a cancel', () => {
    assert.deepEqual(classify('completed', null), { event: 'completed', urgency: 'complete' });
    assert.deepEqual(classify('failed', 'exit code 1'), { event: 'failed', urgency: 'error' });
    assert.deepEqual(classify('failed', 'budget_exceeded: $2.1 spent of the $2 budget'), { event: 'budget_exceeded', urgency: 'error' });
    assert.deepEqual(classify('failed', 'disk budget exceeded: 2 GiB'), { event: 'budget_exceeded', urgency: 'error' });
    assert.equal(classify('timed_out', null)?.urgency, 'error');
    assert.equal(classify('crashed', null)?.urgency, 'error');
    assert.deepEqual(classify('stalled', null), { event: 'stalled', urgency: 'error' });
    assert.deepEqual(classify('idle', null), { event: 'waiting_for_input', urgency: 'clarification' });
    assert.equal(classify('cancelled', null), undefined);
    assert.equal(classify('running', null), undefined);
  });
  it('hostile text is flattened and bounded; notify-send gets it after "--", markup escaped', () => {
    assert.equal(plainText('a\x1b]0;pwn\x07b\n\u202ec\u2028d', 100), 'a ]0;pwn b c d');
    assert.equal(plainText('x'.repeat(50), 10).length, 10);
    const args = notifySendArgs('error', '--help', '<b>bold</b> & co');
    assert.deepEqual(args, ['--app-name=Paddock', '--urgency=critical', '--category=paddock.error', '--', '--help', '&lt;b&gt;bold&lt;/b&gt; &amp; co']);
  });
  it('notify-send is looked up on absolute PATH entries only; a file appears whole, named by time, run and event only', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-notify-unit-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'notify-send'), '#!/bin/sh\n');
    chmodSync(join(dir, 'notify-send'), 0o755);
    assert.equal(findNotifySend(`relative:${dir}`), join(dir, 'notify-send'));
    assert.equal(findNotifySend('relative:/nonexistent'), undefined);
    const base = {
      version: 1 as const,
      urgency: 'complete' as const,
      event: 'completed' as const,
      runId: 'abcdef012345',
      project: 'app',
      persona: null,
      state: 'completed',
      reason: null,
      title: 't',
      message: 'm',
      branch: 'b',
      repo: '/r',
      createdAt: '',
    };
    const file = writeNotification(join(dir, 'n'), { ...base, id: '1700000000000-abcdef012345-completed' });
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).urgency, 'complete');
    assert.deepEqual(readdirSync(join(dir, 'n')), ['1700000000000-abcdef012345-completed.json']);
    assert.throws(() => writeNotification(join(dir, 'n'), { ...base, id: '../../etc/x' }), /not <ms>-<run id>-<event>/);
  });
});
