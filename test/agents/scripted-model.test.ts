/** The scripted model server, over HTTP (the real CLI against it is in real-claude.test.ts). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AUXILIARY_TEXT,
  AUXILIARY_USAGE,
  BUILTIN_SCRIPTS,
  DEFAULT_STEP_USAGE,
  findCwd,
  type ScriptedModel,
  selectScript,
  startScriptedModel,
  THINKING_SIGNATURE,
} from '../fixtures/scripted-model/server.ts';

type Json = Record<string, any>;

const TOOLS = [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' } }];

/** A request body shaped like Claude Code's: reminder + prompt in the first user message, a role:"system" message. */
function body(prompt: string, opts: { assistants?: number; stream?: boolean; tools?: unknown[]; cwd?: string } = {}): Json {
  const messages: Json[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>\nAttribution …\n</system-reminder>\n' },
        { type: 'text', text: prompt },
      ],
    },
    { role: 'system', content: [{ type: 'text', text: `# Environment\n - Primary working directory: ${opts.cwd ?? '/workspace'}\n` }] },
  ];
  for (let i = 0; i < (opts.assistants ?? 0); i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: {} }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: 'ok' }] });
  }
  return { model: 'claude-test-model', max_tokens: 1000, messages, tools: opts.tools ?? TOOLS, stream: opts.stream ?? false };
}

async function post(m: ScriptedModel, b: unknown, path = '/v1/messages?beta=true', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(m.url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'pdk_token', ...headers }, body: typeof b === 'string' ? b : JSON.stringify(b) });
}

/** Parses an SSE body into [{event, data}]. */
function sse(text: string): { event: string; data: Json }[] {
  return text
    .split('\n\n')
    .filter((c) => c.trim())
    .map((chunk) => {
      const ev = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? 'null') as Json;
      assert.equal(data.type, ev, 'data.type repeats the event name');
      return { event: ev, data };
    });
}

/** Rebuilds the message from SSE events the way an SDK does (joining deltas). */
function assemble(events: { event: string; data: Json }[]): Json {
  const start = events.find((e) => e.event === 'message_start')!.data.message as Json;
  const content: Json[] = [];
  const partial: string[] = [];
  for (const { event, data } of events) {
    if (event === 'content_block_start') {
      content[data.index] = { ...data.content_block };
      partial[data.index] = '';
    }
    if (event === 'content_block_delta') {
      const b = content[data.index]!;
      const d = data.delta as Json;
      if (d.type === 'text_delta') b.text += d.text;
      if (d.type === 'thinking_delta') b.thinking += d.thinking;
      if (d.type === 'signature_delta') b.signature = d.signature;
      if (d.type === 'input_json_delta') partial[data.index] += d.partial_json;
    }
    if (event === 'content_block_stop' && content[data.index]!.type === 'tool_use') content[data.index]!.input = JSON.parse(partial[data.index]!);
  }
  const delta = events.find((e) => e.event === 'message_delta')!.data;
  return { ...start, content, stop_reason: delta.delta.stop_reason, usage: delta.usage };
}

describe('scripted model: routes', () => {
  let m: ScriptedModel;
  before(async () => (m = await startScriptedModel()));
  after(() => m.close());

  it('listens on 127.0.0.1 with a free port, url without trailing slash', () => {
    assert.equal(m.host, '127.0.0.1');
    assert.ok(m.port > 0);
    assert.equal(m.url, `http://127.0.0.1:${m.port}`);
  });
  it("HEAD / and GET / → 200 (and the CLI's HEAD /api/hello probe)", async () => {
    assert.equal((await fetch(m.url, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(m.url)).status, 200);
    assert.equal((await fetch(`${m.url}/api/hello`, { method: 'HEAD' })).status, 200);
    assert.ok(m.requests.slice(-3).every((r) => r.kind === 'probe'));
  });
  it('anything else → 404 with an Anthropic-style JSON error naming the route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/models'],
      ['POST', '/v1/complete'],
      ['GET', '/v1/messages'],
      ['DELETE', '/'],
    ] as const) {
      const r = await fetch(m.url + path, { method });
      assert.equal(r.status, 404, `${method} ${path}`);
      const j = (await r.json()) as Json;
      assert.equal(j.type, 'error');
      assert.equal(j.error.type, 'not_found_error');
      assert.ok(String(j.error.message).includes(`${method} ${path}`));
    }
  });
  it('POST /v1/messages/count_tokens → a deterministic input_tokens', async () => {
    const b = body('hi [[script:hello]]');
    const a = (await (await post(m, b, '/v1/messages/count_tokens?beta=true')).json()) as Json;
    const again = (await (await post(m, b, '/v1/messages/count_tokens')).json()) as Json;
    assert.ok(a.input_tokens > 0);
    assert.equal(a.input_tokens, again.input_tokens);
    assert.equal(m.requests.at(-1)!.kind, 'count_tokens');
  });
  it('a body that is not JSON → 400 invalid_request_error', async () => {
    const r = await post(m, 'not json');
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as Json).error.type, 'invalid_request_error');
  });
});

