/**
 * Golden tests: stdout recorded from the REAL Claude Code CLI (test/fixtures/golden/claude/<name>/stdout.jsonl, re-record
 * with `node test/fixtures/golden/claude/record.ts`) parsed line by line must deep-equal <name>/expected.json. Nothing is
 * normalised: fields that vary per run (durations, uuids) are fixed in the recording. Each scenario also gets
 * assertions written by hand, so the expected files cannot silently drift into whatever the parser says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseClaudeLine } from '../../src/agents/claude/index.ts';
import type { AgentEvent } from '../../src/agents/types.ts';
import { GOLDEN_SCENARIOS, goldenSessionId } from '../fixtures/golden/claude/scenarios.ts';

/** One folder per agent and case: test/fixtures/golden/<agent>/<case>/{stdout.jsonl,expected.json}. */
const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'golden', 'claude');

function load(name: string): { lines: string[]; expected: AgentEvent[] } {
  const lines = readFileSync(join(GOLDEN, name, 'stdout.jsonl'), 'utf8').split('\n');
  const expected = JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8')) as AgentEvent[];
  return { lines, expected };
}

const parseAll = (lines: string[]): AgentEvent[] => lines.flatMap((l) => parseClaudeLine(l));
const kinds = (events: AgentEvent[]): string[] => events.map((e) => (e.kind === 'other' ? `other:${e.type}` : e.kind));
const only = <K extends AgentEvent['kind']>(events: AgentEvent[], kind: K) => events.filter((e): e is Extract<AgentEvent, { kind: K }> => e.kind === kind);
const resultOf = (events: AgentEvent[]) => {
  const r = only(events, 'result');
  assert.equal(r.length, 1, 'exactly one result event');
  return r[0]!;
};
const sessionOf = (name: string): string => goldenSessionId(GOLDEN_SCENARIOS.findIndex((s) => s.name === name));

describe('golden: parse(recorded real CLI output) deep-equals the expected events', () => {
  for (const s of GOLDEN_SCENARIOS) {
    it(`${s.name}: ${s.description}`, () => {
      const { lines, expected } = load(s.name);
      assert.deepEqual(parseAll(lines), expected);
    });
  }
  it('every recording is non-empty and every line parses without an "raw" (non-JSON) event', () => {
    for (const s of GOLDEN_SCENARIOS) {
      const events = parseAll(load(s.name).lines);
      assert.ok(events.length > 0, s.name);
      assert.deepEqual(
        events.filter((e) => e.kind === 'other' && e.type === 'raw'),
        [],
        s.name,
      );
    }
  });
});

