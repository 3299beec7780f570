/** The Codex adapter without an engine: options, argv, env, the config.toml it writes, and the JSONL parser. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCodexArgv, codexAdapter, codexConfigToml, codexLineParser, parseCodexLine, parseCodexOptions } from '../../src/agents/codex/index.ts';
import { agentFor } from '../../src/app/agents.ts';
import { PaddockError } from '../../src/errors/index.ts';

const THREAD = '01a23205-fda3-7ab2-b650-c719a8b6e7df';

describe('codex options', () => {
  it('takes model, reasoning_effort and append_system_prompt; refuses Claude-only and unknown fields saying why', () => {
    assert.deepEqual(parseCodexOptions({ model: 'gpt-5.5', reasoning_effort: 'low' }), { model: 'gpt-5.5', reasoning_effort: 'low' });
    assert.deepEqual(parseCodexOptions(undefined), {});
    const e = (() => {
      try {
        parseCodexOptions({ max_turns: 3, frobnicate: 1 });
      } catch (err) {
        return err as PaddockError;
      }
      return undefined;
    })();
    assert.ok(e instanceof PaddockError);
    assert.match(e.message, /max_turns is not supported \(Codex has no turn limit/);
    assert.match(e.message, /unknown field frobnicate/);
    assert.match(String(e.hint), /accepted fields: model, reasoning_effort, append_system_prompt/);
    assert.throws(() => parseCodexOptions({ reasoning_effort: 'huge' }), /reasoning_effort/);
  });
});

describe('codex argv and env', () => {
  it('exec --json with approvals and its sandbox off (the container is the sandbox), the prompt after --', () => {
    assert.deepEqual(buildCodexArgv('-fix it', { model: 'gpt-5.5' }, { sessionId: 'x', resume: false }), [
      'codex',
      'exec',
      '--json',
      '--dangerously-bypass-approvals-and-sandbox',
      '--skip-git-repo-check',
      '-m',
      'gpt-5.5',
      '--',
      '-fix it',
    ]);
    assert.deepEqual(buildCodexArgv('go', { reasoning_effort: 'high', append_system_prompt: 'Be "brief".\nReally.' }, { sessionId: THREAD, resume: true }).slice(5), [
      '-c',
      'model_reasoning_effort="high"',
      '-c',
      'developer_instructions="Be \\"brief\\".\\nReally."',
      'resume',
      THREAD,
      '--',
      'go',
    ]);
    assert.throws(() => buildCodexArgv('go', {}, { sessionId: '--last', resume: true }), /not a Codex thread id/);
    assert.throws(() => codexAdapter.buildArgv('go', {}, { sessionId: THREAD, resume: false, persistent: true }), /cannot be persistent/);
  });

  it('gets the run token as its provider env_key, never a real key; is registered as codex on the openai vendor', () => {
    assert.deepEqual(codexAdapter.buildEnv({ baseUrl: 'http://127.0.0.1:4000', token: 'pdk_t' }), { PADDOCK_MODEL_TOKEN: 'pdk_t', CODEX_HOME: '/home/agent/.codex' });
    assert.equal(agentFor('codex'), codexAdapter);
    assert.equal(codexAdapter.vendor, 'openai');
  });

  it('config.toml: the gateway as a responses provider, plugins, analytics, update checks and web search off, finite retries', () => {
    const toml = codexConfigToml('http://127.0.0.1:4000/');
    for (const line of [
      'model_provider = "paddock"',
      'base_url = "http://127.0.0.1:4000/v1"',
      'env_key = "PADDOCK_MODEL_TOKEN"',
      'wire_api = "responses"',
      'request_max_retries = 1',
      'stream_max_retries = 1',
      'plugins = false',
      'unbounded_connection_retries = false',
      'check_for_update_on_startup = false',
      'web_search = "disabled"',
      '[analytics]\nenabled = false',
    ])
      assert.ok(toml.includes(line), line);
  });
});

describe('codex parser', () => {
  const lines = [
    { type: 'thread.started', thread_id: THREAD },
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'I will create hello.txt.' } },
    { type: 'item.started', item: { id: 'item_1', type: 'command_execution', command: "/bin/bash -lc 'echo hi'", aggregated_output: '', exit_code: null, status: 'in_progress' } },
    { type: 'item.completed', item: { id: 'item_1', type: 'command_execution', command: "/bin/bash -lc 'echo hi'", aggregated_output: 'hi\n', exit_code: 0, status: 'completed' } },
    { type: 'item.started', item: { id: 'item_2', type: 'file_change', changes: [{ path: '/workspace/a.txt', kind: 'add' }], status: 'in_progress' } },
    { type: 'item.completed', item: { id: 'item_2', type: 'file_change', changes: [{ path: '/workspace/a.txt', kind: 'add' }], status: 'completed' } },
    { type: 'item.completed', item: { id: 'item_3', type: 'agent_message', text: 'Done.' } },
    { type: 'turn.completed', usage: { input_tokens: 2000, cached_input_tokens: 400, cache_write_input_tokens: 0, output_tokens: 100, reasoning_output_tokens: 0 } },
  ].map((o) => JSON.stringify(o));

  it('maps each event; a run’s parser gives the result its last message and the thread id', () => {
    const parse = codexLineParser();
    const events = lines.flatMap(parse);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['init', 'text', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'text', 'result'],
    );
    assert.deepEqual(events[0], { kind: 'init', sessionId: THREAD, model: '', cwd: '', tools: ['shell', 'apply_patch'] });
    assert.deepEqual(events[2], { kind: 'tool_use', id: 'item_1', name: 'shell', input: { command: "/bin/bash -lc 'echo hi'" } });
    assert.deepEqual(events[3], { kind: 'tool_result', toolUseId: 'item_1', content: 'hi\n', isError: false });
    assert.deepEqual(events[5], { kind: 'tool_result', toolUseId: 'item_2', content: 'add /workspace/a.txt', isError: false });
    const r = events.at(-1)!;
    assert.ok(r.kind === 'result');
    assert.equal(r.result, 'Done.');
    assert.equal(r.sessionId, THREAD);
    assert.deepEqual(r.usage, { inputTokens: 1600, outputTokens: 100, cacheReadTokens: 400, cacheCreationTokens: 0 });
    // One line alone: the same events, but the result knows no text or thread.
    const alone = parseCodexLine(lines.at(-1)!)[0]!;
    assert.ok(alone.kind === 'result' && alone.result === '' && alone.sessionId === '');
  });

  it('a failed command, a failed turn, stream errors, unknown items and non-JSON lines', () => {
    const one = (o: object) => parseCodexLine(JSON.stringify(o));
    assert.deepEqual(one({ type: 'item.completed', item: { id: 'i', type: 'command_execution', command: 'x', aggregated_output: 'failing\n', exit_code: 3, status: 'failed' } }), [
      { kind: 'tool_result', toolUseId: 'i', content: 'failing\n', isError: true },
    ]);
    const failed = one({ type: 'turn.failed', error: { message: 'unexpected status 502' } })[0]!;
    assert.ok(failed.kind === 'result' && failed.isError && failed.subtype === 'error_during_execution' && failed.result === 'unexpected status 502');
    assert.deepEqual(one({ type: 'error', message: 'Reconnecting... 1/1' }), [{ kind: 'error', message: 'Reconnecting... 1/1' }]);
    assert.deepEqual(one({ type: 'item.completed', item: { id: 'e', type: 'error', message: 'Model metadata not found' } }), [{ kind: 'error', message: 'Model metadata not found' }]);
    assert.equal(one({ type: 'item.updated', item: { id: 't', type: 'todo_list', items: [] } })[0]!.kind, 'other');
    assert.deepEqual(one({ type: 'turn.started' }), []);
    assert.deepEqual(parseCodexLine('not json'), [{ kind: 'other', type: 'raw', data: 'not json' }]);
    assert.deepEqual(parseCodexLine(''), []);
  });
});