describe('scripted model: scripts', () => {
  let m: ScriptedModel;
  before(async () => (m = await startScriptedModel()));
  after(() => m.close());

  it('non-streaming: step 0 of write-file is a Write tool_use at the stated cwd, stop_reason tool_use, default usage', async () => {
    const r = await post(m, body('Please [[script:write-file]]', { cwd: '/tmp/w' }));
    assert.equal(r.status, 200);
    const j = (await r.json()) as Json;
    assert.equal(j.type, 'message');
    assert.equal(j.role, 'assistant');
    assert.equal(j.model, 'claude-test-model');
    assert.equal(j.stop_reason, 'tool_use');
    assert.deepEqual(j.content[0], { type: 'text', text: 'I will create hello.txt.' });
    assert.deepEqual(j.content[1], { type: 'tool_use', id: 'toolu_write_file_0_0', name: 'Write', input: { file_path: '/tmp/w/hello.txt', content: 'hello from paddock\n' } });
    assert.deepEqual(j.usage, { input_tokens: 1000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 50 });
    const rec = m.requests.at(-1)!;
    assert.equal(rec.kind, 'main');
    assert.equal(rec.script, 'write-file');
    assert.equal(rec.step, 0);
    assert.equal(rec.status, 200);
  });
  it('the step index is the number of assistant messages: step 1 is the final text with end_turn', async () => {
    const j = (await (await post(m, body('Please [[script:write-file]]', { assistants: 1 }))).json()) as Json;
    assert.equal(j.stop_reason, 'end_turn');
    assert.deepEqual(j.content, [{ type: 'text', text: 'Created hello.txt.' }]);
  });
  it('past the last step: a harmless end_turn text', async () => {
    const j = (await (await post(m, body('[[script:write-file]]', { assistants: 5 }))).json()) as Json;
    assert.equal(j.stop_reason, 'end_turn');
    assert.match(j.content[0].text, /no step 5/);
  });
  it('streaming: the SSE sequence a client expects, deltas split, tool input as input_json_delta', async () => {
    const r = await post(m, body('run [[script:bash ls -la /tmp]]', { stream: true }));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sse(await r.text());
    assert.deepEqual(
      events.map((e) => e.event),
      ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    assert.deepEqual(events[2]!.data.content_block, { type: 'tool_use', id: 'toolu_bash_0_0', name: 'Bash', input: {} });
    const msg = assemble(events);
    assert.deepEqual(msg.content, [{ type: 'tool_use', id: 'toolu_bash_0_0', name: 'Bash', input: { command: 'ls -la /tmp', description: 'Run the requested command' } }]);
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(events[0]!.data.message.usage.input_tokens, DEFAULT_STEP_USAGE.inputTokens);
    assert.equal(msg.usage.output_tokens, DEFAULT_STEP_USAGE.outputTokens);
  });
  it('streaming text and thinking (with its signature) assemble to the scripted blocks', async () => {
    const msg = assemble(sse(await (await post(m, body('[[script:thinking]]', { stream: true }))).text()));
    assert.deepEqual(msg.content, [
      { type: 'thinking', thinking: 'Let me think about this.', signature: THINKING_SIGNATURE },
      { type: 'text', text: 'Thought about it.' },
    ]);
    assert.equal(msg.stop_reason, 'end_turn');
  });
  it('registered scripts: arrays and factories (with arg and cwd), per-step usage and stop reason', async () => {
    m.script('custom', [
      { text: 'one', usage: { inputTokens: 7, outputTokens: 3, cacheReadTokens: 5 } },
      { text: 'two', stopReason: 'max_tokens' },
    ]);
    m.script('factory', ({ arg, cwd }) => [{ text: `arg=${arg} cwd=${cwd}` }]);
    const one = (await (await post(m, body('[[script:custom]]'))).json()) as Json;
    assert.deepEqual(one.usage, { input_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 3 });
    const two = (await (await post(m, body('[[script:custom]]', { assistants: 1 }))).json()) as Json;
    assert.equal(two.stop_reason, 'max_tokens');
    const f = (await (await post(m, body('x [[script:factory a b  c]] y', { cwd: '/w' }))).json()) as Json;
    assert.equal(f.content[0].text, 'arg=a b  c cwd=/w');
    assert.throws(() => m.script('bad name', []), /must match/);
  });
  it('scripts given at start and built-ins are all there', async () => {
    const s = await startScriptedModel({ scripts: { mine: [{ text: 'mine' }] } });
    try {
      const j = (await (await post(s, body('[[script:mine]]'))).json()) as Json;
      assert.equal(j.content[0].text, 'mine');
    } finally {
      await s.close();
    }
    for (const name of [
      'hello',
      'write-file',
      'bash',
      'write-and-bash',
      'slow',
      'tool-error',
      'read-image',
      'structured-output',
      'two-turns',
      'overloaded',
      'server-error',
      'flaky',
      'http-error',
      'thinking',
      'slow-model',
    ]) {
      assert.ok(name in BUILTIN_SCRIPTS, name);
    }
  });
  it('slow: Bash sleep N with a long tool timeout', async () => {
    const j = (await (await post(m, body('[[script:slow 12]]'))).json()) as Json;
    assert.deepEqual(j.content[0].input, { command: 'timeout 12 tail -f /dev/null; echo slept 12', description: 'Wait', timeout: 600000 });
  });
  it('delayMs delays the answer', async () => {
    const t0 = Date.now();
    await (await post(m, body('[[script:slow-model 300]]'))).json();
    assert.ok(Date.now() - t0 >= 280);
  });
});

describe('scripted model: script selection is stateless', () => {
  let m: ScriptedModel;
  before(async () => (m = await startScriptedModel()));
  after(() => m.close());

  it('no tools → auxiliary reply, even with a tag (title / topic / quota style calls)', async () => {
    const j = (await (await post(m, body('Summarise: [[script:bash rm -rf /]]', { tools: [] }))).json()) as Json;
    assert.deepEqual(j.content, [{ type: 'text', text: AUXILIARY_TEXT }]);
    assert.equal(j.stop_reason, 'end_turn');
    assert.equal(j.usage.input_tokens, AUXILIARY_USAGE.inputTokens);
    assert.equal(m.requests.at(-1)!.kind, 'auxiliary');
  });
  it('tools but no tag, or an unknown script → auxiliary reply (streaming too)', async () => {
    const j = (await (await post(m, body('no tag here'))).json()) as Json;
    assert.deepEqual(j.content, [{ type: 'text', text: AUXILIARY_TEXT }]);
    const msg = assemble(sse(await (await post(m, body('[[script:does-not-exist]]', { stream: true }))).text()));
    assert.deepEqual(msg.content, [{ type: 'text', text: AUXILIARY_TEXT }]);
    assert.ok(m.requests.slice(-2).every((r) => r.kind === 'auxiliary'));
  });
  it('a tag in a tool result is not a prompt', async () => {
    const b = body('no tag');
    b.messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: '[[script:hello]]' }] });
    assert.equal(selectScript(b), undefined);
  });
  it('the latest tagged user message wins; steps count from it (a resumed session with a new script)', () => {
    const b = body('first [[script:two-turns]]', { assistants: 2 });
    b.messages.push({ role: 'user', content: 'now [[script:bash echo hi]]' });
    b.messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: 'z', name: 'Bash', input: {} }] });
    assert.deepEqual(selectScript(b), { name: 'bash', arg: 'echo hi', step: 1, turn: 3 });
    assert.deepEqual(selectScript(body('first [[script:two-turns]]', { assistants: 1 })), { name: 'two-turns', arg: '', step: 1, turn: 1 });
  });
  it('findCwd reads the working directory from the system prompt or a system message; "." when absent', () => {
    assert.equal(findCwd(body('x', { cwd: '/a/b' })), '/a/b');
    assert.equal(findCwd({ system: [{ type: 'text', text: ' - Primary working directory: /s\n' }], messages: [] }), '/s');
    assert.equal(findCwd({ system: 'custom prompt', messages: [{ role: 'user', content: 'hi' }] }), '.');
  });
  it('concurrent conversations on one server do not interfere', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(m, body(`[[script:${i % 2 ? 'two-turns' : 'write-file'}]]`, { assistants: i % 3 === 0 ? 1 : 0, stream: i % 4 === 0 }))),
    );
    const texts = await Promise.all(results.map((r) => r.text()));
    texts.forEach((t, i) => {
      const msg = i % 4 === 0 ? assemble(sse(t)) : (JSON.parse(t) as Json);
      const step = i % 3 === 0 ? 1 : 0;
      const expected = i % 2 ? ['First answer.', 'Second answer, after resuming.'][step] : step === 0 ? 'I will create hello.txt.' : 'Created hello.txt.';
      assert.equal(msg.content[0].text, expected, `conversation ${i}`);
    });
  });
});

