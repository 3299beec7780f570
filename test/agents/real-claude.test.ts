/**
 * The REAL Claude Code CLI (2.1.332, on the host, as an unprivileged user) against the scripted model, with argv and
 * env built by the Claude adapter. Skipped, with the reason, when the binary is not in the cache dir.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ClaudeOptionsInput, claudeAdapter } from '../../src/agents/claude/index.ts';
import type { AgentEvent } from '../../src/agents/types.ts';
import { makeClaudeDir, realClaudeSkipReason, runRealClaude } from '../fixtures/scripted-model/real-claude.ts';
import { type ScriptedModel, startScriptedModel } from '../fixtures/scripted-model/server.ts';

const skip = realClaudeSkipReason();
const TOKEN = 'pdk_per-run-token-e2e';

interface Run {
  code: number | null;
  events: AgentEvent[];
  stderr: string;
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function place(): { cwd: string; home: string } {
  const cwd = makeClaudeDir('paddock-cc-work-');
  const home = makeClaudeDir('paddock-cc-home-');
  dirs.push(cwd, home);
  return { cwd, home };
}

async function claude(
  model: ScriptedModel,
  where: { cwd: string; home: string },
  prompt: string,
  o: { options?: ClaudeOptionsInput; sessionId?: string; resume?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const options = claudeAdapter.parseOptions(o.options ?? {});
  const argv = claudeAdapter.buildArgv(prompt, options, { sessionId: o.sessionId ?? crypto.randomUUID(), resume: o.resume ?? false });
  const r = await runRealClaude({ args: argv.slice(1), ...where, env: { ...claudeAdapter.buildEnv({ baseUrl: model.url, token: TOKEN }), ...o.env }, timeoutMs: 90_000 });
  assert.ok(!r.timedOut, `the CLI timed out; stderr: ${r.stderr}`);
  return { code: r.code, stderr: r.stderr, events: r.lines.flatMap((l) => claudeAdapter.parseLine(l)) };
}

const resultOf = (run: Run) => {
  const r = run.events.filter((e) => e.kind === 'result');
  assert.equal(r.length, 1, `one result event; stderr: ${run.stderr}`);
  return r[0] as Extract<AgentEvent, { kind: 'result' }>;
};

// Skip each test (not only the suite), so the runner counts them as skipped, with the reason.
const test = (name: string, fn: () => Promise<void>) => it(name, { skip }, fn);

describe('real Claude Code CLI against the scripted model', () => {
  let model: ScriptedModel;
  after(() => model?.close());

  test('Write then Bash then text: exit 0, the file exists, every request carried the per-run token', async () => {
    model = await startScriptedModel();
    const where = place();
    const sessionId = crypto.randomUUID();
    const run = await claude(model, where, 'Create hello.txt [[script:write-and-bash]]', { sessionId });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(join(where.cwd, 'hello.txt'), 'utf8'), 'hello from paddock\n');

    const init = run.events.find((e) => e.kind === 'init');
    assert.ok(init?.kind === 'init');
    assert.equal(init.sessionId, sessionId);
    assert.equal(init.cwd, where.cwd);
    const toolResults = run.events.filter((e) => e.kind === 'tool_result');
    assert.deepEqual(
      toolResults.map((t) => t.kind === 'tool_result' && t.isError),
      [false, false],
    );
    assert.equal(toolResults[1]?.kind === 'tool_result' && toolResults[1].content, 'hello from paddock\ndone');
    const r = resultOf(run);
    assert.equal(r.subtype, 'success');
    assert.equal(r.result, 'Created hello.txt and printed it.');
    assert.deepEqual(r.usage, { inputTokens: 3000, outputTokens: 150, cacheReadTokens: 0, cacheCreationTokens: 0 });

    const main = model.mainRequests('write-and-bash');
    assert.deepEqual(
      main.map((q) => q.step),
      [0, 1, 2],
    );
    assert.deepEqual(
      model.requests.filter((q) => q.kind !== 'main'),
      [],
      'with the adapter env: no probe, no auxiliary calls',
    );
    for (const q of model.requests) {
      assert.equal(q.headers['x-api-key'], TOKEN);
      assert.equal(q.headers.authorization, undefined);
      assert.equal(q.headers['x-claude-code-session-id'], sessionId);
      assert.ok(!JSON.stringify(q.headers).includes('sk-ant'), 'never a real key');
      assert.equal(q.url, '/v1/messages?beta=true');
      assert.equal((q.body as { stream?: boolean }).stream, true);
    }
  });

  test('--resume in a second invocation (same HOME and cwd) continues the session at the next step', async () => {
    model ??= await startScriptedModel();
    const where = place();
    const sessionId = crypto.randomUUID();
    const first = await claude(model, where, 'Question one [[script:two-turns]]', { sessionId });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(resultOf(first).result, 'First answer.');
    const second = await claude(model, where, 'Question two', { sessionId, resume: true });
    assert.equal(second.code, 0, second.stderr);
    const r = resultOf(second);
    assert.equal(r.result, 'Second answer, after resuming.');
    assert.equal(r.sessionId, sessionId);
    const last = model.mainRequests('two-turns').at(-1)!;
    assert.equal(last.step, 1);
    const messages = (last.body as { messages: { role: string }[] }).messages;
    assert.ok(
      messages.some((m) => m.role === 'assistant'),
      'the first answer was sent back as history',
    );
    assert.ok(existsSync(join(where.home, '.claude', 'projects')), 'sessions live under HOME/.claude/projects');
  });

  test('several CLIs at once on one server, each its own script', async () => {
    model ??= await startScriptedModel();
    const runs = await Promise.all([claude(model, place(), 'A [[script:bash echo alpha]]'), claude(model, place(), 'B [[script:bash echo beta]]'), claude(model, place(), 'C [[script:write-file]]')]);
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0, 0],
    );
    const outputs = runs.map((r) => r.events.find((e) => e.kind === 'tool_result'));
    assert.equal(outputs[0]?.kind === 'tool_result' && outputs[0].content, 'alpha');
    assert.equal(outputs[1]?.kind === 'tool_result' && outputs[1].content, 'beta');
    assert.equal(resultOf(runs[2]!).result, 'Created hello.txt.');
  });

  test('adapter options reach the CLI: model, appended system prompt, max_turns; a prompt starting with "-" is fine', async () => {
    model ??= await startScriptedModel();
    const before = model.requests.length;
    const run = await claude(model, place(), '--not-a-flag [[script:write-and-bash]]', {
      options: { model: 'claude-sonnet-4-5', append_system_prompt: 'Paddock marker 7d1f.', max_turns: 1, allowed_tools: ['Read', 'Write'] },
    });
    assert.equal(run.code, 1, 'max_turns 1 stops the three-step script');
    assert.equal(resultOf(run).subtype, 'error_max_turns');
    const req = model.requests[before]!;
    const b = req.body as { model: string; system: { text: string }[]; messages: { content: { text?: string }[] }[] };
    assert.equal(b.model, 'claude-sonnet-4-5');
    assert.ok(b.system.some((s) => s.text.includes('Paddock marker 7d1f.')));
    assert.ok(b.messages[0]!.content.some((c) => c.text === '--not-a-flag [[script:write-and-bash]]'));
  });

  test('an upstream that stays overloaded: the CLI gives up, exit 1, an error event and an error result', async () => {
    model ??= await startScriptedModel();
    const before = model.requests.length;
    const run = await claude(model, place(), 'Anything [[script:overloaded]]');
    assert.equal(run.code, 1);
    assert.ok(run.events.some((e) => e.kind === 'error' && /529/.test(e.message)));
    assert.equal(resultOf(run).isError, true);
    assert.equal(model.requests.length - before, 3, '2.1.332 tries three times on 529 before giving up');
  });
});
