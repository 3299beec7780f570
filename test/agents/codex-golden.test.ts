/**
 * Codex golden tests: stdout recorded from the REAL Codex CLI 0.169.0 (test/fixtures/golden/codex/<case>/stdout.jsonl,
 * re-record with `node test/fixtures/golden/codex/record.ts`) parsed line by line with one run's parser must
 * deep-equal <case>/expected.json; and what each recording must mean, written by hand. Together the cases cover every
 * line and item type the CLI printed in these runs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { codexLineParser } from '../../src/agents/codex/index.ts';
import type { AgentEvent } from '../../src/agents/types.ts';
import { CODEX_SCENARIOS } from '../fixtures/golden/codex/scenarios.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'golden', 'codex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const lines = (name: string) => readFileSync(join(GOLDEN, name, 'stdout.jsonl'), 'utf8').split('\n');
const parseAll = (name: string): AgentEvent[] => {
  const parse = codexLineParser();
  return lines(name).flatMap((l) => parse(l));
};
const kinds = (events: AgentEvent[]) => events.map((e) => e.kind);
const resultOf = (events: AgentEvent[]) => {
  const r = events.filter((e): e is Extract<AgentEvent, { kind: 'result' }> => e.kind === 'result');
  assert.equal(r.length, 1, 'exactly one result');
  return r[0]!;
};

describe('codex golden: parse(recorded real CLI output) deep-equals the expected events', () => {
  for (const s of CODEX_SCENARIOS) {
    it(`${s.name}: ${s.description}`, () => {
      assert.deepEqual(parseAll(s.name), JSON.parse(readFileSync(join(GOLDEN, s.name, 'expected.json'), 'utf8')));
    });
  }
  it('every recorded line is a known type; nothing is left as raw or other', () => {
    const seen = new Set<string>();
    for (const d of readdirSync(GOLDEN, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const l of lines(d.name).filter(Boolean)) {
        const o = JSON.parse(l) as { type: string; item?: { type: string } };
        seen.add(o.item ? `${o.type}:${o.item.type}` : o.type);
      }
      assert.deepEqual(
        parseAll(d.name).filter((e) => e.kind === 'other'),
        [],
        d.name,
      );
    }
    assert.deepEqual([...seen].sort(), [
      'error',
      'item.completed:agent_message',
      'item.completed:command_execution',
      'item.completed:error',
      'item.completed:file_change',
      'item.completed:reasoning',
      'item.started:command_execution',
      'item.started:file_change',
      'thread.started',
      'turn.completed',
      'turn.failed',
      'turn.started',
    ]);
  });
});

describe('codex golden: what each recording means (written by hand)', () => {
  it('round-trip: init with the thread id, text, the shell command and its output, text, success with the result text', () => {
    const events = parseAll('round-trip');
    assert.deepEqual(kinds(events), ['init', 'text', 'tool_use', 'tool_result', 'text', 'result']);
    const init = events[0]!;
    assert.ok(init.kind === 'init' && UUID.test(init.sessionId));
    const use = events[2]!;
    const out = events[3]!;
    assert.ok(use.kind === 'tool_use' && use.name === 'shell' && /hello\.txt/.test(String((use.input as { command: string }).command)));
    assert.ok(out.kind === 'tool_result' && out.toolUseId === use.id && out.content === 'hello from paddock\n' && !out.isError);
    const r = resultOf(events);
    assert.equal(r.subtype, 'success');
    assert.equal(r.result, 'Created hello.txt.');
    assert.equal(r.sessionId, init.sessionId);
    // Two scripted responses of 1000 in (200 of them cached) and 50 out each.
    assert.deepEqual(r.usage, { inputTokens: 1600, outputTokens: 100, cacheReadTokens: 400, cacheCreationTokens: 0 });
  });

  it('file-change: apply_patch as a tool use and its result naming the file', () => {
    const events = parseAll('file-change');
    assert.deepEqual(kinds(events), ['init', 'tool_use', 'tool_result', 'text', 'result']);
    const use = events[1]!;
    assert.ok(use.kind === 'tool_use' && use.name === 'apply_patch');
    assert.deepEqual(use.input, { changes: [{ path: '/tmp/paddock-golden-codex/file-change/work/notes.txt', kind: 'add' }] });
    assert.deepEqual(events[2], { kind: 'tool_result', toolUseId: use.id, content: 'add /tmp/paddock-golden-codex/file-change/work/notes.txt', isError: false });
  });

  it('tool-error: the failed command is an error result with its stderr; the turn still succeeds', () => {
    const events = parseAll('tool-error');
    const out = events.find((e) => e.kind === 'tool_result');
    assert.deepEqual(out && { content: out.content, isError: out.isError }, { content: 'failing\n', isError: true });
    assert.equal(resultOf(events).isError, false);
  });

  it('thinking: the reasoning summary is a thinking event before the text', () => {
    assert.deepEqual(
      parseAll('thinking').filter((e) => e.kind === 'thinking' || e.kind === 'text'),
      [
        { kind: 'thinking', text: 'Let me think about this.' },
        { kind: 'text', text: 'Thought about it.' },
      ],
    );
  });

  it('resumed: the same thread id, the second answer; usage is the thread’s running total (both turns)', () => {
    const events = parseAll('resumed');
    assert.deepEqual(kinds(events), ['init', 'text', 'result']);
    const r = resultOf(events);
    assert.equal(r.result, 'Second answer, after resuming.');
    assert.deepEqual(r.usage, { inputTokens: 1600, outputTokens: 100, cacheReadTokens: 400, cacheCreationTokens: 0 });
  });

  it('unknown-model: the warning is an error event, and the run goes on to succeed', () => {
    const events = parseAll('unknown-model');
    assert.match((events.find((e) => e.kind === 'error') as { message: string }).message, /Model metadata for `scripted-model` not found/);
    assert.equal(resultOf(events).isError, false);
  });

  it('upstream-error and dead-upstream: a retry, the error, and a failed result saying why', () => {
    for (const [name, why] of [
      ['upstream-error', /high demand/],
      ['dead-upstream', /^Connection failed: error sending request$/],
    ] as const) {
      const events = parseAll(name);
      assert.deepEqual(kinds(events), ['init', 'error', 'error', 'result'], name);
      assert.match((events[1] as { message: string }).message, /^Reconnecting\.\.\. 1\/1/);
      const r = resultOf(events);
      assert.equal(r.isError, true);
      assert.equal(r.subtype, 'error_during_execution');
      assert.match(r.result, why);
    }
  });
});
