/**
 * Gemini golden tests: stdout recorded from the REAL Gemini CLI 0.61.0 (test/fixtures/golden/gemini/<case>/stdout.jsonl,
 * re-record with `node test/fixtures/golden/gemini/record.ts`), parsed by one stream parser per recording, must
 * deep-equal <case>/expected.json. Each case also gets assertions written by hand, so the expected files cannot
 * silently drift into whatever the parser says; every line type the CLI printed is mapped (only the echoed prompt is
 * kept as other).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createGeminiParser } from '../../src/agents/gemini/index.ts';
import type { AgentEvent } from '../../src/agents/types.ts';
import { GEMINI_SCENARIOS, geminiGoldenSessionId } from '../fixtures/golden/gemini/scenarios.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'golden', 'gemini');

function load(name: string): { lines: string[]; expected: AgentEvent[] } {
  const lines = readFileSync(join(GOLDEN, name, 'stdout.jsonl'), 'utf8').split('\n');
  const expected = JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8')) as AgentEvent[];
  return { lines, expected };
}

const parseAll = (lines: string[]): AgentEvent[] => {
  const parse = createGeminiParser();
  return lines.flatMap((l) => parse(l));
};
const events = (name: string) => parseAll(load(name).lines);
const kinds = (evs: AgentEvent[]): string[] => evs.map((e) => (e.kind === 'other' ? `other:${e.type}` : e.kind));
const only = <K extends AgentEvent['kind']>(evs: AgentEvent[], kind: K) => evs.filter((e): e is Extract<AgentEvent, { kind: K }> => e.kind === kind);
const resultOf = (evs: AgentEvent[]) => {
  const r = only(evs, 'result');
  assert.equal(r.length, 1, 'exactly one result event');
  return r[0]!;
};
const sessionOf = (name: string): string => geminiGoldenSessionId(GEMINI_SCENARIOS.findIndex((s) => s.name === name));

describe('gemini golden: parse(recorded real CLI output) deep-equals the expected events', () => {
  for (const s of GEMINI_SCENARIOS) {
    it(`${s.name}: ${s.description}`, () => {
      const { lines, expected } = load(s.name);
      assert.deepEqual(parseAll(lines), expected);
    });
  }
  it('every line type is mapped: nothing raw, and other only for the echoed prompt', () => {
    for (const s of GEMINI_SCENARIOS) {
      const evs = events(s.name);
      assert.ok(evs.length > 0, s.name);
      assert.deepEqual(
        evs.filter((e) => e.kind === 'other' && e.type !== 'message.user'),
        [],
        s.name,
      );
    }
  });
});

describe('gemini golden: what each recording means (written by hand)', () => {
  it('round-trip: init, the prompt, text, write_file and its result, a shell command and its output, the final text, success', () => {
    const evs = events('round-trip');
    assert.deepEqual(kinds(evs), ['init', 'other:message.user', 'text', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'text', 'result']);
    const init = only(evs, 'init')[0]!;
    assert.equal(init.sessionId, sessionOf('round-trip'));
    assert.equal(init.model, 'gemini-2.5-flash');
    const [write, shell] = only(evs, 'tool_use');
    assert.equal(write!.name, 'write_file');
    assert.deepEqual(write!.input, { file_path: '/tmp/paddock-golden-gemini/round-trip/work/hello.txt', content: 'hello from paddock\n' });
    assert.equal(shell!.name, 'run_shell_command');
    const [wrote, ran] = only(evs, 'tool_result');
    assert.equal(wrote!.toolUseId, write!.id);
    assert.equal(ran!.toolUseId, shell!.id);
    assert.equal(ran!.content, 'hello from paddock\ndone');
    assert.deepEqual(
      only(evs, 'text').map((t) => t.text),
      ['I will create hello.txt.', 'Created hello.txt and printed it.'],
      'the streamed pieces of each answer are joined',
    );
    const r = resultOf(evs);
    assert.deepEqual(
      { subtype: r.subtype, isError: r.isError, result: r.result, sessionId: r.sessionId, numTurns: r.numTurns },
      { subtype: 'success', isError: false, result: 'Created hello.txt and printed it.', sessionId: sessionOf('round-trip'), numTurns: 3 },
    );
    // Three scripted turns of 1000 in / 50 out each (DEFAULT_GEMINI_USAGE); the CLI reports no cost.
    assert.deepEqual(r.usage, { inputTokens: 3000, outputTokens: 150, cacheReadTokens: 0, cacheCreationTokens: 0 });
    assert.equal(r.costUsd, 0);
  });

  it('tool-error: two calls in one turn; the missing file is an error result, the failing command is not (its output is)', () => {
    const evs = events('tool-error');
    assert.deepEqual(kinds(evs), ['init', 'other:message.user', 'tool_use', 'tool_use', 'tool_result', 'tool_result', 'text', 'result']);
    const [shell, read] = only(evs, 'tool_result');
    assert.deepEqual({ content: shell!.content, isError: shell!.isError }, { content: 'failing', isError: false });
    assert.equal(read!.isError, true);
    assert.match(read!.content, /File not found/);
    assert.equal(resultOf(evs).result, 'Both tools failed as expected.');
  });

  it('thinking: the thought is not printed by the CLI, the answer is', () => {
    const evs = events('thinking');
    assert.deepEqual(kinds(evs), ['init', 'other:message.user', 'text', 'result']);
    assert.equal(only(evs, 'text')[0]!.text, 'Thought about it.');
  });

  it('resumed: -r continues the same session id and the script at its second step', () => {
    const evs = events('resumed');
    assert.equal(only(evs, 'init')[0]!.sessionId, sessionOf('resumed'));
    const r = resultOf(evs);
    assert.equal(r.result, 'Second answer, after resuming.');
    assert.equal(r.sessionId, sessionOf('resumed'));
  });

  it('turn-limit: the tool runs, then FatalTurnLimitedError as an error and an error result (exit 53)', () => {
    const evs = events('turn-limit');
    assert.deepEqual(kinds(evs), ['init', 'other:message.user', 'text', 'tool_use', 'tool_result', 'error', 'result']);
    assert.match(only(evs, 'error')[0]!.message, /max session turns/);
    const r = resultOf(evs);
    assert.deepEqual({ subtype: r.subtype, isError: r.isError }, { subtype: 'error_FatalTurnLimitedError', isError: true });
  });

  it('upstream-error and dead-upstream: the API error as an error event and an error result, no text', () => {
    const up = events('upstream-error');
    assert.deepEqual(kinds(up), ['init', 'other:message.user', 'error', 'result']);
    assert.match(only(up, 'error')[0]!.message, /"code":500/);
    assert.deepEqual({ subtype: resultOf(up).subtype, isError: resultOf(up).isError }, { subtype: 'error_unknown', isError: true });
    const dead = events('dead-upstream');
    assert.deepEqual(kinds(dead), ['init', 'other:message.user', 'error', 'result']);
    assert.match(only(dead, 'error')[0]!.message, /fetch failed/);
    assert.equal(resultOf(dead).usage.inputTokens, 0);
  });
});
