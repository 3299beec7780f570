/** parseClaudeLine on hand-made lines (edge cases); the real CLI's lines are covered by golden.test.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClaudeLine, toolResultText } from '../../src/agents/claude/index.ts';

const line = (o: unknown): string => JSON.stringify(o);

describe('claude parse: never throws', () => {
  it('a non-JSON line → other "raw" with the text', () => {
    assert.deepEqual(parseClaudeLine('Error: Invalid session ID. Must be a valid UUID.'), [{ kind: 'other', type: 'raw', data: 'Error: Invalid session ID. Must be a valid UUID.' }]);
    assert.deepEqual(parseClaudeLine('{"type":"assistant",'), [{ kind: 'other', type: 'raw', data: '{"type":"assistant",' }]);
  });
  it('empty and blank lines → nothing; a trailing \\r is fine', () => {
    assert.deepEqual(parseClaudeLine(''), []);
    assert.deepEqual(parseClaudeLine('   \t'), []);
    assert.deepEqual(parseClaudeLine(`${line({ type: 'assistant', message: { content: [{ type: 'text', text: 'hi' }] } })}\r`), [{ kind: 'text', text: 'hi' }]);
  });
  it('JSON that is not an object → other "unknown"', () => {
    assert.deepEqual(parseClaudeLine('42'), [{ kind: 'other', type: 'unknown', data: 42 }]);
    assert.deepEqual(parseClaudeLine('[1,2]'), [{ kind: 'other', type: 'unknown', data: [1, 2] }]);
    assert.deepEqual(parseClaudeLine('null'), [{ kind: 'other', type: 'unknown', data: null }]);
  });
  it('odd shapes do not throw', () => {
    const odd = [
      { type: 'assistant' },
      { type: 'assistant', message: null },
      { type: 'assistant', message: { content: 5 } },
      { type: 'user', message: { content: [null, 3, 'x'] } },
      { type: 'result' },
      { type: 'system' },
      { type: 5 },
      { type: 'result', errors: [{ code: 1 }], usage: 'x' },
      { type: 'assistant', message: { content: [{ type: 'tool_use' }] } },
    ];
    for (const o of odd) assert.ok(Array.isArray(parseClaudeLine(line(o))), line(o));
  });
});

describe('claude parse: system', () => {
  it('init → init with session, model, cwd and tools', () => {
    const e = parseClaudeLine(line({ type: 'system', subtype: 'init', cwd: '/workspace', session_id: 'S', tools: ['Bash', 'Read', 7], model: 'claude-opus-5-5', extra: 1 }));
    assert.deepEqual(e, [{ kind: 'init', sessionId: 'S', model: 'claude-opus-5-5', cwd: '/workspace', tools: ['Bash', 'Read'] }]);
  });
  it('other subtypes → other "system.<subtype>", kept whole', () => {
    const o = { type: 'system', subtype: 'api_retry', attempt: 1, error_status: 529 };
    assert.deepEqual(parseClaudeLine(line(o)), [{ kind: 'other', type: 'system.api_retry', data: o }]);
    assert.deepEqual(parseClaudeLine(line({ type: 'system' })), [{ kind: 'other', type: 'system', data: { type: 'system' } }]);
  });
});

describe('claude parse: assistant', () => {
  it('text, thinking and tool_use blocks, in order', () => {
    const e = parseClaudeLine(
      line({
        type: 'assistant',
        message: {
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'I will look.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
          ],
        },
      }),
    );
    assert.deepEqual(e, [
      { kind: 'thinking', text: 'hmm' },
      { kind: 'text', text: 'I will look.' },
      { kind: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
    ]);
  });
  it('server and MCP tool uses are tool_use too; a tool_use without input gets {}', () => {
    const e = parseClaudeLine(
      line({
        type: 'assistant',
        message: {
          content: [
            { type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'x' } },
            { type: 'mcp_tool_use', id: 'm1', name: 'mcp__db__query' },
          ],
        },
      }),
    );
    assert.deepEqual(e, [
      { kind: 'tool_use', id: 's1', name: 'web_search', input: { query: 'x' } },
      { kind: 'tool_use', id: 'm1', name: 'mcp__db__query', input: {} },
    ]);
  });
  it('an unknown block → other "assistant.<type>" with the block', () => {
    const block = { type: 'redacted_thinking', data: 'xyz' };
    assert.deepEqual(parseClaudeLine(line({ type: 'assistant', message: { content: [block] } })), [{ kind: 'other', type: 'assistant.redacted_thinking', data: block }]);
  });
  it('an assistant line with no blocks → other "assistant", kept whole', () => {
    const o = { type: 'assistant', message: { content: [] } };
    assert.deepEqual(parseClaudeLine(line(o)), [{ kind: 'other', type: 'assistant', data: o }]);
  });
  it('string content is text', () => {
    assert.deepEqual(parseClaudeLine(line({ type: 'assistant', message: { content: 'plain' } })), [{ kind: 'text', text: 'plain' }]);
  });
  it('an API error the CLI gave up on → error with its text (not a text event)', () => {
    const o = { type: 'assistant', message: { model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 500 boom' }] }, error: 'server_error', is_api_error_message: true };
    assert.deepEqual(parseClaudeLine(line(o)), [{ kind: 'error', message: 'API Error: 500 boom' }]);
    assert.deepEqual(parseClaudeLine(line({ type: 'assistant', message: { content: [] }, error: 'rate_limit' })), [{ kind: 'error', message: 'API error: rate_limit' }]);
  });
});

describe('claude parse: user', () => {
  it('tool_result with string content', () => {
    const e = parseClaudeLine(line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok', is_error: false }] } }));
    assert.deepEqual(e, [{ kind: 'tool_result', toolUseId: 'toolu_1', content: 'ok', isError: false }]);
  });
  it('tool_result with an array of blocks: text joined, others as placeholders; is_error kept', () => {
    const e = parseClaudeLine(
      line({
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't',
              is_error: true,
              content: [
                { type: 'text', text: 'line one' },
                { type: 'text', text: 'line two' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA' } },
                { type: 'tool_reference', tool_name: 'WebFetch' },
                { type: 'document' },
              ],
            },
          ],
        },
      }),
    );
    assert.deepEqual(e, [{ kind: 'tool_result', toolUseId: 't', content: 'line one\nline two\n[image image/png]\n[tool WebFetch]\n[document]', isError: true }]);
  });
  it('tool_result content missing → "", is_error missing → false', () => {
    assert.deepEqual(parseClaudeLine(line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't' }] } })), [
      { kind: 'tool_result', toolUseId: 't', content: '', isError: false },
    ]);
  });
  it('several tool results in one line → several events', () => {
    const e = parseClaudeLine(
      line({
        type: 'user',
        message: {
          content: [
            { type: 'tool_result', tool_use_id: 'a', content: '1' },
            { type: 'tool_result', tool_use_id: 'b', content: '2', is_error: true },
          ],
        },
      }),
    );
    assert.deepEqual(
      e.map((x) => x.kind === 'tool_result' && [x.toolUseId, x.isError]),
      [
        ['a', false],
        ['b', true],
      ],
    );
  });
  it('a user text (e.g. a synthetic reminder) → other "user", kept whole', () => {
    const o = { type: 'user', message: { content: [{ type: 'text', text: '[structured-output-enforce] …' }] }, isSynthetic: true };
    assert.deepEqual(parseClaudeLine(line(o)), [{ kind: 'other', type: 'user', data: o }]);
  });
  it('toolResultText handles strings, null, objects', () => {
    assert.equal(toolResultText('x'), 'x');
    assert.equal(toolResultText(null), '');
    assert.equal(toolResultText({ a: 1 }), '{"a":1}');
    assert.equal(toolResultText(['raw', 5]), 'raw\n5');
  });
});

describe('claude parse: result', () => {
  const full = {
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: 'Done.',
    session_id: 'S',
    num_turns: 3,
    duration_ms: 1234,
    total_cost_usd: 0.015,
    usage: { input_tokens: 3000, output_tokens: 150, cache_read_input_tokens: 7, cache_creation_input_tokens: 9, service_tier: 'standard' },
  };
  it('maps usage and cost', () => {
    assert.deepEqual(parseClaudeLine(line(full)), [
      {
        kind: 'result',
        subtype: 'success',
        isError: false,
        result: 'Done.',
        sessionId: 'S',
        numTurns: 3,
        durationMs: 1234,
        costUsd: 0.015,
        usage: { inputTokens: 3000, outputTokens: 150, cacheReadTokens: 7, cacheCreationTokens: 9 },
      },
    ]);
  });
  it('errors → one error event each, before the result; a missing result text is ""', () => {
    const e = parseClaudeLine(line({ ...full, subtype: 'error_max_budget_usd', is_error: true, result: undefined, errors: ['Reached maximum budget ($0.001)', { x: 1 }] }));
    assert.deepEqual(
      e.map((x) => x.kind),
      ['error', 'error', 'result'],
    );
    assert.deepEqual(e[0], { kind: 'error', message: 'Reached maximum budget ($0.001)' });
    assert.deepEqual(e[1], { kind: 'error', message: '{"x":1}' });
    assert.equal(e[2]?.kind === 'result' && e[2].result, '');
  });
  it('structured_output → structuredOutput; absent stays absent', () => {
    const [r] = parseClaudeLine(line({ ...full, structured_output: { name: 'x' } }));
    assert.deepEqual(r?.kind === 'result' && r.structuredOutput, { name: 'x' });
    const [plain] = parseClaudeLine(line(full));
    assert.ok(plain?.kind === 'result' && !('structuredOutput' in plain));
  });
  it('missing numbers are 0, missing strings ""', () => {
    assert.deepEqual(parseClaudeLine(line({ type: 'result' })), [
      {
        kind: 'result',
        subtype: 'unknown',
        isError: false,
        result: '',
        sessionId: '',
        numTurns: 0,
        durationMs: 0,
        costUsd: 0,
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
      },
    ]);
  });
});

describe('claude parse: anything else is kept whole', () => {
  it('stream_event, rate_limit_event and unknown types → other with the type', () => {
    for (const o of [
      { type: 'stream_event', event: { type: 'message_start' } },
      { type: 'rate_limit_event', x: 1 },
      { type: 'brand_new', y: [1] },
    ]) {
      assert.deepEqual(parseClaudeLine(line(o)), [{ kind: 'other', type: o.type, data: o }]);
    }
  });
  it('an object without type → other "unknown"', () => {
    assert.deepEqual(parseClaudeLine('{"a":1}'), [{ kind: 'other', type: 'unknown', data: { a: 1 } }]);
  });
});