describe('golden: what each recording means (written by hand)', () => {
  it('round-trip: init, Write, its result, Bash, its output, final text, success with deterministic usage', () => {
    const events = parseAll(load('round-trip').lines);
    assert.deepEqual(kinds(events), ['init', 'text', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'text', 'result']);
    const init = only(events, 'init')[0]!;
    assert.equal(init.sessionId, sessionOf('round-trip'));
    assert.equal(init.cwd, '/tmp/paddock-golden/round-trip/work');
    assert.ok(init.tools.includes('Write') && init.tools.includes('Bash'));
    const [write, bash] = only(events, 'tool_use');
    assert.equal(write!.name, 'Write');
    assert.deepEqual(write!.input, { file_path: '/tmp/paddock-golden/round-trip/work/hello.txt', content: 'hello from paddock\n' });
    assert.equal(bash!.name, 'Bash');
    const [wrote, ran] = only(events, 'tool_result');
    assert.equal(wrote!.toolUseId, write!.id);
    assert.equal(ran!.toolUseId, bash!.id);
    assert.equal(ran!.content, 'hello from paddock\ndone');
    assert.equal(ran!.isError, false);
    const r = resultOf(events);
    assert.equal(r.subtype, 'success');
    assert.equal(r.isError, false);
    assert.equal(r.result, 'Created hello.txt and printed it.');
    assert.equal(r.numTurns, 3);
    // Three scripted turns of 1000 in / 50 out each (DEFAULT_STEP_USAGE); 2.1.332 prices claude-opus-5-5 at $4/$20 per M.
    assert.deepEqual(r.usage, { inputTokens: 3000, outputTokens: 150, cacheReadTokens: 0, cacheCreationTokens: 0 });
    assert.equal(r.costUsd, 0.015);
  });

  it("tool-error: both parallel tool results are errors, with the CLI's messages", () => {
    const events = parseAll(load('tool-error').lines);
    const results = only(events, 'tool_result');
    assert.equal(results.length, 2);
    assert.ok(results.every((t) => t.isError));
    assert.equal(results[0]!.content, 'Exit code 3\nfailing');
    assert.match(results[1]!.content, /^File does not exist\./);
    assert.equal(resultOf(events).isError, false, 'failed tools do not fail the run');
  });

  it('resumed: the same session continues at the next script step; cost is the session total', () => {
    const events = parseAll(load('resumed').lines);
    assert.deepEqual(kinds(events), ['init', 'text', 'result']);
    assert.equal(only(events, 'init')[0]!.sessionId, sessionOf('resumed'));
    const r = resultOf(events);
    assert.equal(r.result, 'Second answer, after resuming.');
    assert.equal(r.sessionId, sessionOf('resumed'));
    // usage covers this invocation only, total_cost_usd the whole session (both invocations): a surprise worth knowing.
    assert.deepEqual(r.usage, { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 0, cacheCreationTokens: 0 });
    assert.equal(r.costUsd, 0.01);
  });

  it('overloaded: two api_retry lines, then the give-up as an error event and an error result', () => {
    const events = parseAll(load('overloaded').lines);
    assert.deepEqual(kinds(events), ['init', 'other:system.api_retry', 'other:system.api_retry', 'error', 'result']);
    const err = only(events, 'error')[0]!;
    assert.match(err.message, /^API Error: Repeated 529 Overloaded errors/);
    const r = resultOf(events);
    assert.equal(r.isError, true);
    assert.equal(r.subtype, 'success', 'the CLI says success with is_error true here; we keep what it says');
    assert.equal(r.costUsd, 0);
  });

  it('max-turns: error_max_turns, its errors entry as an error event before the result', () => {
    const events = parseAll(load('max-turns').lines);
    assert.deepEqual(kinds(events).slice(-2), ['error', 'result']);
    assert.equal(only(events, 'error')[0]!.message, 'Reached maximum number of turns (1)');
    const r = resultOf(events);
    assert.equal(r.subtype, 'error_max_turns');
    assert.equal(r.isError, true);
    assert.equal(r.result, '', 'no result text on error_max_turns');
  });

  it('image-result: a tool_result whose content is an array of blocks becomes a placeholder text', () => {
    const events = parseAll(load('image-result').lines);
    const image = only(events, 'tool_result')[1]!;
    assert.equal(image.content, '[image image/png]');
    assert.equal(image.isError, false);
  });

  it('thinking: the thinking block becomes a thinking event, before the text', () => {
    const events = parseAll(load('thinking').lines);
    const i = events.findIndex((e) => e.kind === 'thinking');
    assert.ok(i > 0);
    assert.deepEqual(events[i], { kind: 'thinking', text: 'Let me think about this.' });
    assert.equal(events[i + 1]?.kind, 'text');
  });

  it('structured-output: the result carries structuredOutput', () => {
    const r = resultOf(parseAll(load('structured-output').lines));
    assert.deepEqual(r.structuredOutput, { name: 'paddock' });
    assert.equal(r.result, '{"name":"paddock"}');
  });

  it('partial-messages: stream_event lines are kept whole as other events, the message still parses', () => {
    const events = parseAll(load('partial-messages').lines);
    const streamEvents = events.filter((e) => e.kind === 'other' && e.type === 'stream_event');
    assert.ok(streamEvents.length >= 5);
    assert.deepEqual(only(events, 'text'), [{ kind: 'text', text: 'Hello from the scripted model.' }]);
    assert.equal(resultOf(events).subtype, 'success');
  });

  it('resume-missing: no init, an error naming the session, error_during_execution', () => {
    const events = parseAll(load('resume-missing').lines);
    assert.deepEqual(kinds(events), ['error', 'result']);
    assert.match(only(events, 'error')[0]!.message, /No conversation found with session ID: 00000000-0000-4000-8000-000000000010/);
    assert.equal(resultOf(events).subtype, 'error_during_execution');
  });

  it('persistent: one turn per stdin message, each opening with init and ending with a result, in one session', () => {
    const events = parseAll(load('persistent').lines);
    assert.deepEqual(kinds(events), ['init', 'text', 'result', 'init', 'text', 'result']);
    const results = only(events, 'result');
    assert.deepEqual(
      results.map((r) => r.result),
      ['First answer.', 'Second answer, after resuming.'],
    );
    assert.ok(results.every((r) => r.subtype === 'success' && !r.isError && r.sessionId === sessionOf('persistent')));
    assert.deepEqual(
      results.map((r) => r.numTurns),
      [1, 1],
      'num_turns counts the turn, not the conversation',
    );
    assert.deepEqual(
      results.map((r) => r.costUsd),
      [0.005, 0.01],
      'total_cost_usd adds up over the conversation',
    );
  });
});