describe('scripted model: errors', () => {
  let m: ScriptedModel;
  before(async () => (m = await startScriptedModel()));
  after(() => m.close());

  it('overloaded: 529 overloaded_error on every attempt', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await post(m, body('[[script:overloaded]]', { stream: true }));
      assert.equal(r.status, 529);
      assert.deepEqual(((await r.json()) as Json).error, { type: 'overloaded_error', message: 'Overloaded' });
    }
  });
  it('server-error and http-error STATUS TYPE', async () => {
    assert.equal((await post(m, body('[[script:server-error]]'))).status, 500);
    const r = await post(m, body('[[script:http-error 403 permission_error]]'));
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as Json).error.type, 'permission_error');
    assert.equal((await post(m, body('[[script:http-error]]'))).status, 500);
  });
  it('times: fails the first N attempts per CLI session, then answers; other sessions count on their own', async () => {
    m.script('twice', [{ error: { type: 'api_error', times: 2 }, text: 'recovered' }]);
    const s1 = { 'x-claude-code-session-id': 'a' };
    const s2 = { 'x-claude-code-session-id': 'b' };
    assert.equal((await post(m, body('[[script:twice]]'), undefined, s1)).status, 500);
    assert.equal((await post(m, body('[[script:twice]]'), undefined, s2)).status, 500);
    assert.equal((await post(m, body('[[script:twice]]'), undefined, s1)).status, 500);
    const ok = await post(m, body('[[script:twice]]'), undefined, s1);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as Json).content[0].text, 'recovered');
    assert.equal((await post(m, body('[[script:twice]]'), undefined, s2)).status, 500);
  });
});

