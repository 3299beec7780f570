/** Interactive runs without an engine (docs/shell.md): the TTY spec, the shell request, control messages, outcomes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shellInputSchema, terminalControlSchema } from '../../src/app/shell.ts';
import { interactiveClaudeArgv, SHELL_ARGV } from '../../src/app/shell-argv.ts';
import { buildClaudeArgv } from '../../src/agents/claude/argv.ts';
import { outcome } from '../../src/jobs/supervisor.ts';
import { buildAgentContainerSpec } from '../../src/runtime/index.ts';
import { runRow } from '../fixtures/run-row.ts';

describe('the container spec of an interactive run', () => {
  const input = {
    instance: 'i',
    runId: 'abcdef012345',
    sessionId: 's',
    name: 'paddock-abcdef012345',
    image: 'localhost/paddock-agent:latest',
    argv: SHELL_ARGV,
    env: { TERM: 'xterm-256color' },
    identity: { uid: 1_000_123, gid: 1_000_123, passwdFile: '/h/passwd', groupFile: '/h/group' },
    checkoutDir: '/h/runs/x/src',
    sessionVolume: 'paddock-home-s',
    relayDir: '/h/runs/x/relay',
    limits: { memoryBytes: 512 * 1024 ** 2, cpus: 1, pids: 512 },
    engine: 'podman' as const,
  };

  it('has a TTY and an open stdin that a detach does not close; nothing else differs from a headless run', () => {
    const headless = buildAgentContainerSpec(input) as unknown as Record<string, unknown>;
    const tty = buildAgentContainerSpec({ ...input, tty: true }) as unknown as Record<string, unknown>;
    assert.deepEqual([headless.Tty, headless.OpenStdin, headless.AttachStdin], [false, false, false]);
    assert.deepEqual([tty.Tty, tty.OpenStdin, tty.AttachStdin, tty.StdinOnce], [true, true, true, false]);
    const { Tty: _a, OpenStdin: _b, AttachStdin: _c, ...restTty } = tty;
    const { Tty: _d, OpenStdin: _e, AttachStdin: _f, ...restHeadless } = headless;
    assert.deepEqual(restTty, restHeadless, 'the same jail: user, limits, network, seccomp, read-only root, mounts');
  });

  it('runs a login shell: bash where the image has it, else sh', () => {
    assert.equal(SHELL_ARGV[0], '/bin/sh');
    assert.match(SHELL_ARGV.at(-1) ?? '', /exec bash -l.*exec sh -l/);
  });
});

describe('spawn --interactive: Claude Code on a terminal', () => {
  it('is the headless argv without its print-mode flags, after a ~/.claude.json that answers the first-start dialogs', () => {
    const headless = buildClaudeArgv('do it', { model: 'sonnet' }, { sessionId: 'sess', resume: false });
    const argv = interactiveClaudeArgv(headless);
    assert.deepEqual(argv.slice(0, 2), ['/bin/sh', '-c']);
    assert.deepEqual(argv.slice(3), ['paddock-interactive', 'claude', ...headless.slice(5)]);
    assert.ok(!argv.includes('-p') && !argv.includes('stream-json'));
    assert.deepEqual(argv.slice(-2), ['--', 'do it'], 'the task is still the prompt, after --');
    for (const key of ['hasCompletedOnboarding', 'hasTrustDialogAccepted', 'bypassPermissionsModeAccepted', 'customApiKeyResponses']) assert.match(argv[2] ?? '', new RegExp(key));
  });

  it('refuses an argv it does not know (another CLI, or a changed print mode)', () => {
    assert.throws(() => interactiveClaudeArgv(['codex', 'exec', '--json', '--', 'x']), /no interactive form/);
    assert.throws(() => interactiveClaudeArgv(['claude', '--print', '--', 'x']), /no interactive form/);
  });
});

describe('the shell request and the terminal control messages', () => {
  it('a shell run takes a workspace, image, limits and network, but no task or agent options', () => {
    assert.equal(shellInputSchema.safeParse({ repo: '/r', image: 'localhost/paddock-python', memory: '1g', network: { mode: 'none' } }).success, true);
    for (const extra of [{ task: 'x' }, { agentOptions: {} }, { keepAlive: true }, { coordinator: true }]) {
      assert.equal(shellInputSchema.safeParse({ repo: '/r', ...extra }).success, false, JSON.stringify(extra));
    }
  });

  it('a control message is a resize within bounds; anything else is refused', () => {
    assert.deepEqual(terminalControlSchema.parse({ type: 'resize', cols: 120, rows: 40 }), { type: 'resize', cols: 120, rows: 40 });
    for (const bad of [{ type: 'resize', cols: 0, rows: 40 }, { type: 'resize', cols: 120.5, rows: 40 }, { type: 'resize', cols: 5000, rows: 40 }, { type: 'exec', cmd: 'id' }, {}]) {
      assert.equal(terminalControlSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});

describe('how a shell run ends', () => {
  const exited = { id: 'c', name: 'c', image: 'i', labels: {}, status: 'exited', running: false, exitCode: 0, oomKilled: false, startedAt: null, finishedAt: null, error: '' };
  it('the shell exiting is a completed run; a non-zero exit is the shell’s, not an agent’s', () => {
    const run = runRow('aaaaaaaaaaaa', { interactive: 'shell' });
    assert.deepEqual(outcome(run, exited, 0, undefined), { state: 'completed', reason: 'the shell exited' });
    assert.deepEqual(outcome(run, { ...exited, exitCode: 2 }, 2, undefined), { state: 'failed', reason: 'the shell exited with code 2' });
    assert.equal(outcome(runRow('bbbbbbbbbbbb'), exited, 0, undefined).reason, 'the agent finished');
    assert.equal(outcome({ ...run, stopRequested: 'user' }, exited, 137, undefined).state, 'cancelled');
  });
});