describe('scripted model: recording and keys', () => {
  it('records method, path, url, headers and parsed body of every request', async () => {
    const m = await startScriptedModel();
    try {
      await post(m, body('[[script:hello]]'), '/v1/messages?beta=true', { 'x-api-key': 'pdk_run_1' });
      await fetch(`${m.url}/nope`);
      const [a, b] = m.requests;
      assert.equal(a!.method, 'POST');
      assert.equal(a!.path, '/v1/messages');
      assert.equal(a!.url, '/v1/messages?beta=true');
      assert.equal(a!.headers['x-api-key'], 'pdk_run_1');
      assert.equal((a!.body as Json).model, 'claude-test-model');
      assert.equal(b!.kind, 'not_found');
      assert.equal(b!.status, 404);
      assert.equal(b!.body, undefined);
      assert.deepEqual(m.mainRequests('hello'), [a]);
      assert.deepEqual(m.mainRequests(), [a]);
    } finally {
      await m.close();
    }
  });
  it('apiKey: a wrong or missing key → 401 authentication_error; x-api-key or Bearer accepted', async () => {
    const m = await startScriptedModel({ apiKey: 'sk-right' });
    try {
      assert.equal((await post(m, body('[[script:hello]]'), undefined, { 'x-api-key': 'wrong' })).status, 401);
      const r = await fetch(`${m.url}/v1/messages`, { method: 'POST', body: JSON.stringify(body('[[script:hello]]')) });
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as Json).error.type, 'authentication_error');
      assert.equal((await post(m, body('[[script:hello]]'), undefined, { 'x-api-key': 'sk-right' })).status, 200);
      const bearer = await fetch(`${m.url}/v1/messages`, { method: 'POST', headers: { authorization: 'Bearer sk-right' }, body: JSON.stringify(body('[[script:hello]]')) });
      assert.equal(bearer.status, 200);
    } finally {
      await m.close();
    }
  });
  it('host 0.0.0.0: reachable on loopback, url uses 127.0.0.1; close() is idempotent', async () => {
    const m = await startScriptedModel({ host: '0.0.0.0' });
    assert.equal(m.url, `http://127.0.0.1:${m.port}`);
    assert.equal((await fetch(m.url)).status, 200);
    await m.close();
    await m.close();
    await assert.rejects(fetch(m.url));
  });
});
